package engine

import "fmt"

// A handler that panics leaves the engine lock held and maybe half a
// change applied. The entry points that run handlers (Exec, ExecMulti,
// Retry) defer release or releaseOnPanic, which unlock and let the panic
// go on to the protocol layer, which disconnects that client only. If the
// command cannot have changed anything, the engine serves on. If it may
// have, the engine stops: the state in memory may be inconsistent, while
// the log holds every change acknowledged so far. Every later command is
// refused with ErrInternal, no snapshot is taken, and Options.OnFatal
// tells the embedder, which shuts down; the next start recovers from the
// log.
//
// A command may have changed state if it counted a change (Dirty) or
// logged one, or if it panicked inside the handler of a write command:
// handlers change state before they count it (XADD creates the stream and
// appends, then calls Dirty), so a panic there proves nothing. A panic
// before the handler ran, or in a handler that does not write, leaves
// state as it was.

// ErrInternal is the reply to a command refused after the engine stopped
// on a panic (and, from the protocol layer, to the command that panicked).
const ErrInternal = "ERR internal error"

// execMark is what an entry point notes under the lock before running
// anything, to judge afterwards whether a panic left state changed.
type execMark struct {
	cl    *Client
	dirty int64
	lsn   uint64
}

func (e *Engine) mark(cl *Client) execMark { return execMark{cl: cl, dirty: e.dirty, lsn: e.lastLSN} }

// release unlocks after a command (deferred by entry points that do not
// unlock themselves), judging a panic first.
func (e *Engine) release(m execMark) {
	if r := recover(); r != nil {
		e.panicked(m, r)
	}
	e.mu.Unlock()
}

// releaseOnPanic judges a panic and unlocks (deferred by entry points that
// unlock themselves when no panic happens).
func (e *Engine) releaseOnPanic(m execMark) {
	if r := recover(); r != nil {
		e.panicked(m, r)
	}
}

// panicked handles a handler's panic under the lock: it stops the engine
// if state may have changed, unlocks, and panics again with r.
func (e *Engine) panicked(m execMark, r any) {
	writing := e.inHandler && e.ctx.cmd.Has(FlagWrite)
	e.inHandler = false
	if writing || e.dirty != m.dirty || e.lastLSN != m.lsn {
		name := "a command"
		if e.ctx.cmd != nil {
			name = e.ctx.fullName()
		}
		err := fmt.Errorf("engine: %s panicked and may have left state half changed: %v", name, r)
		if e.fatal.CompareAndSwap(nil, &err) && e.onFatal != nil {
			// Its own goroutine: shutting down waits for running
			// commands, this one among them.
			go e.onFatal(err)
		}
	}
	// The client is disconnected: drop a wait it may have registered.
	if req := m.cl.block; req != nil {
		e.unwait(req.w)
		m.cl.block = nil
	}
	m.cl.InExec = false
	e.mu.Unlock()
	panic(r)
}

// Fatal is the error that stopped the engine, nil while it serves.
func (e *Engine) Fatal() error {
	if err := e.fatal.Load(); err != nil {
		return *err
	}
	return nil
}

// call runs a command's handler unless the engine has stopped.
func (e *Engine) call(c *Ctx) {
	if e.fatal.Load() != nil {
		c.Error(ErrInternal)
		return
	}
	if e.beforeCommand != nil {
		e.beforeCommand(c.cmd.Name)
	}
	e.inHandler = true
	c.cmd.Run(c)
	e.inHandler = false
}
