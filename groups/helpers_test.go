package groups

import (
	"testing"

	"sluice/streams"
)

func id(ms uint64) streams.ID { return streams.ID{Ms: ms} }

func all(streams.ID) bool { return true }

// check verifies the invariants tying the three indexes together.
func check(t *testing.T, g *Group) {
	t.Helper()
	if g.byTime != nil && g.pel.Len() != g.byTime.Len() {
		t.Fatalf("pel %d entries, time index %d", g.pel.Len(), g.byTime.Len())
	}
	owned := map[*Consumer]int{}
	released := 0
	g.pel.Scan(func(n NACK) bool {
		if g.byTime == nil {
			// built on first use
		} else if _, ok := g.byTime.Get(n.key()); !ok {
			t.Fatalf("%v missing from the time index", n.ID)
		}
		o := g.Owner(n)
		if o == nil {
			released++
			if n.DeliveryTime != 0 {
				t.Fatalf("released %v has time %d", n.ID, n.DeliveryTime)
			}
			return true
		}
		if g.Consumer([]byte(o.name)) != o {
			t.Fatalf("%v owned by a consumer not in the group", n.ID)
		}
		if _, ok := o.pel.Get(n.ID); !ok {
			t.Fatalf("%v missing from its owner's PEL", n.ID)
		}
		owned[o]++
		return true
	})
	if released != g.ReleasedLen() {
		t.Fatalf("released %d, counted %d", released, g.ReleasedLen())
	}
	g.Consumers(func(c *Consumer) bool {
		if c.PendingLen() != owned[c] {
			t.Fatalf("consumer %s has %d IDs, owns %d", c.name, c.PendingLen(), owned[c])
		}
		return true
	})
}

// deliver hands the given entries to a consumer at time now.
func deliver(g *Group, name string, now int64, ids ...uint64) *Consumer {
	c, _ := g.Seen([]byte(name), now)
	for _, ms := range ids {
		g.Deliver(id(ms), c, now)
	}
	return c
}

func nack(t *testing.T, g *Group, ms uint64) NACK {
	t.Helper()
	n, ok := g.Lookup(id(ms))
	if !ok {
		t.Fatalf("%d-0 is not pending", ms)
	}
	return n
}

func pendingIDs(g *Group, r Range) []uint64 {
	var out []uint64
	g.Pending(r, func(n NACK) bool {
		out = append(out, n.ID.Ms)
		return true
	})
	return out
}

func equal(a, b []uint64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
