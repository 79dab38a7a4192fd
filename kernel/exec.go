package kernel

import (
	"errors"
	"fmt"
	"runtime/debug"
	"time"
)

// Exec runs one checked command for a client and returns the log position
// its reply depends on: the caller waits for it to be durable before the
// reply leaves.
func (e *Engine) Exec(cl *Client, cmd *Command, args [][]byte, w Reply) (lsn uint64) {
	start := time.Now()
	e.mu.Lock()
	defer e.unlock(cmd)
	if msg := e.refuse(cmd); msg != "" {
		e.countError(msg)
		e.stats.cmds[cmd.id].Rejected++
		w.Error(msg)
		return e.lastLSN
	}
	e.now = e.commandTime(start)
	c := e.run(cl, cmd, args, w)
	e.stats.count(cmd, start, c.failed)
	lsn = e.commit()
	e.serveReady()
	return lsn
}

// Queued is one command of a transaction.
type Queued struct {
	Cmd  *Command
	Args [][]byte
}

// ExecMulti runs a transaction atomically: no other client runs a command
// in between, and its effects reach the log as one record. watched is
// checked under the same lock; when one changed the reply is a null array
// and nothing runs.
func (e *Engine) ExecMulti(cl *Client, cmds []Queued, watched []Watched, w Reply) uint64 {
	e.mu.Lock()
	defer e.unlock(nil)
	if !e.watchValid(watched) {
		w.NullArray()
		return e.lastLSN
	}
	for _, q := range cmds {
		if msg := e.refuse(q.Cmd); msg != "" {
			e.countError(msg)
			w.Error(msg)
			return e.lastLSN
		}
	}
	e.now = e.clock()
	w.Array(len(cmds))
	cl.InExec = true
	defer func() { cl.InExec = false }()
	for _, q := range cmds {
		start := time.Now()
		c := e.run(cl, q.Cmd, q.Args, w)
		e.stats.count(q.Cmd, start, c.failed)
	}
	lsn := e.commit()
	e.serveReady()
	return lsn
}

// run executes a command under the lock; its effects go to the open
// record.
func (e *Engine) run(cl *Client, cmd *Command, args [][]byte, w Reply) *Ctx {
	if cl.DB >= len(e.dbs) {
		cl.DB = 0
	}
	c := &e.ctx
	*c = Ctx{e: e, cl: cl, cmd: cmd, db: e.dbs[cl.DB], dbi: cl.DB, Args: args, W: w, Now: e.now}
	if e.opts.BeforeRun != nil {
		e.opts.BeforeRun(cmd.FullName())
	}
	cmd.Run(c)
	return c
}

// refuse returns the error a command gets before it runs, if any: every
// command once the engine is stopped, a write while the log is down.
func (e *Engine) refuse(cmd *Command) string {
	if e.fatal != nil {
		return "ERR internal error: the server stopped serving after a failure; see its log"
	}
	if cmd.Has(Write) && e.logDown != nil {
		if err := e.logDown(); err != nil {
			return "MISCONF Errors writing to the AOF file: " + err.Error()
		}
	}
	return ""
}

// PanicError is what a command's panic becomes; the protocol layer
// recovers it, logs Stack and answers "-ERR internal error".
type PanicError struct {
	Command string
	Value   any
	Stack   []byte
}

func (p *PanicError) Error() string {
	return fmt.Sprintf("panic in command %s: %v", p.Command, p.Value)
}

// unlock releases the lock after a command. If the command panicked, the
// effects it had applied are complete and already encoded: they are
// committed, so the log still matches the keyspace, and the panic goes on
// to the caller as a *PanicError. A panic inside an effect's apply step
// may have left the keyspace half-changed: the engine then stops serving
// and OnFatal tells the embedder.
func (e *Engine) unlock(cmd *Command) {
	v := recover()
	if v == nil {
		e.mu.Unlock()
		return
	}
	name := "exec"
	if cmd != nil {
		name = cmd.FullName()
	}
	perr := &PanicError{Command: name, Value: v, Stack: debug.Stack()}
	if e.rec.applying {
		e.rec.applying = false
		e.rec.open = false
		e.setFatal(perr)
	} else {
		e.commit()
	}
	e.ready = e.ready[:0]
	e.mu.Unlock()
	panic(perr)
}

// setFatal stops the engine: every later command is refused. Under the lock.
func (e *Engine) setFatal(err error) {
	if e.fatal != nil {
		return
	}
	e.fatal = err
	e.logger.Error("engine stopped: the keyspace may no longer match the log; restart to recover from the log", "err", err)
	if e.opts.OnFatal != nil {
		go e.opts.OnFatal(err)
	}
}

// Fatal is the failure that stopped the engine, nil while it serves.
func (e *Engine) Fatal() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.fatal
}

// ErrStopped is returned by calls on a stopped engine.
var ErrStopped = errors.New("kernel: engine stopped")
