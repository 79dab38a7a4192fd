package engine

import (
	"context"
	"sync"
	"time"
)

// genState is what the generic commands keep per engine: the active expiry
// goroutine, INFO providers, parameter hooks and counters.
type genState struct {
	// guarded by the engine lock
	infoSections map[string][]func(add func(key, value string))
	expiredKeys  int64
	expireCycles int64
	paramHooks   map[string]func(string) error

	// the active expiry goroutine
	stopMu sync.Mutex
	cancel context.CancelFunc
	done   chan struct{}
}

func (e *Engine) gen() *genState { return &e.generic }

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
// expired keys every 100 ms under the engine lock, logging each delete as
// a DEL record. It stops when ctx ends or on StopExpiry. Call it after the
// log is replayed and attached (SetLog); calling it twice is harmless.
func (e *Engine) StartExpiry(ctx context.Context) {
	g := e.gen()
	g.stopMu.Lock()
	defer g.stopMu.Unlock()
	if g.cancel != nil {
		return
	}
	ctx, g.cancel = context.WithCancel(ctx)
	g.done = make(chan struct{})
	go func(done chan struct{}) {
		defer close(done)
		t := time.NewTicker(expireInterval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				e.ExpireCycle()
			}
		}
	}(g.done)
}

// StopExpiry stops the active expiry goroutine and waits for it; call it
// before closing the log. Harmless when it was never started.
func (e *Engine) StopExpiry() {
	g := e.gen()
	g.stopMu.Lock()
	cancel, done := g.cancel, g.done
	g.cancel, g.done = nil, nil
	g.stopMu.Unlock()
	if cancel != nil {
		cancel()
		<-done
	}
}

// ExpireCycle runs one active expiry cycle (exported for tests and for an
// embedder that drives its own timer). It returns the number of keys
// deleted.
func (e *Engine) ExpireCycle() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.replaying || e.Fatal() != nil {
		return 0
	}
	start := time.Now()
	now := e.clock()
	e.gen().expireCycles++
	total := 0
	var logged []loggedCmd
	for dbi, d := range e.dbs {
		for len(d.expires) > 0 {
			sampled, expired := 0, 0
			var victims []string
			for k, at := range d.expires {
				if sampled == expireSample {
					break
				}
				sampled++
				if at <= now {
					victims = append(victims, k)
				}
			}
			for _, k := range victims {
				if e.expireKey(d, k) {
					expired++
					logged = append(logged, loggedCmd{db: dbi, args: [][]byte{[]byte("DEL"), []byte(k)}})
				}
			}
			total += expired
			if expired*4 <= sampled || time.Since(start) > expireCycleTime {
				break
			}
		}
	}
	if len(logged) > 0 {
		// One record per delete: each is a plain DEL as Redis propagates it.
		for _, l := range logged {
			e.appendLog(now, []loggedCmd{l})
		}
	}
	return total
}

// expireKey deletes an expired key as if a client had deleted it: waiters
// wake and WATCHes break. Under the lock.
func (e *Engine) expireKey(d *DB, k string) bool {
	if !d.remove(k) {
		return false
	}
	e.dirty++
	e.gen().expiredKeys++
	e.signal(d, k)
	if _, ok := d.versions[k]; ok {
		d.versions[k]++
	}
	return true
}

// keyTouched wakes waiters and breaks WATCHes on a key of any database,
// for commands that change keys outside the client's database (COPY DB,
// MOVE) or that the key positions do not describe. Under the lock.
func (e *Engine) keyTouched(d *DB, k string) {
	e.signal(d, k)
	if _, ok := d.versions[k]; ok {
		d.versions[k]++
	}
}

// lookupWrite returns the live value of key for a command about to change
// it; an expired value is dropped first so the write starts from nothing.
func (c *Ctx) lookupWrite(key string) value {
	if c.db.expired(key, c.Now) {
		c.db.remove(key)
		c.e.gen().expiredKeys++
	}
	return c.db.keys[key]
}

// getExpire returns the key's expiry in unix ms, or -1.
func (d *DB) getExpire(key string) int64 {
	if at, ok := d.expires[key]; ok {
		return at
	}
	return -1
}

// setExpire gives an existing key an absolute expiry in unix ms.
func (d *DB) setExpire(key string, at int64) {
	if _, ok := d.keys[key]; ok {
		d.expires[key] = at
	}
}
