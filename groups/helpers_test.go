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

// The helpers below decide and apply in one step, as the engine does with
// a decision and the effect it logs.

func redeliver(g *Group, x streams.ID, now int64) bool {
	n, ok := g.Lookup(x)
	if !ok {
		return false
	}
	g.Place(x, g.Owner(n), now, CountDelivery(n.DeliveryCount))
	return true
}

func claimNow(g *Group, x streams.ID, c *Consumer, a ClaimArgs, now int64) bool {
	n, ok := g.Claim(x, a, now)
	if ok {
		g.Place(x, c, n.DeliveryTime, n.DeliveryCount)
		c.MarkActive(now)
	}
	return ok
}

func autoClaimNow(g *Group, c *Consumer, start streams.ID, minIdle int64, count int, justID bool,
	now int64, exists func(streams.ID) bool, claimed, deleted []streams.ID,
) (streams.ID, []streams.ID, []streams.ID) {
	next, ns, gone := g.AutoClaim(start, minIdle, count, justID, now, exists)
	for _, x := range gone {
		g.Ack(x)
	}
	for _, n := range ns {
		g.Place(n.ID, c, n.DeliveryTime, n.DeliveryCount)
		c.MarkActive(now)
		claimed = append(claimed, n.ID)
	}
	return next, claimed, append(deleted, gone...)
}

func claimIdleNow(g *Group, c *Consumer, minIdle int64, count int, now int64,
	exists func(streams.ID) bool, emit func(x streams.ID, idle, deliveries int64),
) int {
	var take []NACK
	g.Idle(minIdle, now, exists, func(n NACK, idle int64) bool {
		emit(n.ID, idle, n.DeliveryCount)
		take = append(take, n)
		return count <= 0 || len(take) < count
	})
	for _, n := range take {
		g.Place(n.ID, c, now, CountDelivery(n.DeliveryCount))
		c.MarkActive(now)
	}
	return len(take)
}

func releaseNow(g *Group, x streams.ID, mode ReleaseMode, retry int64, force bool, exists func(streams.ID) bool) bool {
	count, ok := g.Release(x, mode, retry, force, exists)
	if ok {
		g.Unown(x, count)
	}
	return ok
}

func advance(g *Group, x streams.ID, s StreamInfo) bool {
	last, read := g.Advanced([]streams.ID{x}, s)
	moved := last != g.LastID()
	g.SetLastID(last, read)
	return moved
}
