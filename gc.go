package main

import (
	"context"
	"os"
	"runtime/debug"
	"runtime/metrics"
	"time"
)

// GC pacing. Entries live in pointer-free blocks, so a collection has little
// to mark and collecting often is cheap: the heap may grow 50% over the live
// data, not Go's 100%, which keeps RSS near the data a broker holds. But a
// queue's working set is often small, and 50% of a few megabytes means a
// collection every few thousand messages, each taking the one CPU from
// replies. So the heap is also allowed at least gcFloor of garbage. With
// sealed blocks on disk the live heap of a long stream is small and the
// floor is most of the memory sluice takes: 24 MB (was 32) measured about
// 45 bytes of RSS per entry for 1M XADDs with collections at ~4% of the
// CPU under full XADD load.
const (
	gcPercent = 50
	gcFloor   = 24 << 20
)

// tuneGC keeps the GC percent at max(gcPercent, gcFloor/live) until ctx
// ends. GOGC in the environment turns it off.
func tuneGC(ctx context.Context) {
	if os.Getenv("GOGC") != "" {
		return
	}
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	current := -1
	set := func() {
		metrics.Read(sample)
		live := int(sample[0].Value.Uint64())
		pct := gcPercent
		if live > 0 && gcFloor*100/live > pct {
			pct = gcFloor * 100 / live
		}
		if pct != current {
			debug.SetGCPercent(pct)
			current = pct
		}
	}
	set()
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			set()
		}
	}
}
