package kernel_test

import (
	"fmt"
	"testing"

	"sluice/kernel"
)

// overviewEngine makes n streams s0..s(n-1), stream i with i+1 entries.
func overviewEngine(t testing.TB, n int) (*kernel.Engine, *int64) {
	t.Helper()
	clock := int64(1_000_000)
	e := newEngine(&clock)
	for i := range n {
		for j := range i + 1 {
			exec(t, e, nil, "XADD", fmt.Sprint("s", i), fmt.Sprintf("%d-%d", 1000+j, 1), "f", "v")
		}
	}
	return e, &clock
}

func TestOverviewTopRestAndTotals(t *testing.T) {
	e, _ := overviewEngine(t, 50)
	exec(t, e, nil, "SET", "plain", "x") // not a stream: counted as a key only
	o := e.Overview(kernel.OverviewQuery{Top: 5})
	if o.Keys != 51 || o.Streams != 50 || o.Matched != 50 {
		t.Fatalf("keys %d streams %d matched %d", o.Keys, o.Streams, o.Matched)
	}
	if len(o.Top) != 5 {
		t.Fatalf("top %d", len(o.Top))
	}
	for i, sv := range o.Top {
		if want := fmt.Sprint("s", 49-i); sv.Key != want || sv.Length != uint64(50-i) {
			t.Fatalf("top[%d] = %s len %d, want %s", i, sv.Key, sv.Length, want)
		}
	}
	// 1+2+...+50 entries in all, 46+47+48+49+50 of them in the top five.
	if o.All.Length != 1275 || o.All.Streams != 50 || o.Rest.Streams != 45 || o.Rest.Length != 1275-240 {
		t.Fatalf("all %+v rest %+v", o.All, o.Rest)
	}
	if o.All.FirstMs != 1000 || o.All.LastMs != 1049 {
		t.Fatalf("first %d last %d", o.All.FirstMs, o.All.LastMs)
	}

	// Paging skips the longest; a match selects by name, ignoring case.
	o = e.Overview(kernel.OverviewQuery{Top: 2, Skip: 3})
	if len(o.Top) != 2 || o.Top[0].Key != "s46" || o.Skipped != 3 || o.Rest.Streams != 48 {
		t.Fatalf("page: %d %v skipped %d rest %d", len(o.Top), o.Top, o.Skipped, o.Rest.Streams)
	}
	o = e.Overview(kernel.OverviewQuery{Top: 10, Match: "S4"})
	if o.Matched != 11 || len(o.Top) != 10 || o.Top[0].Key != "s49" || o.Top[9].Key != "s40" {
		t.Fatalf("match: matched %d top %v", o.Matched, o.Top)
	}
}

func TestOverviewGroups(t *testing.T) {
	e, _ := overviewEngine(t, 3) // s2 has 3 entries
	for _, g := range []string{"a", "b", "c"} {
		exec(t, e, nil, "XGROUP", "CREATE", "s2", g, "0")
	}
	exec(t, e, nil, "XREADGROUP", "GROUP", "a", "alice", "COUNT", "2", "STREAMS", "s2", ">")
	exec(t, e, nil, "XACK", "s2", "a", "1000-1")
	exec(t, e, nil, "XREADGROUP", "GROUP", "b", "bob", "STREAMS", "s2", ">")
	o := e.Overview(kernel.OverviewQuery{Top: 1, MaxGroups: 2, Consumers: 10})
	sv := o.Top[0]
	if len(sv.Groups) != 2 || sv.OtherGroups.Groups != 1 || sv.OtherGroups.Lag != 3 {
		t.Fatalf("groups %+v other %+v", sv.Groups, sv.OtherGroups)
	}
	a := sv.Groups[0]
	if a.Name != "a" || a.Lag != 1 || !a.LagKnown || a.Pending != 1 || a.Consumers != 1 ||
		a.Delivered != 2 || a.Acked != 1 || a.OldestPending.String() != "1001-1" {
		t.Fatalf("group a: %+v", a)
	}
	if len(a.ConsumerList) != 1 || a.ConsumerList[0].Name != "alice" || a.ConsumerList[0].Pending != 1 {
		t.Fatalf("consumers of a: %+v", a.ConsumerList)
	}
	if b := sv.Groups[1]; b.Lag != 0 || b.Pending != 3 || b.Delivered != 3 {
		t.Fatalf("group b: %+v", b)
	}
	if o.All.Groups != 3 || o.All.Pending != 4 || o.All.Lag != 4 || o.All.OldestPendingMs != 1000 {
		t.Fatalf("totals %+v", o.All.GroupTotals)
	}
}

