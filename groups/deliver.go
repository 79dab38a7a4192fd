package groups

import "sluice/streams"

// The functions here change the group with values already decided; the
// engine logs those values, and replay calls the same functions with them.

// Lookup returns the pending entry for id.
func (g *Group) Lookup(id streams.ID) (NACK, bool) {
	return g.pel.Get(NACK{ID: id})
}

// store writes n into both indexes. old is n's previous state and had is
// whether there was one; keeping the caller's copy saves a lookup.
func (g *Group) store(n, old NACK, had bool) {
	if had {
		if g.byTime != nil {
			g.byTime.DeleteHint(old.key(), &g.timeHint)
		}
		if old.owner == 0 {
			g.released--
		}
	}
	n.order = g.nextOrder
	g.nextOrder++
	if n.owner == 0 {
		g.released++
	}
	g.pel.Set(n)
	if g.byTime != nil {
		g.byTime.SetHint(n.key(), &g.timeHint)
	}
}

// setOwner moves n between consumer PELs; n still names the old owner.
func (g *Group) setOwner(n *NACK, c *Consumer) {
	prev := g.Owner(*n)
	if prev == c {
		return
	}
	if prev != nil {
		prev.pel.Delete(n.ID)
	}
	if c == nil {
		n.owner = 0
		return
	}
	c.pel.Set(n.ID)
	n.owner = c.num
}

// Place makes id pending for c with the given delivery time and count:
// a delivery (count 1), a redelivery from the consumer's history, or a
// claim, whether or not id was pending before.
func (g *Group) Place(id streams.ID, c *Consumer, deliveryTime, count int64) {
	old, had := g.Lookup(id)
	n := old
	if !had {
		n = NACK{ID: id}
	}
	g.setOwner(&n, c)
	n.DeliveryTime, n.DeliveryCount = deliveryTime, count
	g.store(n, old, had)
}

// Deliver records that XREADGROUP ">" handed id to c at now: pending with
// one delivery (an entry taken over after XGROUP SETID starts again at 1),
// and c active.
func (g *Group) Deliver(id streams.ID, c *Consumer, now int64) {
	if last, ok := g.pel.Max(); ok && !last.ID.Less(id) {
		c.active = now
		g.Place(id, c, now, 1)
		return
	}
	g.deliverNew(id, c, now, 0)
}

// deliverNew delivers id, past every pending entry, as deliveries mostly
// are: it appends to the trees without a search (Load's fast path for
// sorted input).
func (g *Group) deliverNew(id streams.ID, c *Consumer, now int64, keyRef uint32) {
	c.active = now
	n := NACK{ID: id, DeliveryTime: now, DeliveryCount: 1, owner: c.num, keyRef: keyRef, order: g.nextOrder}
	g.nextOrder++
	g.pel.Append(n)
	if g.byTime != nil {
		g.byTime.SetHint(n.key(), &g.timeHint)
	}
	c.pel.Append(id)
}

// Unown hands id back to the group with the given delivery count, as XNACK
// does: no owner, first in line for the next claim. An entry that was not
// pending is added so.
func (g *Group) Unown(id streams.ID, count int64) {
	old, had := g.Lookup(id)
	n := old
	if !had {
		n = NACK{ID: id}
	}
	g.setOwner(&n, nil)
	n.DeliveryTime, n.DeliveryCount = 0, count
	g.store(n, old, had)
}

// Ack removes id from the PEL, reporting whether it was pending.
func (g *Group) Ack(id streams.ID) bool {
	n, ok := g.pel.Delete(NACK{ID: id})
	if !ok {
		return false
	}
	if g.byTime != nil {
		g.byTime.DeleteHint(n.key(), &g.timeHint)
	}
	if c := g.Owner(n); c == nil {
		g.released--
	} else {
		c.pel.Delete(id)
	}
	g.leave(n)
	return true
}
