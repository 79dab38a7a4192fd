package engine

import (
	"container/list"
	"time"
)

// blockReq is what a blocking command leaves on its client when it found
// nothing: the keys to wait on, the deadline and the arguments to run again
// (with "$" resolved, so a retry waits for what came after the first try).
type blockReq struct {
	w        *waiter
	deadline time.Time // zero = forever
	retryAt  time.Time // zero = only when woken; see RetryAt
	args     [][]byte
	timeout  func(Reply)
}

type waiter struct {
	ch   chan struct{}
	db   *DB
	keys []string
	elem []*list.Element
}

type waitList struct{ l list.List }

// Block makes the command wait: the protocol layer sleeps until a write to
// one of keys or the deadline, then runs args again. onTimeout writes the
// reply when the deadline passes. Inside MULTI nothing blocks: onTimeout
// is written at once.
func (c *Ctx) Block(keys [][]byte, timeoutMs int64, args [][]byte, onTimeout func(Reply)) {
	if c.cl.InExec || c.e.replaying {
		onTimeout(c.W)
		return
	}
	req := c.cl.block
	if req == nil {
		req = &blockReq{}
		if timeoutMs > 0 {
			req.deadline = time.Now().Add(time.Duration(timeoutMs) * time.Millisecond)
		}
	}
	req.args, req.timeout = args, onTimeout
	w := &waiter{ch: make(chan struct{}, 1), db: c.db}
	for _, k := range keys {
		ks := string(k)
		wl := c.db.waiters[ks]
		if wl == nil {
			wl = &waitList{}
			c.db.waiters[ks] = wl
		}
		w.keys = append(w.keys, ks)
		w.elem = append(w.elem, wl.l.PushBack(w))
	}
	req.w = w
	c.cl.block = req
	c.e.blocked++
}

// RetryAt makes a blocked command run again at unix ms at, even if no write
// wakes it, and then block on as before: XREADGROUP CLAIM waits for a
// pending entry to turn idle, which no write announces. Call after Block.
func (c *Ctx) RetryAt(at int64) {
	if req := c.cl.block; req != nil && req.w != nil {
		req.retryAt = time.UnixMilli(at)
	}
}

// Blocked reports whether the client's last command is waiting to be served.
func (cl *Client) Blocked() bool { return cl.block != nil }

// Wait sleeps until the blocked client may retry (true) or its deadline
// passed (false). Closing quit or gone ends the wait early (the server
// closing, the client hanging up); either may be nil.
func (e *Engine) Wait(cl *Client, quit, gone <-chan struct{}) bool {
	req := cl.block
	wake, retry := req.deadline, false
	if !req.retryAt.IsZero() && (wake.IsZero() || req.retryAt.Before(wake)) {
		wake, retry = req.retryAt, true
	}
	var timer <-chan time.Time
	if !wake.IsZero() {
		d := time.Until(wake)
		if d <= 0 {
			return retry
		}
		t := time.NewTimer(d)
		defer t.Stop()
		timer = t.C
	}
	select {
	case <-req.w.ch:
		return true
	case <-timer:
		return retry
	case <-quit:
		return false
	case <-gone:
		return false
	}
}

// Retry runs a woken client's command again. If it blocks again the
// client keeps its deadline.
func (e *Engine) Retry(cl *Client, w Reply) (uint64, bool) {
	req := cl.block
	e.mu.Lock()
	defer e.releaseOnPanic(e.mark(cl))
	e.unwait(req.w)
	cl.block = nil
	e.now = e.clock()
	cmd, _ := Check(req.args)
	if cmd == nil {
		e.mu.Unlock()
		return 0, false
	}
	before := e.lastLSN
	if msg := e.writeDenied(cmd); msg != "" {
		// woken (by an expiry, say) after the log failed: serving it
		// would change the group, which cannot be logged
		e.reject(cmd, w, msg)
		e.mu.Unlock()
		return 0, false
	}
	cl.block = req // keep the deadline for a second wait
	req.w, req.retryAt = nil, time.Time{}
	e.run(cl, cmd, req.args, w, nil)
	if cl.block == req && req.w == nil {
		cl.block = nil // served
	}
	lsn := e.replyLSN(before)
	e.mu.Unlock()
	return lsn, cl.block != nil
}

// Timeout ends a client's wait and writes its timeout reply.
func (e *Engine) Timeout(cl *Client, w Reply) {
	e.mu.Lock()
	req := cl.block
	e.unwait(req.w)
	cl.block = nil
	e.mu.Unlock()
	req.timeout(w)
}

func (e *Engine) unwait(w *waiter) {
	if w == nil {
		return
	}
	for i, k := range w.keys {
		if wl := w.db.waiters[k]; wl != nil {
			wl.l.Remove(w.elem[i])
			if wl.l.Len() == 0 {
				delete(w.db.waiters, k)
			}
		}
	}
	e.blocked--
}

// signal wakes the waiters on key in the order they blocked.
func (e *Engine) signal(d *DB, key string) {
	wl := d.waiters[key]
	if wl == nil {
		return
	}
	for el := wl.l.Front(); el != nil; el = el.Next() {
		select {
		case el.Value.(*waiter).ch <- struct{}{}:
		default:
		}
	}
}

// BlockedClients counts clients waiting in a blocking command.
func (e *Engine) BlockedClients() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.blocked
}
