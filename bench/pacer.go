package bench

import (
	"context"
	"time"
)

// pacer spaces a producer's batches interval apart on a fixed schedule, so a
// late batch is followed by quicker ones and the average rate holds.
type pacer struct {
	next     time.Time
	interval time.Duration // 0: no pacing
	timer    *time.Timer
}

func newPacer(first time.Time, interval time.Duration) *pacer {
	return &pacer{next: first, interval: interval}
}

// wait blocks until the next batch is due; false if ctx ended first.
func (p *pacer) wait(ctx context.Context) bool {
	if p.interval == 0 {
		return ctx.Err() == nil
	}
	d := time.Until(p.next)
	p.next = p.next.Add(p.interval)
	if d <= 0 {
		return ctx.Err() == nil
	}
	if p.timer == nil {
		p.timer = time.NewTimer(d)
	} else {
		p.timer.Reset(d)
	}
	select {
	case <-ctx.Done():
		return false
	case <-p.timer.C:
		return true
	}
}
