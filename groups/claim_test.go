package groups

import (
	"testing"

	"sluice/streams"
)

func TestClaim(t *testing.T) {
	g := New("g", streams.MinID, 0)
	a := deliver(g, "a", 100, 1, 2, 3)
	b, _ := g.Seen([]byte("b"), 150)
	claim := func(ms uint64, args ClaimArgs) bool {
		if args.RetryCount == 0 {
			args.RetryCount = -1
		}
		return claimNow(g, id(ms), b, args, 150)
	}
	if claim(1, ClaimArgs{MinIdle: 60, DeliveryTime: 150}) {
		t.Fatal("claimed an entry idle for 50ms with min-idle 60")
	}
	if !claim(1, ClaimArgs{MinIdle: 50, DeliveryTime: 150}) {
		t.Fatal("min-idle 50")
	}
	if n := nack(t, g, 1); g.Owner(n) != b || n.DeliveryCount != 2 || n.DeliveryTime != 150 {
		t.Fatalf("claimed %+v", n)
	}
	if b.ActiveTime() != 150 || a.PendingLen() != 2 || b.PendingLen() != 1 {
		t.Fatal("ownership not moved")
	}
	claim(2, ClaimArgs{DeliveryTime: 120, JustID: true})
	if n := nack(t, g, 2); n.DeliveryCount != 1 || n.DeliveryTime != 120 {
		t.Fatalf("JUSTID/IDLE claim %+v", n)
	}
	claim(3, ClaimArgs{DeliveryTime: 150, RetryCount: 7})
	if n := nack(t, g, 3); n.DeliveryCount != 7 {
		t.Fatalf("RETRYCOUNT claim %+v", n)
	}
	if claim(9, ClaimArgs{DeliveryTime: 150}) {
		t.Fatal("claimed an entry that is not pending")
	}
	if !claim(9, ClaimArgs{MinIdle: 1000, DeliveryTime: 150, Force: true}) {
		t.Fatal("FORCE must create the entry whatever min-idle says")
	}
	if n := nack(t, g, 9); g.Owner(n) != b || n.DeliveryCount != 2 {
		t.Fatalf("forced %+v", n)
	}
	check(t, g)
	// A released entry has no idle time to check.
	releaseNow(g, id(9), Fail, -1, false, all)
	if !claimNow(g, id(9), a, ClaimArgs{MinIdle: 1000, DeliveryTime: 151, RetryCount: -1}, 151) {
		t.Fatal("released entry not claimable")
	}
	check(t, g)
}

func TestAutoClaim(t *testing.T) {
	g := New("g", streams.MinID, 0)
	deliver(g, "a", 100, 1, 2, 3, 4, 5, 6)
	redeliver(g, id(3), 190) // not idle enough below
	b, _ := g.Seen([]byte("b"), 200)
	gone := func(x streams.ID) bool { return x != id(2) }

	next, claimed, deleted := autoClaimNow(g, b, id(1), 50, 2, false, 200, gone, nil, nil)
	// 1 is claimed, 2 is gone and uses up the count.
	if next != id(3) || len(claimed) != 1 || claimed[0] != id(1) || len(deleted) != 1 || deleted[0] != id(2) {
		t.Fatalf("first call: next %v claimed %v deleted %v", next, claimed, deleted)
	}
	if _, ok := g.Lookup(id(2)); ok {
		t.Fatal("gone entry still pending")
	}
	if n := nack(t, g, 1); g.Owner(n) != b || n.DeliveryCount != 2 || n.DeliveryTime != 200 {
		t.Fatalf("auto-claimed %+v", n)
	}
	next, claimed, _ = autoClaimNow(g, b, next, 50, 10, true, 200, all, claimed[:0], nil)
	if next != streams.MinID || len(claimed) != 3 || claimed[0] != id(4) {
		t.Fatalf("second call: next %v claimed %v", next, claimed)
	}
	if n := nack(t, g, 4); n.DeliveryCount != 1 {
		t.Fatalf("JUSTID counted a delivery: %+v", n)
	}
	check(t, g)
}

func TestAutoClaimAttempts(t *testing.T) {
	g := New("g", streams.MinID, 0)
	for ms := uint64(1); ms <= 25; ms++ {
		deliver(g, "a", 100, ms)
	}
	b, _ := g.Seen([]byte("b"), 100)
	// Nothing is idle: COUNT 2 looks at 20 entries and stops at the 21st.
	next, claimed, _ := autoClaimNow(g, b, streams.MinID, 10, 2, false, 100, all, nil, nil)
	if next != id(21) || len(claimed) != 0 {
		t.Fatalf("next %v claimed %v", next, claimed)
	}
	// The cursor past the last possible ID ends the scan.
	g.Deliver(streams.MaxID, b, 100)
	next, claimed, _ = autoClaimNow(g, b, streams.MaxID, 0, 5, false, 100, all, nil, nil)
	if next != streams.MinID || len(claimed) != 1 {
		t.Fatalf("at MaxID: next %v claimed %v", next, claimed)
	}
}

