package groups

import "sluice/streams"

// ClaimArgs are XCLAIM's options, already resolved by the caller.
type ClaimArgs struct {
	MinIdle      int64 // ms; 0 claims regardless of idle time
	DeliveryTime int64 // new delivery time: now, or from IDLE/TIME
	RetryCount   int64 // new delivery count; negative leaves it to JustID
	Force        bool  // create the entry if it is not pending
	JustID       bool  // do not count this as a delivery
}

// Claim gives pending entry id to c as XCLAIM does, once the caller has
// checked the stream still holds id (if not, XCLAIM drops it with Ack). It
// reports whether id was claimed.
func (g *Group) Claim(id streams.ID, c *Consumer, a ClaimArgs, now int64) bool {
	old, had := g.Lookup(id)
	n := old
	if !had {
		if !a.Force {
			return false
		}
		// A forced entry has no owner yet, so the idle check passes.
		n = NACK{ID: id, DeliveryTime: now, DeliveryCount: 1}
	}
	if !n.idleFor(a.MinIdle, now) {
		return false
	}
	g.setOwner(&n, c)
	n.DeliveryTime = a.DeliveryTime
	switch {
	case a.RetryCount >= 0:
		n.DeliveryCount = a.RetryCount
	case !a.JustID:
		n.countDelivery()
	}
	g.store(n, old, had)
	c.active = now
	return true
}

// AutoClaim is XAUTOCLAIM: from start, in ID order, it gives c up to count
// entries idle for minIdle, looking at no more than count*10, counting a
// delivery unless justID. Entries exists reports gone are dropped and also
// use up count. It appends to claimed and deleted and returns the cursor
// for the next call: the first entry not looked at, or 0-0 at the end.
func (g *Group) AutoClaim(c *Consumer, start streams.ID, minIdle int64, count int, justID bool,
	now int64, exists func(streams.ID) bool, claimed, deleted []streams.ID,
) (next streams.ID, _, _ []streams.ID) {
	attempts := count * 10
	cursor, more := start, true
	for ; more && attempts > 0 && count > 0; attempts-- {
		n, ok := g.seek(cursor)
		if !ok {
			return streams.MinID, claimed, deleted
		}
		cursor, more = n.ID.Next()
		if !exists(n.ID) {
			g.Ack(n.ID)
			deleted = append(deleted, n.ID)
			count--
			continue
		}
		if !n.idleFor(minIdle, now) {
			continue
		}
		old := n
		g.setOwner(&n, c)
		n.DeliveryTime = now
		if !justID {
			n.countDelivery()
		}
		g.store(n, old, true)
		c.active = now
		claimed = append(claimed, n.ID)
		count--
	}
	if !more {
		return streams.MinID, claimed, deleted
	}
	if n, ok := g.seek(cursor); ok {
		return n.ID, claimed, deleted
	}
	return streams.MinID, claimed, deleted
}

// seek returns the first pending entry with ID >= id.
func (g *Group) seek(id streams.ID) (NACK, bool) {
	iter := g.pel.Iter()
	defer iter.Release()
	if !iter.Seek(NACK{ID: id}) {
		return NACK{}, false
	}
	return iter.Item(), true
}

// ClaimIdle is XREADGROUP's CLAIM: it gives c, oldest delivery first, the
// entries idle for at least minIdle (released ones first of all), up to
// count if count > 0. Entries exists reports gone are skipped and kept.
// Before moving each entry it calls emit with the entry's idle time and
// delivery count as they were. It returns how many it claimed.
func (g *Group) ClaimIdle(c *Consumer, minIdle int64, count int, now int64,
	exists func(streams.ID) bool, emit func(id streams.ID, idle, deliveries int64),
) int {
	// Entries placed during the walk get an order at or past stop; skipping
	// them keeps the walk from meeting an entry it has just claimed.
	stop := g.nextOrder
	claimed := 0
	k, ok := g.firstByTime()
	for ok {
		// Unsigned like Redis, so a delivery time in the future counts as idle.
		idle := uint64(now - k.time)
		if idle < uint64(minIdle) {
			break
		}
		if k.order < stop && exists(k.id) {
			n, _ := g.Lookup(k.id)
			emit(k.id, int64(idle), n.DeliveryCount)
			old := n
			g.setOwner(&n, c)
			n.countDelivery()
			n.DeliveryTime = now
			g.store(n, old, true)
			c.active = now
			claimed++
			if count > 0 && claimed >= count {
				break
			}
		}
		k, ok = g.afterByTime(k)
	}
	return claimed
}

// FirstIdle returns the delivery time of the oldest pending entry that the
// stream still holds: XREADGROUP CLAIM serves at once if it is idle enough,
// and otherwise blocks until it will be.
func (g *Group) FirstIdle(exists func(streams.ID) bool) (deliveryTime int64, ok bool) {
	k, ok := g.firstByTime()
	for ; ok; k, ok = g.afterByTime(k) {
		if exists(k.id) {
			return k.time, true
		}
	}
	return 0, false
}

// firstByTime returns the first key of the delivery-time index.
func (g *Group) firstByTime() (timeKey, bool) {
	return g.timeIndex().Min()
}

// afterByTime returns the first index key after k; keys are unique.
func (g *Group) afterByTime(k timeKey) (timeKey, bool) {
	iter := g.timeIndex().Iter()
	defer iter.Release()
	if !iter.Seek(k) {
		return timeKey{}, false
	}
	if !timeLess(k, iter.Item()) && !iter.Next() {
		return timeKey{}, false
	}
	return iter.Item(), true
}
