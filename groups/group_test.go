package groups

import (
	"strconv"
	"testing"

	"sluice/streams"
)

func TestConsumers(t *testing.T) {
	g := New("g", streams.MinID, 0)
	if _, ok := g.CreateConsumer([]byte("bob"), 10); !ok {
		t.Fatal("create bob")
	}
	if _, ok := g.CreateConsumer([]byte("bob"), 11); ok {
		t.Fatal("bob created twice")
	}
	alice, created := g.Seen([]byte("alice"), 20)
	if !created || alice.SeenTime() != 20 || alice.ActiveTime() != -1 {
		t.Fatalf("alice: created %v seen %d active %d", created, alice.SeenTime(), alice.ActiveTime())
	}
	if c, created := g.Seen([]byte("bob"), 30); created || c.SeenTime() != 30 {
		t.Fatalf("bob seen again: created %v seen %d", created, c.SeenTime())
	}
	var names []string
	g.Consumers(func(c *Consumer) bool {
		names = append(names, c.Name())
		return true
	})
	if len(names) != 2 || names[0] != "alice" || names[1] != "bob" || g.NumConsumers() != 2 {
		t.Fatalf("consumers %v", names)
	}
	if alice.Idle(25) != 5 || alice.Idle(10) != 0 || alice.Inactive(25) != -1 {
		t.Fatalf("idle %d/%d inactive %d", alice.Idle(25), alice.Idle(10), alice.Inactive(25))
	}
	g.Deliver(id(1), alice, 40)
	if alice.Inactive(45) != 5 {
		t.Fatalf("inactive after a delivery %d", alice.Inactive(45))
	}
}

func TestDeleteConsumerDropsItsPending(t *testing.T) {
	g := New("g", streams.MinID, 0)
	deliver(g, "a", 1, 1, 2, 3)
	deliver(g, "b", 1, 4)
	releaseNow(g, id(3), Fail, -1, false, all)
	if n, ok := g.DeleteConsumer([]byte("a")); !ok || n != 2 {
		t.Fatalf("deleted a with %d pending, ok %v", n, ok)
	}
	if _, ok := g.DeleteConsumer([]byte("a")); ok {
		t.Fatal("deleted a twice")
	}
	if g.PendingLen() != 2 || g.Consumer([]byte("a")) != nil {
		t.Fatalf("pending %d after delete", g.PendingLen())
	}
	check(t, g)
}

func TestDeliverAndAck(t *testing.T) {
	g := New("g", streams.MinID, 0)
	a := deliver(g, "a", 100, 1, 2)
	if n := nack(t, g, 1); g.Owner(n) != a || n.DeliveryTime != 100 || n.DeliveryCount != 1 {
		t.Fatalf("new NACK %+v", n)
	}
	if a.ActiveTime() != 100 {
		t.Fatalf("active %d", a.ActiveTime())
	}
	// A rewound group hands entry 1 to b: b owns it, counted afresh.
	redeliver(g, id(1), 150)
	b := deliver(g, "b", 200, 1)
	if n := nack(t, g, 1); g.Owner(n) != b || n.DeliveryTime != 200 || n.DeliveryCount != 1 {
		t.Fatalf("taken-over NACK %+v", n)
	}
	if a.PendingLen() != 1 || b.PendingLen() != 1 {
		t.Fatalf("a owns %d, b owns %d", a.PendingLen(), b.PendingLen())
	}
	check(t, g)
	if !g.Ack(id(1)) || g.Ack(id(1)) || g.Ack(id(9)) {
		t.Fatal("ack results")
	}
	if b.PendingLen() != 0 || g.PendingLen() != 1 {
		t.Fatalf("after ack: b %d, group %d", b.PendingLen(), g.PendingLen())
	}
	check(t, g)
}

func TestRedeliver(t *testing.T) {
	g := New("g", streams.MinID, 0)
	a := deliver(g, "a", 100, 1)
	if !redeliver(g, id(1), 300) || redeliver(g, id(2), 300) {
		t.Fatal("redeliver results")
	}
	if n := nack(t, g, 1); n.DeliveryCount != 2 || n.DeliveryTime != 300 || g.Owner(n) != a {
		t.Fatalf("redelivered %+v", n)
	}
	if a.ActiveTime() != 100 {
		t.Fatal("history reads must not touch active time")
	}
	releaseNow(g, id(1), Fatal, -1, false, all)
	claimNow(g, id(1), a, ClaimArgs{DeliveryTime: 400, RetryCount: -1}, 400)
	redeliver(g, id(1), 500)
	if n := nack(t, g, 1); n.DeliveryCount != MaxDeliveries {
		t.Fatalf("count past the maximum: %d", n.DeliveryCount)
	}
	check(t, g)
}

