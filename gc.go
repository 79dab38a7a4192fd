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
//
// Recovery allocates fast (blocks rebuilt from the log, then sealed and
// written out) while holding little, so until it ends the floor is
// gcRecoveryFloor: with 24 MB a 1M-entry replay collected 25 times and
// spent about 14% of its CPU on it and on the write barriers of
// collections running alongside.
const (
	gcPercent         = 50
	gcFloor           = 24 << 20
	gcRecoveryFloor   = 128 << 20
	gcRecoveryRetune  = 100 * time.Millisecond
	gcMinLiveEstimate = 4 << 20 // Go's own starting heap goal
)

// tuneGC keeps the GC percent at max(gcPercent, floor/live) until ctx ends;
// floor is gcRecoveryFloor until recovered is closed, then gcFloor. GOGC in
// the environment turns it off.
func tuneGC(ctx context.Context, recovered <-chan struct{}) {
	if os.Getenv("GOGC") != "" {
		return
	}
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	current := -1
	floor := gcRecoveryFloor
	set := func() {
		metrics.Read(sample)
		live := max(int(sample[0].Value.Uint64()), gcMinLiveEstimate)
		pct := max(gcPercent, floor*100/live)
		if pct != current {
			debug.SetGCPercent(pct)
			current = pct
		}
	}
	set()
	t := time.NewTicker(gcRecoveryRetune)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-recovered:
			recovered = nil
			floor = gcFloor
			t.Reset(time.Second)
			set()
		case <-t.C:
			set()
		}
	}
}
