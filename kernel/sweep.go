package kernel

import (
	"runtime"
	"time"

	"sluice/streams"
)

// agedKey is a stream with a MAXAGE, for the retention sweep.
type agedKey struct {
	db  int
	key string
}

// aging notes that key may have a MAXAGE. The sweep drops keys that no
// longer do (deleted, renamed away, limit turned off). Under the lock.
func (e *Engine) aging(db int, key string) {
	if e.aged == nil {
		e.aged = map[agedKey]struct{}{}
	}
	e.aged[agedKey{db, key}] = struct{}{}
}

// sweepStep is the most entries one step of the sweep removes while it
// holds the lock, so that a stream gone stale for hours is trimmed in
// short steps that let every client in between.
const sweepStep = 8192

// RetentionCycle trims, on every stream with a MAXAGE, the entries whose
// ID time is past it, in steps of at most sweepStep entries under the
// lock. It returns how many entries it removed and its longest lock hold.
func (e *Engine) RetentionCycle() (removed int64, longest time.Duration) {
	e.mu.Lock()
	keys := make([]agedKey, 0, len(e.aged))
	for k := range e.aged {
		keys = append(keys, k)
	}
	e.mu.Unlock()
	for _, k := range keys {
		for {
			n, held, more := e.sweepStep(k)
			removed += n
			longest = max(longest, held)
			if !more {
				break
			}
			runtime.Gosched()
		}
	}
	return removed, longest
}

// sweepStep trims one stream by one step and reports whether more is due.
func (e *Engine) sweepStep(k agedKey) (removed int64, held time.Duration, more bool) {
	e.mu.Lock()
	start := time.Now()
	defer func() {
		held = time.Since(start)
		e.stats.sweepMax = max(e.stats.sweepMax, held)
		e.mu.Unlock()
	}()
	if e.fatal.Load() != nil || e.logErr() != nil {
		return 0, 0, false // trimming is a write: not while the log is down
	}
	e.now = e.clock()
	d := e.dbs[k.db]
	s, ok := d.Lookup(k.key, e.now).(*Stream)
	if !ok || s.retention.MaxAge <= 0 {
		delete(e.aged, k)
		return 0, 0, false
	}
	minID := streams.ID{Ms: uint64(max(e.now-s.retention.MaxAge, 0))}
	if s.Len() == 0 || !s.FirstID().Less(minID) {
		return 0, 0, false
	}
	policy := KeepRef
	if s.retention.Discard == DiscardAcked {
		policy = AckedRef
	}
	c := &Ctx{e: e, cl: &Client{}, db: d, dbi: k.db, W: Discard{}, Now: e.now}
	removed = c.Trim([]byte(k.key), s, streams.Trim{ByMinID: true, MinID: minID, Limit: sweepStep}, policy)
	e.dirty += removed
	e.stats.retentionTrimmed += removed
	e.commit()
	return removed, 0, removed == sweepStep
}

// RetentionStats are the sweep's counters (INFO stats).
func (c *Ctx) RetentionStats() (trimmed int64, longest time.Duration) {
	return c.e.stats.retentionTrimmed, c.e.stats.sweepMax
}
