package kernel

import (
	"fmt"
	"time"
)

// Exec runs one checked command for a client and returns the log position
// its reply depends on: the caller waits for it to be durable before the
// reply leaves. blocked says the command waits: the caller must then call
// Wait, which returns once it has answered (into the client's WaitReply).
func (e *Engine) Exec(cl *Client, cmd *Command, args [][]byte, w Reply) (lsn uint64, blocked bool) {
	start := time.Now()
	e.mu.Lock()
	defer e.unlock(cl, cmd)
	before := e.lastLSN
	if msg := e.refuse(cmd); msg != "" {
		e.reject(cmd, w, msg)
		return e.replyLSN(before), false
	}
	e.now = e.commandTime(start)
	c := e.run(cl, cmd, args, w)
	e.stats.count(cmd, start, c.failed)
	e.commit()
	lsn = e.replyLSN(before)
	blocked = cl.Blocked()
	e.readyPending.Store(len(e.ready) > 0)
	return lsn, blocked
}

// Queued is one command of a transaction.
type Queued struct {
	Cmd  *Command
	Args [][]byte
	// Error, when set, is the command's reply in place of running it: the
	// protocol layer refuses it at EXEC time (its user's permissions
	// changed since it was queued).
	Error string
}

// ExecMulti runs a transaction atomically: no other client runs a command
// in between, and its effects reach the log as one record. watched is
// checked under the same lock; when one changed the reply is a null array
// and nothing runs.
func (e *Engine) ExecMulti(cl *Client, cmds []Queued, watched []Watched, w Reply) uint64 {
	e.mu.Lock()
	defer e.unlock(cl, nil)
	before := e.lastLSN
	if e.fatal.Load() != nil {
		e.countError(ErrInternal)
		w.Error(ErrInternal)
		return e.replyLSN(before)
	}
	if msg := e.multiDenied(cmds); msg != "" {
		e.countError(msg)
		w.Error(msg)
		return e.replyLSN(before)
	}
	if !e.watchValid(watched) {
		w.NullArray()
		return e.replyLSN(before)
	}
	e.now = e.clock()
	w.Array(len(cmds))
	cl.InExec = true
	defer func() { cl.InExec = false }()
	for _, q := range cmds {
		if q.Error != "" {
			e.countError(q.Error)
			e.stats.cmds[q.Cmd.id].Rejected++
			w.Error(q.Error)
			continue
		}
		start := time.Now()
		c := e.run(cl, q.Cmd, q.Args, w)
		e.stats.count(q.Cmd, start, c.failed)
	}
	e.commit()
	lsn := e.replyLSN(before)
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
	if e.opts.BeforeCommand != nil {
		e.opts.BeforeCommand(cmd.FullName())
	}
	cmd.Run(c)
	return c
}

// ErrInternal is the reply to a command refused after the engine stopped
// on a panic (and, from the protocol layer, to the command that panicked).
const ErrInternal = "ERR internal error"

// refuse returns the error a command gets before it runs, if any: every
// command once the engine stopped, a write while the log is down.
func (e *Engine) refuse(cmd *Command) string {
	if e.fatal.Load() != nil {
		return ErrInternal
	}
	if msg := e.writeDenied(cmd); msg != "" {
		return msg
	}
	return e.oomDenied(cmd)
}

// A handler that panics leaves the engine lock held, and maybe effects
// applied that its reply never reported. unlock releases the lock after
// every command; on a panic it judges the state: a command (or
// transaction) that had applied no effect leaves the keyspace as it was,
// and the engine serves on. One that had cannot be rolled back and its
// record is not logged, so the keyspace and the log may differ: the engine
// stops, refuses every later command, snapshots and expiry, and OnFatal
// tells the embedder to shut down without a snapshot; the next start
// recovers from the log, which holds everything acknowledged. The panic
// goes on to the protocol layer, which disconnects that client only.
func (e *Engine) unlock(cl *Client, cmd *Command) {
	v := recover()
	if v == nil {
		e.mu.Unlock()
		return
	}
	if e.rec.open || e.rec.applying {
		name := "a command"
		if c := e.ctx.cmd; c != nil { // the one that panicked, in a transaction too
			name = c.FullName()
		} else if cmd != nil {
			name = cmd.FullName()
		}
		e.setFatal(fmt.Errorf("kernel: %s panicked and may have left state half changed: %v", name, v))
	}
	e.rec.open, e.rec.applying = false, false
	if w := cl.wait; w != nil { // the client is disconnected: drop its wait
		e.unregister(w)
		cl.wait = nil
	}
	cl.InExec = false
	e.ready = e.ready[:0]
	e.mu.Unlock()
	panic(v)
}

// setFatal stops the engine: every later command is refused. Under the lock.
func (e *Engine) setFatal(err error) {
	if !e.fatal.CompareAndSwap(nil, &err) {
		return
	}
	e.logger.Error("engine stopped: the keyspace may no longer match the log; restart to recover from the log", "err", err)
	if e.opts.OnFatal != nil {
		// Its own goroutine: shutting down waits for running commands,
		// this one among them.
		go e.opts.OnFatal(err)
	}
}

// Fatal is the failure that stopped the engine, nil while it serves.
func (e *Engine) Fatal() error {
	if err := e.fatal.Load(); err != nil {
		return *err
	}
	return nil
}