func TestConsumerHistory(t *testing.T) {
	g := New("g", streams.MinID, 0)
	a := deliver(g, "a", 100, 1, 3, 5, 7)
	deliver(g, "b", 100, 4)
	var got []uint64
	a.Pending(id(3), func(x streams.ID) bool {
		got = append(got, x.Ms)
		redeliver(g, x, 200) // XREADGROUP with an ID updates the group as it walks
		return len(got) < 2
	})
	if !equal(got, []uint64{3, 5}) {
		t.Fatalf("history from 3, count 2: %v", got)
	}
	if nack(t, g, 5).DeliveryCount != 2 || nack(t, g, 7).DeliveryCount != 1 {
		t.Fatal("redelivery counts")
	}
	check(t, g)
}

func TestLastID(t *testing.T) {
	g := New("g", id(5), 3)
	if g.RaiseLastID(id(4)) || g.LastID() != id(5) {
		t.Fatal("LASTID moved the group back")
	}
	if !g.RaiseLastID(id(7)) || g.LastID() != id(7) || g.EntriesRead() != 3 {
		t.Fatalf("raised to %v, read %d", g.LastID(), g.EntriesRead())
	}
	g.SetLastID(id(1), InvalidEntriesRead)
	if g.LastID() != id(1) || g.EntriesRead() != InvalidEntriesRead || g.Name() != "g" {
		t.Fatal("SETID")
	}
}

func TestPending(t *testing.T) {
	g := New("g", streams.MinID, 0)
	if _, _, ok := g.PendingBounds(); ok {
		t.Fatal("bounds of an empty PEL")
	}
	a := deliver(g, "a", 100, 1, 3, 5)
	b := deliver(g, "b", 200, 2, 4)
	releaseNow(g, id(5), Fail, -1, false, all)
	lo, hi, ok := g.PendingBounds()
	if !ok || lo != id(1) || hi != id(5) {
		t.Fatalf("bounds %v %v", lo, hi)
	}
	everything := Range{Start: streams.MinID, End: streams.MaxID, Count: 10, Now: 250}
	cases := []struct {
		name string
		edit func(*Range)
		want []uint64
	}{
		{"all", func(*Range) {}, []uint64{1, 2, 3, 4, 5}},
		{"count", func(r *Range) { r.Count = 2 }, []uint64{1, 2}},
		{"zero count", func(r *Range) { r.Count = 0 }, nil},
		{"bounds", func(r *Range) { r.Start, r.End = id(2), id(4) }, []uint64{2, 3, 4}},
		{"reversed", func(r *Range) { r.Start, r.End = id(4), id(2) }, nil},
		{"owner", func(r *Range) { r.Owner = a }, []uint64{1, 3}},
		{"owner bounds", func(r *Range) { r.Owner, r.Start = b, id(3) }, []uint64{4}},
		// Released entries pass any IDLE filter, as in Redis.
		{"idle", func(r *Range) { r.MinIdle = 100 }, []uint64{1, 3, 5}},
		{"idle count", func(r *Range) { r.MinIdle, r.Count = 100, 1 }, []uint64{1}},
	}
	for _, c := range cases {
		r := everything
		c.edit(&r)
		if got := pendingIDs(g, r); !equal(got, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
		}
	}
	if n := nack(t, g, 1); n.Idle(250) != 150 || n.Idle(50) != 0 {
		t.Fatalf("idle %d", n.Idle(250))
	}
}

// Consumers created and deleted leave nothing behind: numbers are reused
// and the owner table shrinks back.
func TestConsumerNumbersReused(t *testing.T) {
	g := New("g", streams.MinID, 0)
	for i := range 1_000_000 {
		name := []byte(strconv.Itoa(i))
		c, _ := g.CreateConsumer(name, 1)
		g.Deliver(id(uint64(i+1)), c, 1)
		if _, ok := g.DeleteConsumer(name); !ok {
			t.Fatal("consumer not found")
		}
	}
	if len(g.owners) != 0 || len(g.free) != 0 || g.PendingLen() != 0 {
		t.Fatalf("after a million consumers came and went: %d owner slots, %d free numbers, %d pending",
			len(g.owners), len(g.free), g.PendingLen())
	}
	var names [][]byte
	for i := range 1000 {
		names = append(names, []byte(strconv.Itoa(i)))
		g.CreateConsumer(names[i], 1)
	}
	for _, n := range names[:999] {
		g.DeleteConsumer(n)
	}
	a, _ := g.CreateConsumer([]byte("new"), 2)
	if a.num == 0 || int(a.num) > len(g.owners) || g.owners[a.num-1] != a {
		t.Fatalf("new consumer got number %d of %d", a.num, len(g.owners))
	}
	check(t, g)
}