// The walk takes the lock a chunk of keys at a time: with 20,000 streams
// no hold covers more than 256 of them. Run with -v for the figures.
func TestOverviewLockChunks20k(t *testing.T) {
	clock := int64(1_000_000)
	e := newEngine(&clock)
	const n = 20000
	for i := range n {
		exec(t, e, nil, "XADD", fmt.Sprint("k", i), "1-1", "f", "v")
	}
	o := e.Overview(kernel.OverviewQuery{Top: 100})
	if o.Streams != n || len(o.Top) != 100 || o.Rest.Streams != n-100 {
		t.Fatalf("streams %d top %d rest %d", o.Streams, len(o.Top), o.Rest.Streams)
	}
	if o.Locks < n/256 {
		t.Fatalf("%d lock holds for %d keys: not chunked", o.Locks, n)
	}
	t.Logf("20000 streams: %d lock holds, %v in all, longest %v", o.Locks, o.LockHeld, o.MaxLockHold)
}

func BenchmarkOverview20k(b *testing.B) {
	clock := int64(1_000_000)
	e := newEngine(&clock)
	for i := range 20000 {
		exec(b, e, nil, "XADD", fmt.Sprint("k", i), "1-1", "f", "v")
		if i%10 == 0 {
			exec(b, e, nil, "XGROUP", "CREATE", fmt.Sprint("k", i), "g", "0")
		}
	}
	var longest, held, locks int64
	for b.Loop() {
		o := e.Overview(kernel.OverviewQuery{Top: 100})
		longest = max(longest, o.MaxLockHold.Nanoseconds())
		held += o.LockHeld.Nanoseconds()
		locks += int64(o.Locks)
	}
	b.ReportMetric(float64(longest)/1e3, "max-lock-µs")
	b.ReportMetric(float64(held)/float64(locks)/1e3, "mean-lock-µs")
	b.ReportMetric(float64(held)/float64(b.N)/1e6, "lock-ms/op")
}

// Delivered and acked count what this process saw: replay counts nothing,
// so they start from 0 after a restart.
func TestTrafficNotReplayed(t *testing.T) {
	clock := int64(1_000_000)
	e := newEngine(&clock)
	log := &memLog{}
	e.SetLog(log)
	exec(t, e, nil, "XADD", "s", "1-1", "f", "v")
	exec(t, e, nil, "XGROUP", "CREATE", "s", "g", "0")
	exec(t, e, nil, "XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">")
	exec(t, e, nil, "XACK", "s", "g", "1-1")
	if g := e.Overview(kernel.OverviewQuery{Top: 1}).Top[0].Groups[0]; g.Delivered != 1 || g.Acked != 1 {
		t.Fatalf("live: %+v", g.Traffic)
	}
	r := newEngine(&clock)
	for i, rec := range log.recs {
		if err := r.Replay(uint64(i+1), rec.typ, rec.body); err != nil {
			t.Fatal(err)
		}
	}
	g := r.Overview(kernel.OverviewQuery{Top: 1}).Top[0].Groups[0]
	if g.Delivered != 0 || g.Acked != 0 || g.Pending != 0 || g.Lag != 0 {
		t.Fatalf("replayed: %+v", g)
	}
}
