package bench

import (
	"bytes"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

func runProduce(r *run) ([]row, error) {
	o := r.opt
	keys := streamKeys(o.key, o.streams)
	if err := r.setup("DEL", func(p redis.Pipeliner) {
		for _, k := range keys {
			p.Del(r.ctx, k)
		}
	}); err != nil {
		return nil, err
	}
	boxedKeys := make([]any, len(keys))
	for i, k := range keys {
		boxedKeys[i] = k
	}
	var value any = bytes.Repeat([]byte("x"), o.size)

	var claimed atomic.Int64 // XADDs handed out to clients, numbered from 0
	var lat merged
	stop := r.showProgress("produce", int64(o.total))
	start := time.Now()
	r.parallel(o.clients, func(_ int, conn *redis.Conn) {
		h := new(histogram)
		defer lat.add(h)
		x := newXadder(conn, o.pipeline, o.maxlen, value)
		batch := make([]any, o.pipeline)
		for !r.stopped() {
			first := claimed.Add(int64(o.pipeline)) - int64(o.pipeline)
			n := min(int64(o.pipeline), int64(o.total)-first)
			if n <= 0 {
				return
			}
			for i := range batch[:n] {
				batch[i] = boxedKeys[mix(uint64(first)+uint64(i))%uint64(len(boxedKeys))]
			}
			t0 := time.Now()
			failed, err := x.exec(r.ctx, batch[:n])
			// Every command in a pipeline waits for the same round trip.
			h.RecordN(time.Since(t0), uint64(int(n)-failed))
			r.done.Add(n - int64(failed))
			if err != nil {
				r.fail("XADD", failed, err)
				return
			}
		}
	})
	elapsed := time.Since(start)
	stop()
	errs, _ := r.failures()
	return []row{{Name: "produce", Ops: r.done.Load(), Elapsed: elapsed, Latency: &lat.h, Errors: errs}}, nil
}
