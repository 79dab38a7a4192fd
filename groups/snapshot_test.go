package groups

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"sluice/streams"
)

// dump renders everything a snapshot must keep, in a comparable form.
func dump(g *Group) string {
	s := fmt.Sprintf("%s last=%v read=%d released=%d\n", g.Name(), g.LastID(), g.EntriesRead(), g.ReleasedLen())
	g.Consumers(func(c *Consumer) bool {
		s += fmt.Sprintf("consumer %s seen=%d active=%d pending=%d\n", c.Name(), c.SeenTime(), c.ActiveTime(), c.PendingLen())
		return true
	})
	g.ScanByTime(func(n NACK) bool {
		owner := "-"
		if o := g.Owner(n); o != nil {
			owner = o.Name()
		}
		s += fmt.Sprintf("nack %v %s t=%d n=%d\n", n.ID, owner, n.DeliveryTime, n.DeliveryCount)
		return true
	})
	return s
}

// restore rebuilds g the way a snapshot reader would, through the exported
// accessors only.
func restore(g *Group) *Group {
	ng := New(g.Name(), g.LastID(), g.EntriesRead())
	byName := map[string]*Consumer{}
	g.Consumers(func(c *Consumer) bool {
		byName[c.Name()] = ng.RestoreConsumer(c.Name(), c.SeenTime(), c.ActiveTime())
		return true
	})
	g.ScanByID(func(n NACK) bool {
		var owner *Consumer
		if o := g.Owner(n); o != nil {
			owner = byName[o.Name()]
		}
		ng.RestoreNACK(n, owner, n.Order())
		return true
	})
	return ng
}

// churn applies random group operations.
func churn(g *Group, r *rand.Rand, steps int, now *int64) {
	names := [][]byte{[]byte("a"), []byte("b"), []byte("c"), []byte("idle")}
	g.CreateConsumer(names[3], *now)
	next := uint64(1)
	for range steps {
		*now += int64(r.IntN(3))
		c, _ := g.Seen(names[r.IntN(3)], *now)
		x := id(uint64(r.IntN(int(next))) + 1)
		switch r.IntN(8) {
		case 0, 1:
			g.Deliver(id(next), c, *now)
			advance(g, id(next), StreamInfo{Length: next, EntriesAdded: next, FirstID: id(1), LastID: id(next)})
			next++
		case 2:
			g.Ack(x)
		case 3:
			claimNow(g, x, c, ClaimArgs{MinIdle: int64(r.IntN(5)), DeliveryTime: *now - int64(r.IntN(10)), RetryCount: -1}, *now)
		case 4:
			releaseNow(g, x, ReleaseMode(r.IntN(3)), -1, r.IntN(2) == 0, all)
		case 5:
			redeliver(g, x, *now)
		case 6:
			claimIdleNow(g, c, int64(r.IntN(10)), 2, *now, all, func(streams.ID, int64, int64) {})
		case 7:
			autoClaimNow(g, c, x, int64(r.IntN(10)), 3, r.IntN(2) == 0, *now, all, nil, nil)
		}
	}
}

func TestCloneIsFrozen(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	now := int64(1000)
	g := New("g", streams.MinID, 0)
	churn(g, r, 2000, &now)
	check(t, g)
	before := dump(g)
	frozen := g.Clone()
	churn(g, r, 2000, &now)
	check(t, g)
	if got := dump(frozen); got != before {
		t.Fatalf("clone changed under later writes:\n%s\nwant\n%s", got, before)
	}
	if dump(g) == before {
		t.Fatal("churn changed nothing; the test proves nothing")
	}
}

func TestRestoreRoundTrip(t *testing.T) {
	for seed := range uint64(20) {
		r := rand.New(rand.NewPCG(seed, 7))
		now := int64(1000)
		g := New("g", streams.MinID, 0)
		churn(g, r, 500, &now)
		ng := restore(g.Clone())
		check(t, ng)
		if got, want := dump(ng), dump(g); got != want {
			t.Fatalf("seed %d: restored\n%s\nwant\n%s", seed, got, want)
		}
		// Restored groups behave the same, down to claim order.
		var a, b []streams.ID
		claimIdleNow(g, g.Consumer([]byte("idle")), 0, 0, now, all, func(x streams.ID, _, _ int64) { a = append(a, x) })
		claimIdleNow(ng, ng.Consumer([]byte("idle")), 0, 0, now, all, func(x streams.ID, _, _ int64) { b = append(b, x) })
		if fmt.Sprint(a) != fmt.Sprint(b) {
			t.Fatalf("seed %d: claim order %v, restored %v", seed, a, b)
		}
		if ng.Consumer([]byte("idle")).PendingLen() != g.PendingLen() {
			t.Fatal("consumer without pending entries was lost")
		}
	}
}