func TestClaimIdleOrder(t *testing.T) {
	g := New("g", streams.MinID, 0)
	deliver(g, "a", 300, 1)
	deliver(g, "a", 100, 2)
	deliver(g, "a", 200, 3)
	deliver(g, "a", 100, 4) // same time as 2, placed later
	deliver(g, "a", 900, 5) // not idle
	releaseNow(g, id(3), Silent, -1, false, all)
	releaseNow(g, id(1), Fail, -1, false, all)
	b, _ := g.Seen([]byte("b"), 1000)

	type got struct {
		ms         uint64
		idle, dels int64
	}
	var out []got
	emit := func(x streams.ID, idle, dels int64) { out = append(out, got{x.Ms, idle, dels}) }
	n := claimIdleNow(g, b, 500, 0, 1000, func(x streams.ID) bool { return x != id(4) }, emit)
	want := []got{
		{3, 1000, 0}, // released first, in the order released; SILENT undid the delivery
		{1, 1000, 1},
		{2, 900, 1}, // then by delivery time; 4 is gone and skipped
	}
	if n != 3 || len(out) != 3 {
		t.Fatalf("claimed %d: %v", n, out)
	}
	for i := range want {
		if out[i] != want[i] {
			t.Fatalf("claim %d: got %v, want %v", i, out[i], want[i])
		}
	}
	if x := nack(t, g, 2); g.Owner(x) != b || x.DeliveryCount != 2 || x.DeliveryTime != 1000 {
		t.Fatalf("claimed %+v", x)
	}
	if x := nack(t, g, 4); x.DeliveryTime != 100 {
		t.Fatal("a skipped entry must stay where it is")
	}
	if b.ActiveTime() != 1000 {
		t.Fatal("active time")
	}
	check(t, g)

	// Zero min-idle with a count: each entry at most once, oldest first.
	out = out[:0]
	if n := claimIdleNow(g, b, 0, 2, 1000, all, emit); n != 2 || out[0].ms != 4 || out[1].ms != 5 {
		t.Fatalf("min-idle 0: %v", out)
	}
	out = out[:0]
	if n := claimIdleNow(g, b, 0, 0, 1000, all, emit); n != 5 {
		t.Fatalf("claimed %d, want each of 5 once: %v", n, out)
	}
	check(t, g)
}

func TestFirstIdle(t *testing.T) {
	g := New("g", streams.MinID, 0)
	if _, ok := g.FirstIdle(all); ok {
		t.Fatal("empty group")
	}
	deliver(g, "a", 100, 1)
	deliver(g, "a", 200, 2)
	if tm, ok := g.FirstIdle(func(x streams.ID) bool { return x != id(1) }); !ok || tm != 200 {
		t.Fatalf("first idle %d %v", tm, ok)
	}
	releaseNow(g, id(2), Fail, -1, false, all)
	if tm, _ := g.FirstIdle(all); tm != 0 {
		t.Fatalf("released entries come first, got %d", tm)
	}
}

func TestRelease(t *testing.T) {
	g := New("g", streams.MinID, 0)
	a := deliver(g, "a", 100, 1, 2, 3, 4)
	redeliver(g, id(2), 110)
	cases := []struct {
		ms    uint64
		mode  ReleaseMode
		retry int64
		want  int64
	}{
		{1, Silent, -1, 0},
		{2, Fail, -1, 2},
		{3, Fatal, -1, MaxDeliveries},
		{4, Fatal, 5, 5},
	}
	for _, c := range cases {
		if !releaseNow(g, id(c.ms), c.mode, c.retry, false, all) {
			t.Fatalf("release %d", c.ms)
		}
		if n := nack(t, g, c.ms); n.DeliveryCount != c.want || g.Owner(n) != nil || n.DeliveryTime != 0 {
			t.Fatalf("released %+v, want count %d", n, c.want)
		}
	}
	if a.PendingLen() != 0 || g.ReleasedLen() != 4 {
		t.Fatalf("owner keeps %d, released %d", a.PendingLen(), g.ReleasedLen())
	}
	releaseNow(g, id(1), Silent, -1, false, all)
	if nack(t, g, 1).DeliveryCount != 0 {
		t.Fatal("SILENT went below zero")
	}
	if releaseNow(g, id(8), Fail, -1, false, all) || releaseNow(g, id(8), Fail, -1, true, func(streams.ID) bool { return false }) {
		t.Fatal("released an entry that is not pending, or forced one the stream lacks")
	}
	if !releaseNow(g, id(8), Fail, -1, true, all) || nack(t, g, 8).DeliveryCount != 0 {
		t.Fatal("FORCE creates with a count of 0")
	}
	if !releaseNow(g, id(9), Fatal, -1, true, all) || nack(t, g, 9).DeliveryCount != MaxDeliveries {
		t.Fatal("FORCE FATAL")
	}
	check(t, g)
	if !g.Ack(id(9)) || g.ReleasedLen() != 5 {
		t.Fatal("ack of a released entry")
	}
	check(t, g)
}

// The delivery-time index is built on first use; built late it must order
// entries exactly as one kept up to date from the start.
func TestTimeIndexBuiltLate(t *testing.T) {
	eager := New("g", streams.ID{}, 0)
	eager.timeIndex()
	late := New("g", streams.ID{}, 0)
	for _, g := range []*Group{eager, late} {
		a, _ := g.CreateConsumer([]byte("a"), 0)
		b, _ := g.CreateConsumer([]byte("b"), 0)
		for i := uint64(1); i <= 50; i++ {
			c := a
			if i%3 == 0 {
				c = b
			}
			g.Deliver(id(i), c, int64(100-i%7)) // delivery times out of ID order
		}
		g.Ack(id(10))
		releaseNow(g, id(20), Fail, -1, false, all)
		claimNow(g, id(30), a, ClaimArgs{}, 500)
		g.DeleteConsumer([]byte("b"))
	}
	order := func(g *Group) []streams.ID {
		var ids []streams.ID
		g.ScanByTime(func(n NACK) bool {
			ids = append(ids, n.ID)
			return true
		})
		return ids
	}
	e, l := order(eager), order(late)
	if len(e) != len(l) || len(e) == 0 {
		t.Fatalf("eager %d entries, late %d", len(e), len(l))
	}
	for i := range e {
		if e[i] != l[i] {
			t.Fatalf("position %d: eager %v, late %v", i, e[i], l[i])
		}
	}
	check(t, late)
}
