package engine

import (
	"strings"
	"time"
)

// Check finds the command for args and checks its arity. On failure it
// returns Redis's error text and a nil command.
func Check(args [][]byte) (*Cmd, string) {
	cmd := Lookup(args[0])
	if cmd == nil {
		return nil, unknownCommand(args)
	}
	if !arityOK(cmd.Arity, len(args)) {
		return nil, "ERR wrong number of arguments for '" + cmd.Name + "' command"
	}
	if cmd.Subs != nil && len(args) >= 2 {
		sub := cmd.Sub(args[1])
		if sub == nil {
			if Equal(args[1], "help") {
				return cmd, ""
			}
			return nil, "ERR unknown subcommand '" + trunc(string(args[1]), 128) + "'. Try " + strings.ToUpper(cmd.Name) + " HELP."
		}
		if !arityOK(sub.Arity, len(args)-1) {
			return nil, "ERR wrong number of arguments for '" + cmd.Name + "|" + sub.Name + "' command"
		}
		return sub, ""
	}
	return cmd, ""
}

func arityOK(arity, n int) bool {
	return (arity >= 0 && n == arity) || (arity < 0 && n >= -arity)
}

func unknownCommand(args [][]byte) string {
	var b strings.Builder
	b.WriteString("ERR unknown command '")
	b.WriteString(trunc(string(args[0]), 128))
	b.WriteString("', with args beginning with: ")
	for _, a := range args[1:] {
		if b.Len() >= 128+60 {
			break
		}
		b.WriteString("'")
		b.WriteString(trunc(string(a), 128))
		b.WriteString("' ")
	}
	return b.String()
}

func trunc(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// Exec runs one checked command for a client and returns the log position
// its reply depends on: the caller waits for it to be durable before the
// reply leaves.
func (e *Engine) Exec(cl *Client, cmd *Cmd, args [][]byte, w Reply) uint64 {
	start := time.Now()
	e.mu.Lock()
	defer e.releaseOnPanic(e.mark(cl))
	before := e.lastLSN
	if msg := e.writeDenied(cmd); msg != "" {
		e.reject(cmd, w, msg)
	} else {
		e.now = e.commandTime(start)
		e.run(cl, cmd, args, w, nil)
		cmd.stat(start)
	}
	lsn := e.replyLSN(before)
	e.mu.Unlock()
	return lsn
}

// Queued is one command of a transaction.
type Queued struct {
	Cmd  *Cmd
	Args [][]byte
}

// ExecMulti runs a transaction atomically: no other client runs a command
// in between, and its changes reach the log as one record. watched is
// checked under the same lock; when one changed the reply is a null
// array and nothing runs.
func (e *Engine) ExecMulti(cl *Client, cmds []Queued, watched []Watched, w Reply) uint64 {
	e.mu.Lock()
	defer e.release(e.mark(cl))
	before := e.lastLSN
	if msg := e.multiDenied(cmds); msg != "" {
		e.stats.errors["EXECABORT"]++
		w.Error(msg)
		return e.replyLSN(before)
	}
	if !e.watchValid(watched) {
		w.NullArray()
		return e.replyLSN(before)
	}
	e.now = e.clock()
	w.Array(len(cmds))
	batch := &logBatch{}
	cl.InExec = true
	for _, q := range cmds {
		start := time.Now()
		e.run(cl, q.Cmd, q.Args, w, batch)
		q.Cmd.stat(start)
	}
	cl.InExec = false
	if len(batch.cmds) > 0 {
		e.appendLog(e.now, batch.cmds)
	}
	return e.replyLSN(before)
}

// run executes a command under the lock; its log record goes to batch, or
// straight to the log when batch is nil.
func (e *Engine) run(cl *Client, cmd *Cmd, args [][]byte, w Reply, batch *logBatch) {
	if cl.DB >= len(e.dbs) {
		cl.DB = 0
	}
	c := &e.ctx
	*c = Ctx{e: e, cl: cl, cmd: cmd, db: e.dbs[cl.DB], Args: args, W: w, Now: e.now}
	before := e.changes
	db := cl.DB
	e.call(c)
	if c.failed {
		cmd.failed++
	}
	if (e.changes == before && !c.logAlways) || e.replaying {
		return
	}
	logged := args
	if c.logArgs != nil {
		logged = c.logArgs
	}
	rec := loggedCmd{db: db, args: logged}
	if batch != nil {
		batch.cmds = append(batch.cmds, rec)
	} else {
		e.appendLog(e.now, []loggedCmd{rec})
	}
	e.touched(c.db, cmd, args)
}

// touched wakes readers blocked on the keys a write changed and
// invalidates WATCHes on them.
func (e *Engine) touched(d *DB, cmd *Cmd, args [][]byte) {
	if len(d.waiters) == 0 && len(d.versions) == 0 {
		return
	}
	wake := !cmd.Has(FlagNoWake)
	for _, i := range cmd.KeyIndexes(args) {
		k := string(args[i])
		if wake {
			e.signal(d, k)
		}
		if _, ok := d.versions[k]; ok {
			d.versions[k]++
		}
	}
}

// touchAll wakes every waiter and invalidates every WATCH of a database
// (FLUSHDB, FLUSHALL, SWAPDB).
func (e *Engine) touchAll(d *DB) {
	for k := range d.waiters {
		e.signal(d, k)
	}
	for k := range d.versions {
		d.versions[k]++
	}
}

// Now returns the current command time (for commands that need it).
func (e *Engine) Now() int64 { return e.now }
