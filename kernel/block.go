package kernel

import (
	"container/list"
	"fmt"
	"runtime/debug"
	"slices"
	"time"

	"sluice/streams"
)

// WaitOn is one key a blocking read waits on: XREAD waits for entries
// after After; XREADGROUP (Group set) for entries its group has not read.
type WaitOn struct {
	Key   []byte
	Group []byte
	After streams.ID
}

// waiter is a client blocked in XREAD or XREADGROUP. A write that makes
// it servable runs its command again on the writer's goroutine, under the
// lock, in the order clients blocked (Redis's handleClientsBlockedOnKeys);
// the waiter's own goroutine then only waits for its reply to be durable.
type waiter struct {
	cl       *Client
	cmd      *Command
	args     [][]byte // the command to run again, "$" resolved
	reply    Reply
	keys     []waitKey
	deadline time.Time // zero = forever
	retryAt  time.Time // zero = only when woken; see RetryAt
	timeout  func(Reply)
	wake     chan struct{} // capacity 1: served
	served   bool
	lsn      uint64 // the record the served reply depends on
	again    bool   // the running retry blocked again
	panicked any    // what its command panicked with when a write served it
}

type waitKey struct {
	kw    *keyWaits
	group string
	after streams.ID
	list  *list.List // kw.readers or kw.groups[group]
	elem  *list.Element
}

// keyWaits are the clients blocked on one key: XREAD readers, and
// XREADGROUP readers by group, each list in blocking order. Keeping groups
// apart lets a write serve the first waiter of each group that can be
// served and skip the rest in O(1): a thousand consumers blocked on one
// group cost a write nothing more than one.
type keyWaits struct {
	db      int
	key     string
	readers list.List
	groups  map[string]*list.List
	n       int
	queued  bool   // in Engine.ready
	how     change // the strongest change since it was queued
}

type readyKey struct{ kw *keyWaits }

// mark queues kw to be served after the running command.
func (kw *keyWaits) mark(e *Engine, how change) {
	if how > kw.how {
		kw.how = how
	}
	if !kw.queued {
		kw.queued = true
		e.ready = append(e.ready, readyKey{kw})
	}
}

// Parker lets a blocked client's own goroutine wait on its connection, so
// that no other goroutine has to watch the connection for a hangup
// meanwhile (the protocol layer implements it). Park returns when Unpark
// is called (from any goroutine, before or during Park), at until (zero:
// no time), or, with gone, when the client hung up or its connection was
// closed. A return may be spurious: the waiter looks again.
type Parker interface {
	Park(until time.Time) (gone bool)
	Unpark()
}

// Block makes the command wait until a write serves it or timeoutMs (0:
// forever) passes; then onTimeout writes its reply. args is the command to
// run again, with "$" resolved. The handler writes nothing else after
// calling it. Inside MULTI nothing blocks: onTimeout is written at once.
func (c *Ctx) Block(on []WaitOn, timeoutMs int64, args [][]byte, onTimeout func(Reply)) {
	if c.cl.InExec {
		onTimeout(c.W)
		return
	}
	if w := c.cl.wait; w != nil && !w.served {
		// Run again by a write or a retry and still not servable: it keeps
		// its place in line.
		w.again = true
		return
	}
	w := &waiter{cl: c.cl, cmd: c.cmd, args: cloneArgs(args), reply: c.W, timeout: onTimeout, wake: make(chan struct{}, 1)}
	if c.cl.WaitReply != nil {
		w.reply = c.cl.WaitReply
	}
	if timeoutMs > 0 {
		w.deadline = time.Now().Add(time.Duration(timeoutMs) * time.Millisecond)
	}
	d := c.db
	for _, o := range on {
		kw := d.waits[string(o.Key)]
		if kw == nil {
			kw = &keyWaits{db: c.dbi, key: string(o.Key)}
			d.waits[kw.key] = kw
		}
		wk := waitKey{kw: kw, group: string(o.Group), after: o.After}
		l := &kw.readers
		if o.Group != nil {
			if kw.groups == nil {
				kw.groups = map[string]*list.List{}
			}
			if l = kw.groups[wk.group]; l == nil {
				l = list.New()
				kw.groups[wk.group] = l
			}
		}
		wk.list, wk.elem = l, l.PushBack(w)
		kw.n++
		w.keys = append(w.keys, wk)
	}
	c.cl.wait = w
	c.e.blocked++
}

