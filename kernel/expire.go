package kernel

import (
	"context"
	"sync"
	"time"
)

// expiry is the active expiry goroutine.
type expiry struct {
	mu     sync.Mutex
	cancel context.CancelFunc
	done   chan struct{}
}

// Active expiry parameters, as Redis's activeExpireCycle (hz 10): every
// 100 ms sample up to 20 keys with an expiry per database, delete the
// expired ones, and sample again while more than a quarter of a sample had
// expired, for at most 25 ms per cycle.
const (
	expireInterval  = 100 * time.Millisecond
	expireSample    = 20
	expireCycleTime = 25 * time.Millisecond
)

// StartExpiry starts the active expiry cycle: a goroutine that deletes
// expired keys every 100 ms under the engine lock, logging each delete,
// and trims streams past their MAXAGE (RetentionCycle).
// It stops when ctx ends or on StopExpiry. Call it after the log is
// replayed and attached; calling it twice is harmless.
func (e *Engine) StartExpiry(ctx context.Context) {
	x := &e.expiry
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.cancel != nil {
		return
	}
	ctx, x.cancel = context.WithCancel(ctx)
	x.done = make(chan struct{})
	go func(done chan struct{}) {
		defer close(done)
		e.sampleMemory() // from the start, not a tick later: maxmemory and metrics read it
		t := time.NewTicker(expireInterval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				e.sampleMemory()
				e.ExpireCycle()
				e.RetentionCycle()
			}
		}
	}(x.done)
}

// StopExpiry stops the active expiry goroutine and waits for it; call it
// before closing the log. Harmless when it was never started.
func (e *Engine) StopExpiry() {
	x := &e.expiry
	x.mu.Lock()
	cancel, done := x.cancel, x.done
	x.cancel, x.done = nil, nil
	x.mu.Unlock()
	if cancel != nil {
		cancel()
		<-done
	}
}

// ExpireCycle runs one active expiry cycle and returns the number of keys
// it deleted; their deletes go to the log as one record.
func (e *Engine) ExpireCycle() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.fatal.Load() != nil || e.logErr() != nil {
		return 0 // deleting is a write: not while the log is down
	}
	start := time.Now()
	e.now = e.clock()
	e.stats.expireCycles++
	total := 0
	for dbi, d := range e.dbs {
		for len(d.expires) > 0 {
			sampled, expired := 0, 0
			var victims []string
			for k, at := range d.expires {
				if sampled == expireSample {
					break
				}
				sampled++
				if at <= e.now {
					victims = append(victims, k)
				}
			}
			for _, k := range victims {
				e.begin(dbi, []byte(k), opDel)
				if e.applyDel(dbi, []byte(k)) {
					e.dirty++
					e.stats.expiredKeys++
					expired++
				}
			}
			total += expired
			if expired*4 <= sampled || time.Since(start) > expireCycleTime {
				break
			}
		}
	}
	e.commit()
	e.serveReady()
	return total
}
