package bench

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// stampSize is the head of each e2e value: its send time in nanoseconds since
// the run started, little-endian, from the monotonic clock.
const stampSize = 8

// blockMillis is the XREADGROUP BLOCK of e2e consumers, so they notice the end.
const blockMillis = 100

// flow is a run of producers and consumer groups at the same time.
type flow struct {
	name     string
	groups   []string
	perGroup int // consumers in each group
}

func runE2E(r *run) ([]row, error) {
	return runFlow(r, flow{name: "e2e", groups: []string{group}, perGroup: r.opt.consumers})
}

func runFanout(r *run) ([]row, error) {
	groups := make([]string, r.opt.groups)
	for i := range groups {
		groups[i] = "g" + strconv.Itoa(i)
	}
	return runFlow(r, flow{name: "fanout", groups: groups, perGroup: 1})
}

func runFlow(r *run, f flow) ([]row, error) {
	o := r.opt
	if err := r.setup("DEL, XGROUP CREATE", func(p redis.Pipeliner) {
		p.Del(r.ctx, o.key)
		for _, g := range f.groups {
			p.XGroupCreateMkStream(r.ctx, o.key, g, "0")
		}
	}); err != nil {
		return nil, err
	}
	total := int64(o.total) // per group; 0: until --duration
	delivered := make([]atomic.Int64, len(f.groups))
	lastAck := make([]time.Duration, len(f.groups)*f.perGroup)
	var acked atomic.Int64
	var lat merged
	stop := r.showProgress(f.name, total*int64(len(f.groups)))
	start := time.Now()

	producersDone := make(chan struct{})
	go func() {
		defer close(producersDone)
		produceStamped(r, start, total)
	}()
	r.parallel(len(lastAck), func(id int, conn *redis.Conn) {
		h := new(histogram)
		defer lat.add(h)
		gi := id / f.perGroup
		g := f.groups[gi]
		readArgs := []any{"xreadgroup", "group", g, "c" + strconv.Itoa(id%f.perGroup),
			"count", o.count, "block", blockMillis, "streams", o.key, ">"}
		ackArgs := make([]any, 0, 3+o.count)
		for !r.stopped() && (total == 0 || delivered[gi].Load() < total) {
			rd := redis.NewXStreamSliceCmd(r.ctx, readArgs...)
			if err := conn.Process(r.ctx, rd); errors.Is(err, redis.Nil) {
				continue
			} else if err != nil {
				r.fail("XREADGROUP", 1, err)
				return
			}
			ackArgs = append(ackArgs[:0], "xack", o.key, g)
			for _, s := range rd.Val() {
				for _, m := range s.Messages {
					ackArgs = append(ackArgs, m.ID)
				}
			}
			n := int64(len(ackArgs) - 3)
			if n == 0 {
				continue
			}
			ack := redis.NewIntCmd(r.ctx, ackArgs...)
			if err := conn.Process(r.ctx, ack); err != nil {
				r.fail("XACK", 1, err)
				return
			}
			now := time.Since(start)
			for _, s := range rd.Val() {
				for _, m := range s.Messages {
					sent, ok := m.Values[valueField].(string)
					if !ok || len(sent) < stampSize {
						r.fail("XREADGROUP", 1, fmt.Errorf("entry %s has no send time in field %q", m.ID, valueField))
						return
					}
					h.Record(now - time.Duration(binary.LittleEndian.Uint64([]byte(sent[:stampSize]))))
				}
			}
			acked.Add(ack.Val())
			delivered[gi].Add(n)
			r.done.Add(n)
			lastAck[id] = now
		}
	})
	// Consumers stop on their own only once everything was delivered, so the
	// producers are done or stopping too.
	r.cancel()
	<-producersDone
	stop()
	var ops int64
	for i := range delivered {
		ops += delivered[i].Load()
	}
	var elapsed time.Duration // until the last ack
	for _, t := range lastAck {
		elapsed = max(elapsed, t)
	}
	errs, _ := r.failures()
	rows := []row{{Name: f.name, Ops: ops, Elapsed: elapsed, Latency: &lat.h, Errors: errs}}
	if errs == 0 && acked.Load() != ops {
		return rows, fmt.Errorf("XACK acknowledged %d of %d delivered entries", acked.Load(), ops)
	}
	return rows, nil
}

// produceStamped XADDs total messages (until stopped if 0) with --producers
// connections in batches of -P, each value starting with its send time.
func produceStamped(r *run, start time.Time, total int64) {
	o := r.opt
	var claimed atomic.Int64
	depth := int64(o.pipeline)
	// Each producer sends one batch per interval to reach --rate in total.
	var interval time.Duration
	if o.rate > 0 {
		interval = time.Duration(float64(time.Second) * float64(depth*int64(o.producers)) / float64(o.rate))
	}
	r.parallel(o.producers, func(id int, conn *redis.Conn) {
		buf := bytes.Repeat([]byte("x"), o.size)
		x := newXadder(conn, o.pipeline, 0, any(buf))
		keys := repeated(o.key, o.pipeline)
		p := newPacer(start.Add(interval*time.Duration(id)/time.Duration(o.producers)), interval)
		for !r.stopped() {
			first := claimed.Add(depth) - depth
			n := depth
			if total > 0 {
				n = min(depth, total-first)
			}
			if n <= 0 || !p.wait(r.ctx) {
				return
			}
			// One stamp serves the batch: its XADDs leave together.
			binary.LittleEndian.PutUint64(buf, uint64(time.Since(start)))
			if failed, err := x.exec(r.ctx, keys[:n]); err != nil {
				r.fail("XADD", failed, err)
				return
			}
		}
	})
}
