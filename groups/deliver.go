package groups

import "sluice/streams"

// Lookup returns the pending entry for id.
func (g *Group) Lookup(id streams.ID) (NACK, bool) {
	return g.pel.GetHint(NACK{ID: id}, &g.pelHint)
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
	g.pel.SetHint(n, &g.pelHint)
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
		prev.pel.DeleteHint(n.ID, &prev.hint)
	}
	if c == nil {
		n.owner = 0
		return
	}
	c.pel.SetHint(n.ID, &c.hint)
	n.owner = c.num
}

// Deliver records that XREADGROUP > handed entry id to c: a new pending
// entry, or one taken over (after XGROUP SETID rewound the group) with its
// counter reset to 1. The caller moves the group's last ID with Advance.
func (g *Group) Deliver(id streams.ID, c *Consumer, now int64) {
	old, had := g.Lookup(id)
	n := old
	if !had {
		n = NACK{ID: id}
	}
	g.setOwner(&n, c)
	n.DeliveryTime, n.DeliveryCount = now, 1
	g.store(n, old, had)
	c.active = now
}

// Redeliver records that XREADGROUP with an ID sent id again from its
// owner's history: one more delivery, now. It reports false if id is not
// pending.
func (g *Group) Redeliver(id streams.ID, now int64) bool {
	old, had := g.Lookup(id)
	if !had {
		return false
	}
	n := old
	n.countDelivery()
	n.DeliveryTime = now
	g.store(n, old, true)
	return true
}

// Ack removes id from the PEL, reporting whether it was pending.
func (g *Group) Ack(id streams.ID) bool {
	n, ok := g.pel.DeleteHint(NACK{ID: id}, &g.pelHint)
	if !ok {
		return false
	}
	if g.byTime != nil {
		g.byTime.DeleteHint(n.key(), &g.timeHint)
	}
	if c := g.Owner(n); c == nil {
		g.released--
	} else {
		c.pel.DeleteHint(id, &c.hint)
	}
	return true
}
