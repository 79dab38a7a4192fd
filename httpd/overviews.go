package httpd

import (
	"context"
	"sync"
	"time"

	"sluice/kernel"
)

// overviews bounds what HTTP clients cost the engine: at most maxWalks
// walks of the keyspace run at once (others wait, or give up with their
// request), and scrapes of /metrics that arrive while one walks share its
// result rather than walk again.
type overviews struct {
	eng *kernel.Engine
	sem chan struct{}
	mu  sync.Mutex // guards flight
	// flight is the metrics walk under way, nil when none is.
	flight *flight
}

// flight is one walk that scrapes share; done is closed once o and err are set.
type flight struct {
	top  int
	done chan struct{}
	o    *kernel.Overview
	err  error
}

const (
	maxWalks    = 2
	walkTimeout = 10 * time.Second
)

func newOverviews(eng *kernel.Engine) *overviews {
	return &overviews{eng: eng, sem: make(chan struct{}, maxWalks)}
}

// get walks the keyspace as q asks, once a walk slot is free.
func (v *overviews) get(ctx context.Context, q kernel.OverviewQuery) (*kernel.Overview, error) {
	select {
	case v.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-v.sem }()
	return v.eng.Overview(q), nil
}

// forMetrics walks the keyspace keeping the top streams, or, when
// another scrape's walk is under way, waits for that one: a burst of
// scrapes costs one walk, and no scrape gets figures from before a walk
// that was still running when it arrived.
func (v *overviews) forMetrics(ctx context.Context, top int) (*kernel.Overview, error) {
	v.mu.Lock()
	f := v.flight
	if f == nil || f.top != top {
		f = &flight{top: top, done: make(chan struct{})}
		v.flight = f
		v.mu.Unlock()
		f.o, f.err = v.get(ctx, kernel.OverviewQuery{Top: top})
		v.mu.Lock()
		if v.flight == f {
			v.flight = nil
		}
		v.mu.Unlock()
		close(f.done)
		return f.o, f.err
	}
	v.mu.Unlock()
	select {
	case <-f.done:
		return f.o, f.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
