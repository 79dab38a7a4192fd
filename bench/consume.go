package bench

import (
	"bytes"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// fillBatch is the pipeline depth of the untimed pre-fill.
const fillBatch = 100

// group is the consumer group of the single-group workloads.
const group = "g"

func runConsume(r *run) ([]row, error) {
	o := r.opt
	if err := r.setup("DEL", func(p redis.Pipeliner) { p.Del(r.ctx, o.key) }); err != nil {
		return nil, err
	}
	if err := fill(r); err != nil {
		return nil, err
	}
	if err := r.setup("XGROUP CREATE", func(p redis.Pipeliner) { p.XGroupCreate(r.ctx, o.key, group, "0") }); err != nil {
		return nil, err
	}
	if o.orderBy {
		if err := r.setup("XGROUP CONFIG", func(p redis.Pipeliner) {
			p.Do(r.ctx, "xgroup", "config", o.key, group, "orderby", keyField)
		}); err != nil {
			return nil, err
		}
	}

	r.done.Store(0)
	var read, acked atomic.Int64
	var readLat, ackLat merged
	stop := r.showProgress("consume", int64(o.total))
	start := time.Now()
	r.parallel(o.clients, func(id int, conn *redis.Conn) {
		readH, ackH := new(histogram), new(histogram)
		defer readLat.add(readH)
		defer ackLat.add(ackH)
		// No BLOCK: nothing is written meanwhile, so an empty reply means
		// drained; but with --orderby it may mean every key left has an
		// entry pending elsewhere, and the consumer waits for an ack.
		readArgs := []any{"xreadgroup", "group", group, fmt.Sprintf("c%d", id), "count", o.count, "streams", o.key, ">"}
		if o.orderBy {
			readArgs = []any{"xreadgroup", "group", group, fmt.Sprintf("c%d", id), "count", o.count, "block", 10, "streams", o.key, ">"}
		}
		ackArgs := make([]any, 0, 3+o.count)
		for !r.stopped() {
			t0 := time.Now()
			rd := redis.NewXStreamSliceCmd(r.ctx, readArgs...)
			err := conn.Process(r.ctx, rd)
			readH.Record(time.Since(t0))
			if errors.Is(err, redis.Nil) {
				if o.orderBy && r.done.Load() < int64(o.total) {
					continue
				}
				return
			} else if err != nil {
				r.fail("XREADGROUP", 1, err)
				return
			}
			ackArgs = append(ackArgs[:0], "xack", o.key, group)
			for _, s := range rd.Val() {
				for _, m := range s.Messages {
					ackArgs = append(ackArgs, m.ID)
				}
			}
			n := int64(len(ackArgs) - 3)
			if n == 0 {
				return
			}
			read.Add(n)
			t1 := time.Now()
			ack := redis.NewIntCmd(r.ctx, ackArgs...)
			err = conn.Process(r.ctx, ack)
			ackH.Record(time.Since(t1))
			if err != nil {
				r.fail("XACK", 1, err)
				return
			}
			acked.Add(ack.Val())
			r.done.Add(n)
		}
	})
	elapsed := time.Since(start)
	stop()
	readErrs, _ := r.failures("XREADGROUP")
	ackErrs, _ := r.failures("XACK")
	rows := []row{
		{Name: "consume-read", Ops: read.Load(), Elapsed: elapsed, Latency: &readLat.h, Errors: readErrs},
		{Name: "consume-ack", Ops: acked.Load(), Elapsed: elapsed, Latency: &ackLat.h, Errors: ackErrs},
	}
	if readErrs+ackErrs == 0 && (read.Load() != int64(o.total) || acked.Load() != int64(o.total)) {
		return rows, fmt.Errorf("read %d and acked %d entries of %d", read.Load(), acked.Load(), o.total)
	}
	return rows, nil
}

// fill writes -n entries to the stream with all clients, pipelined, untimed.
func fill(r *run) error {
	o := r.opt
	var claimed atomic.Int64
	value := any(bytes.Repeat([]byte("x"), o.size))
	keys := repeated(o.key, fillBatch)
	stop := r.showProgress("consume: filling", int64(o.total))
	r.parallel(o.clients, func(_ int, conn *redis.Conn) {
		x := newXadder(conn, fillBatch, 0, value)
		if o.keys > 0 {
			x.withKeys(o.keys)
		}
		for !r.stopped() {
			first := claimed.Add(fillBatch) - fillBatch
			n := min(fillBatch, int64(o.total)-first)
			if n <= 0 {
				return
			}
			x.seq = uint64(first)
			failed, err := x.exec(r.ctx, keys[:n])
			r.done.Add(n - int64(failed))
			if err != nil {
				r.fail("XADD", failed, err)
				return
			}
		}
	})
	stop()
	if n, err := r.failures(); n > 0 {
		return fmt.Errorf("filling the stream: %w", err)
	}
	return nil
}
