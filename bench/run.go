package bench

import (
	"context"
	"fmt"
	"io"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"
)

// run is the state one workload shares between its goroutines.
type run struct {
	ctx    context.Context // done at the first error or after --duration
	cancel context.CancelFunc
	opt    *options
	rdb    *redis.Client
	stderr io.Writer
	done   atomic.Int64 // ops finished, for progress

	errMu    sync.Mutex
	errs     map[string]int64 // failed commands by name
	firstErr error
}

// maxConns bounds the connections any workload opens, plus one for setup.
func (o *options) maxConns() int {
	return max(o.clients, o.producers+o.consumers+o.groups) + 1
}

func newRun(o *options, stderr io.Writer) *run {
	rdb := redis.NewClient(&redis.Options{
		Addr:     o.addr,
		Password: o.password,
		DB:       o.db,
		// RESP2 works with every server; identity and maintenance
		// notifications are extra round trips on each new connection.
		Protocol:                 2,
		DisableIdentity:          true,
		MaintNotificationsConfig: &maintnotifications.Config{Mode: maintnotifications.ModeDisabled},
		MaxRetries:               -1, // a retried XADD * would add a second entry
		PoolSize:                 o.maxConns(),
		DialTimeout:              5 * time.Second,
		ReadTimeout:              10 * time.Second,
		WriteTimeout:             10 * time.Second,
	})
	var ctx context.Context
	var cancel context.CancelFunc
	if o.duration > 0 {
		ctx, cancel = context.WithTimeout(context.Background(), o.duration)
	} else {
		ctx, cancel = context.WithCancel(context.Background())
	}
	return &run{ctx: ctx, cancel: cancel, opt: o, rdb: rdb, stderr: stderr, errs: map[string]int64{}}
}

func (r *run) close() {
	r.cancel()
	r.rdb.Close()
}

// fail counts n failed cmd commands and stops the run: a measurement with
// errors is not worth continuing. Failures after the stop are its echoes.
func (r *run) fail(cmd string, n int, err error) {
	r.errMu.Lock()
	defer r.errMu.Unlock()
	if r.ctx.Err() != nil {
		return
	}
	r.errs[cmd] += int64(n)
	if r.firstErr == nil {
		r.firstErr = fmt.Errorf("%s: %w", cmd, err)
	}
	r.cancel()
}

// failures returns how many of the named commands failed, all of them if
// none are named, and the first error.
func (r *run) failures(cmds ...string) (int64, error) {
	r.errMu.Lock()
	defer r.errMu.Unlock()
	var n int64
	for cmd, k := range r.errs {
		if len(cmds) == 0 || slices.Contains(cmds, cmd) {
			n += k
		}
	}
	return n, r.firstErr
}

// stopped reports whether the run was cancelled or timed out.
func (r *run) stopped() bool { return r.ctx.Err() != nil }

// parallel runs work(0..n-1) on goroutines, each with its own connection, and
// waits for all of them.
func (r *run) parallel(n int, work func(id int, conn *redis.Conn)) {
	var wg sync.WaitGroup
	for id := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			conn := r.rdb.Conn()
			defer conn.Close()
			work(id, conn)
		}()
	}
	wg.Wait()
}

// setup runs the untimed commands before a measurement; errors end the run.
func (r *run) setup(what string, cmds func(redis.Pipeliner)) error {
	_, err := r.rdb.Pipelined(r.ctx, func(p redis.Pipeliner) error { cmds(p); return nil })
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// merged collects per-goroutine histograms into one.
type merged struct {
	mu sync.Mutex
	h  histogram
}

func (m *merged) add(h *histogram) {
	m.mu.Lock()
	m.h.Merge(h)
	m.mu.Unlock()
}