// RetryAt makes a blocked command run again at unix ms at, even if no
// write serves it, and then block on as before: XREADGROUP CLAIM waits for
// a pending entry to turn idle, which no write announces. Call after Block.
func (c *Ctx) RetryAt(at int64) {
	if w := c.cl.wait; w != nil && !w.served {
		w.retryAt = time.UnixMilli(at)
	}
}

// Blocked reports whether the client's last command is waiting; only the
// client's own goroutine, or one holding the engine lock, may ask.
func (cl *Client) Blocked() bool { return cl.wait != nil && !cl.wait.served }

// unregister takes w off every key it waits on. The client keeps w until
// Wait has collected its answer.
func (e *Engine) unregister(w *waiter) {
	if w.keys == nil {
		return
	}
	for _, wk := range w.keys {
		kw := wk.kw
		wk.list.Remove(wk.elem)
		if wk.list != &kw.readers && wk.list.Len() == 0 {
			delete(kw.groups, wk.group)
		}
		if kw.n--; kw.n == 0 {
			if d := e.dbs[kw.db]; d.waits[kw.key] == kw {
				delete(d.waits, kw.key)
			}
		}
	}
	w.keys = nil
	e.blocked--
}

// ServeReady serves the clients blocked on the keys that commands run by
// Exec have changed. The protocol layer calls it once a connection's
// pipeline is done (and every so many commands of a long one), so the
// entries a pipeline of XADDs adds reach a waiting consumer in one reply,
// not one reply per XADD.
func (e *Engine) ServeReady() {
	if !e.readyPending.Load() {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.serveReady()
}

// serveReady serves the clients blocked on the keys the last commands
// changed, each in the order it blocked. Under the lock, after commit.
func (e *Engine) serveReady() {
	defer e.readyPending.Store(false)
	for i := 0; i < len(e.ready); i++ {
		kw := e.ready[i].kw
		how := kw.how
		kw.queued, kw.how = false, changeData
		if kw.n == 0 {
			continue
		}
		// XREAD waits through anything but new entries: a key that is
		// deleted, or holds a string for a while, is only waited on.
		rerun := how == changeKey
		for el := kw.readers.Front(); el != nil; {
			next := el.Next()
			if w := el.Value.(*waiter); e.readerReady(kw, w) {
				e.serve(w)
			}
			el = next
		}
		// Groups in name order: the same commands serve (and log) the same
		// deliveries in the same order, run after run.
		var buf [8]string
		names := buf[:0]
		for name := range kw.groups {
			names = append(names, name)
		}
		slices.Sort(names)
		for _, name := range names {
			l := kw.groups[name]
			if l == nil {
				continue
			}
			if rerun {
				for el := l.Front(); el != nil; {
					next := el.Next()
					e.serve(el.Value.(*waiter))
					el = next
				}
				continue
			}
			for l.Len() > 0 && e.groupReady(kw, name) {
				if !e.serve(l.Front().Value.(*waiter)) {
					break // not served after all: the rest could not be either
				}
			}
		}
	}
	e.ready = e.ready[:0]
}

// readerReady reports whether XREAD waiter w has entries to read on kw.
func (e *Engine) readerReady(kw *keyWaits, w *waiter) bool {
	s, ok := e.dbs[kw.db].Lookup(kw.key, e.now).(*Stream)
	if !ok || s.Len() == 0 {
		return false
	}
	for _, wk := range w.keys {
		if wk.kw == kw {
			return wk.after.Less(s.LastEntryID())
		}
	}
	return false
}

// groupReady reports whether the first XREADGROUP waiter of group on kw
// can be served: the group has entries to read, or running it again gives
// an error (the key is no stream, the group is gone).
func (e *Engine) groupReady(kw *keyWaits, group string) bool {
	s, ok := e.dbs[kw.db].Lookup(kw.key, e.now).(*Stream)
	if !ok {
		return true
	}
	g := s.Group([]byte(group))
	return g == nil || (s.Len() > 0 && g.LastID().Less(s.LastEntryID())) || g.HasReady()
}

// serve runs a waiter's command again and reports whether that answered
// it. If it did, the waiter's goroutine is told. A panic in the waiter's
// command is the waiter's, not the writer's: it is caught here and raised
// again on the waiter's goroutine (Wait), which disconnects that client.
func (e *Engine) serve(w *waiter) (served bool) {
	defer func() {
		v := recover()
		if v == nil {
			return
		}
		e.logger.Error("blocked command panicked when served", "cmd", w.cmd.FullName(), "client", w.cl.ID,
			"panic", fmt.Sprint(v), "stack", string(debug.Stack()))
		if e.rec.open || e.rec.applying {
			e.setFatal(fmt.Errorf("kernel: %s panicked and may have left state half changed: %v", w.cmd.FullName(), v))
		}
		e.rec.open, e.rec.applying = false, false
		w.panicked, w.served = v, true
		e.unregister(w)
		w.wakeUp()
		served = true
	}()
	w.again = false
	e.run(w.cl, w.cmd, w.args, w.reply)
	if w.again {
		e.commit() // a consumer's seen time, if it moved
		return false
	}
	w.lsn = e.commit()
	w.served = true
	e.unregister(w)
	w.wakeUp()
	return true
}

// wakeUp tells the waiter's goroutine it was served; once per waiter.
func (w *waiter) wakeUp() {
	w.wake <- struct{}{} // capacity 1
	if p := w.cl.Parker; p != nil {
		p.Unpark()
	}
}

// Wait sleeps until the client's blocked command has answered: served by a
// write, timed out (its timeout reply is written), or ended by the client
// hanging up (its Parker says so) or quit (the server closing; may be
// nil). It returns the LSN the reply depends on; ok is false when nothing
// was answered.
func (e *Engine) Wait(cl *Client, quit <-chan struct{}) (lsn uint64, ok bool) {
	e.mu.Lock()
	w := cl.wait
	e.mu.Unlock()
	if w == nil {
		return 0, false
	}
	defer func() {
		e.mu.Lock()
		if cl.wait == w {
			cl.wait = nil
		}
		e.mu.Unlock()
	}()
	for {
		e.mu.Lock()
		if w.served {
			e.mu.Unlock()
			if w.panicked != nil {
				panic(w.panicked)
			}
			return w.lsn, true
		}
		wakeAt, retry := w.deadline, false
		if !w.retryAt.IsZero() && (wakeAt.IsZero() || w.retryAt.Before(wakeAt)) {
			wakeAt, retry = w.retryAt, true
		}
		e.mu.Unlock()
		if p := cl.Parker; p != nil {
			if p.Park(wakeAt) {
				return e.abort(w)
			}
			if wakeAt.IsZero() || time.Now().Before(wakeAt) {
				continue // woken: served, or not yet
			}
			if !retry {
				return e.timeout(w)
			}
			e.retry(w)
			continue
		}
		var timer *time.Timer
		var fire <-chan time.Time
		if !wakeAt.IsZero() {
			timer = time.NewTimer(time.Until(wakeAt))
			fire = timer.C
		}
		select {
		case <-w.wake:
		case <-fire:
			if !retry {
				return e.timeout(w)
			}
			e.retry(w)
		case <-quit:
			return e.abort(w)
		}
		if timer != nil {
			timer.Stop()
		}
	}
}

// retry runs a waiter's command again at its retry time.
func (e *Engine) retry(w *waiter) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if w.served {
		return
	}
	w.retryAt = time.Time{}
	e.now = e.clock()
	e.serve(w)
	e.serveReady()
}

// timeout answers a waiter whose deadline passed, unless it was served
// meanwhile.
func (e *Engine) timeout(w *waiter) (uint64, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if w.served {
		if w.panicked != nil {
			panic(w.panicked)
		}
		return w.lsn, true
	}
	e.unregister(w)
	w.timeout(w.reply)
	return e.lastLSN, true
}

// abort ends a wait that nobody will read.
func (e *Engine) abort(w *waiter) (uint64, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if w.served {
		return w.lsn, true
	}
	e.unregister(w)
	return 0, false
}

// cloneArgs copies a command's arguments into one allocation: the
// protocol layer reuses its buffers once the command returns.
func cloneArgs(args [][]byte) [][]byte {
	n := 0
	for _, a := range args {
		n += len(a)
	}
	buf := make([]byte, 0, n)
	out := make([][]byte, len(args))
	for i, a := range args {
		buf = append(buf, a...)
		out[i] = buf[len(buf)-len(a) : len(buf) : len(buf)]
	}
	return out
}
