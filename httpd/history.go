package httpd

import (
	"context"
	"fmt"
	"runtime/debug"
	"sync"
	"time"

	"sluice/kernel"
)

// The page's charts show the last 15 minutes of rates and lag. A sampler
// on the server keeps them, so a page opened now shows the past 15
// minutes at once: every sampleEvery it walks the keyspace for totals
// only (nothing per stream is kept). The walk costs about a microsecond
// per key; if it takes longer than walkBudget of the interval, the
// interval stretches, so that a huge keyspace costs at most that share of
// one core (the charts then have fewer points).
const (
	sampleEvery   = 2 * time.Second
	historySpan   = 15 * time.Minute
	historyPoints = int(historySpan / sampleEvery)
	walkBudget    = 0.01 // of the time between samples
)

// sample is one point: totals at time t (unix ms).
type sample struct {
	t                                     int64
	added, delivered, acked, deadLettered int64
	lag, pending                          int64
	streams, groups, consumers, blocked   int
}

// Point is one point of /api/v1/history: the rates are per second over
// the time since the point before.
type Point struct {
	T              int64   `json:"t"` // unix ms
	Produced       float64 `json:"produced_per_sec"`
	Delivered      float64 `json:"delivered_per_sec"`
	Acked          float64 `json:"acked_per_sec"`
	DeadLettered   float64 `json:"dead_lettered_per_sec"`
	Lag            int64   `json:"lag"`
	Pending        int64   `json:"pending"`
	Streams        int     `json:"streams"`
	Groups         int     `json:"groups"`
	Consumers      int     `json:"consumers"`
	BlockedClients int     `json:"blocked_clients"`
}

// history is a ring of the last historyPoints samples.
type history struct {
	mu   sync.Mutex
	ring []sample
	next int // where the next sample goes once the ring is full
}

func newHistory() *history { return &history{ring: make([]sample, 0, historyPoints)} }

func (h *history) add(s sample) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.ring) < historyPoints {
		h.ring = append(h.ring, s)
		return
	}
	h.ring[h.next] = s
	h.next = (h.next + 1) % historyPoints
}

// points returns the points after since (unix ms), oldest first. The
// first sample has no point: a rate needs two.
func (h *history) points(since int64) []Point {
	h.mu.Lock()
	ordered := make([]sample, 0, len(h.ring))
	ordered = append(ordered, h.ring[h.next:]...)
	ordered = append(ordered, h.ring[:h.next]...)
	h.mu.Unlock()
	out := []Point{}
	for i := 1; i < len(ordered); i++ {
		a, b := ordered[i-1], ordered[i]
		if b.t <= since {
			continue
		}
		secs := float64(b.t-a.t) / 1000
		if secs <= 0 {
			continue
		}
		rate := func(x, y int64) float64 { return float64(max(y-x, 0)) / secs } // a deleted stream takes its counts away
		out = append(out, Point{T: b.t, Produced: rate(a.added, b.added), Delivered: rate(a.delivered, b.delivered),
			Acked: rate(a.acked, b.acked), DeadLettered: rate(a.deadLettered, b.deadLettered),
			Lag: b.lag, Pending: b.pending, Streams: b.streams, Groups: b.groups, Consumers: b.consumers,
			BlockedClients: b.blocked})
	}
	return out
}

// sample runs until Close, taking a sample every sampleEvery or more.
func (s *Server) sample() {
	wait := time.Duration(0)
	for {
		select {
		case <-s.stop:
			return
		case <-time.After(wait):
		}
		start := time.Now()
		s.sampleOnce()
		wait = max(sampleEvery, time.Duration(float64(time.Since(start))/walkBudget))
	}
}

// sampleOnce adds one point; a panic is logged and the sampler goes on,
// as a handler's would.
func (s *Server) sampleOnce() {
	defer func() {
		if v := recover(); v != nil {
			s.log.Error("history sample panicked", "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), walkTimeout)
	defer cancel()
	if o, err := s.overviews.get(ctx, kernel.OverviewQuery{}); err == nil {
		s.history.add(sampleOf(o))
	}
}

func sampleOf(o *kernel.Overview) sample {
	a := &o.All
	return sample{t: o.Now, added: int64(a.EntriesAdded), delivered: a.Delivered, acked: a.Acked,
		deadLettered: a.DeadLettered, lag: a.Lag, pending: a.Pending, streams: a.Streams, groups: a.Groups,
		consumers: a.Consumers, blocked: o.Blocked}
}
