package groups

import "sluice/streams"

// The claim functions decide; they change nothing. The caller applies
// what they return with Place (and Ack for entries gone from the stream),
// so that the decision and the change it logs are the same values.

// ClaimArgs are XCLAIM's options, already resolved by the caller.
type ClaimArgs struct {
	MinIdle      int64 // ms; 0 claims regardless of idle time
	DeliveryTime int64 // new delivery time: now, or from IDLE/TIME
	RetryCount   int64 // new delivery count; negative leaves it to JustID
	Force        bool  // create the entry if it is not pending
	JustID       bool  // do not count this as a delivery
}

// Claim decides what XCLAIM does with pending entry id, once the caller has
// checked the stream still holds id (if not, XCLAIM drops it with Ack): the
// entry as it will be, and whether it is claimed.
func (g *Group) Claim(id streams.ID, a ClaimArgs, now int64) (NACK, bool) {
	n, had := g.Lookup(id)
	if !had {
		if !a.Force {
			return NACK{}, false
		}
		// A forced entry has no owner yet, so the idle check passes.
		n = NACK{ID: id, DeliveryTime: now, DeliveryCount: 1}
	}
	if !n.idleFor(a.MinIdle, now) {
		return NACK{}, false
	}
	n.DeliveryTime = a.DeliveryTime
	switch {
	case a.RetryCount >= 0:
		n.DeliveryCount = a.RetryCount
	case !a.JustID:
		n.countDelivery()
	}
	return n, true
}

// AutoClaim decides XAUTOCLAIM: from start, in ID order, up to count
// entries idle for minIdle, looking at no more than count*10, each with
// one more delivery unless justID. Entries exists reports gone go to
// deleted and also use up count. next is the cursor for the next call: the
// first entry not looked at, or 0-0 at the end.
func (g *Group) AutoClaim(start streams.ID, minIdle int64, count int, justID bool,
	now int64, exists func(streams.ID) bool,
) (next streams.ID, claimed []NACK, deleted []streams.ID) {
	attempts := count * 10
	next = streams.MinID // the end, unless the walk stops before it
	g.pel.Ascend(NACK{ID: start}, func(n NACK) bool {
		if attempts == 0 || count == 0 {
			next = n.ID
			return false
		}
		attempts--
		if !exists(n.ID) {
			deleted = append(deleted, n.ID)
			count--
			return true
		}
		if !n.idleFor(minIdle, now) {
			return true
		}
		n.DeliveryTime = now
		if !justID {
			n.countDelivery()
		}
		claimed = append(claimed, n)
		count--
		return true
	})
	return next, claimed, deleted
}

// Idle calls fn, oldest delivery first (released entries first of all),
// for each pending entry idle for at least minIdle that exists reports
// still in the stream, with its idle time, until fn returns false: the
// entries XREADGROUP CLAIM takes.
func (g *Group) Idle(minIdle, now int64, exists func(streams.ID) bool, fn func(n NACK, idle int64) bool) {
	g.timeIndex().Scan(func(k timeKey) bool {
		// Unsigned like Redis, so a delivery time in the future counts as idle.
		idle := uint64(now - k.time)
		if idle < uint64(minIdle) {
			return false
		}
		if !exists(k.id) {
			return true
		}
		n, _ := g.Lookup(k.id)
		return fn(n, int64(idle))
	})
}

// FirstIdle returns the delivery time of the oldest pending entry that the
// stream still holds: XREADGROUP CLAIM serves at once if it is idle enough,
// and otherwise blocks until it will be.
func (g *Group) FirstIdle(exists func(streams.ID) bool) (deliveryTime int64, ok bool) {
	g.timeIndex().Scan(func(k timeKey) bool {
		if exists(k.id) {
			deliveryTime, ok = k.time, true
			return false
		}
		return true
	})
	return deliveryTime, ok
}
