package commands

import (
	"math"

	"sluice/groups"
	"sluice/streams"
)

// XCLAIM key group consumer min-idle-time id [id ...] [IDLE ms]
// [TIME unix-ms] [RETRYCOUNT count] [FORCE] [JUSTID] [LASTID id]
func xclaim(c *Ctx) {
	args := c.Args
	key := args[1]
	s, g, ok := streamGroup(c, key, args[2])
	if !ok {
		return
	}
	minIdle, ok := c.IntOr(args[4], "ERR Invalid min-idle-time argument for XCLAIM")
	if !ok {
		return
	}
	a := groups.ClaimArgs{MinIdle: max(minIdle, 0), RetryCount: -1, DeliveryTime: -1}
	// IDs run until the first argument that is not one; options follow.
	j := 5
	var ids []streams.ID
	for ; j < len(args); j++ {
		id, err := streams.ParseStrictID(args[j])
		if err != nil {
			break
		}
		ids = append(ids, id)
	}
	var lastID streams.ID
	for ; j < len(args); j++ {
		more := len(args) - 1 - j
		switch o := args[j]; {
		case equal(o, "force"):
			a.Force = true
		case equal(o, "justid"):
			a.JustID = true
		case equal(o, "idle") && more > 0:
			j++
			idle, ok := c.IntOr(args[j], "ERR Invalid IDLE option argument for XCLAIM")
			if !ok {
				return
			}
			a.DeliveryTime = c.Now - idle
		case equal(o, "time") && more > 0:
			j++
			if a.DeliveryTime, ok = c.IntOr(args[j], "ERR Invalid TIME option argument for XCLAIM"); !ok {
				return
			}
		case equal(o, "retrycount") && more > 0:
			j++
			if a.RetryCount, ok = c.IntOr(args[j], "ERR Invalid RETRYCOUNT option argument for XCLAIM"); !ok {
				return
			}
		case equal(o, "lastid") && more > 0:
			j++
			if lastID, ok = c.ParseID(args[j]); !ok {
				return
			}
		default:
			c.Error("ERR Unrecognized XCLAIM option '" + string(o) + "'")
			return
		}
	}
	c.RaiseGroupID(key, g, lastID)
	// A bogus or missing delivery time means now; clients may compute it
	// from a clock a little ahead of ours.
	if a.DeliveryTime < 0 || a.DeliveryTime > c.Now {
		a.DeliveryTime = c.Now
	}
	consumer := c.SeeConsumer(key, g, args[3])
	set := g.Settings()
	delivers := !a.JustID && a.RetryCount < 0 // the claim counts a delivery
	var claimed []streams.ID
	for _, id := range ids {
		if !s.Has(id) { // gone from the stream: drop it from the PEL
			c.Dirty(c.Ack(key, g, []streams.ID{id}))
			continue
		}
		if old, ok := g.Lookup(id); ok && delivers && overDelivered(set, old) {
			// A delivery past MAXDELIVER: dead-lettered, left out of the
			// reply as a deleted entry is.
			if _, ok := g.Claim(id, a, c.Now); ok {
				deadLetter(c, key, s, g, old)
			}
			continue
		}
		// One at a time, as Redis: an ID given twice meets its own claim.
		if n, ok := g.Claim(id, a, c.Now); ok {
			c.Place(key, g, consumer, []groups.NACK{n}, true)
			c.Dirty(1)
			claimed = append(claimed, id)
		}
	}
	c.W.Array(len(claimed))
	var buf [48]byte
	for _, id := range claimed {
		if a.JustID {
			replyID(c.W, id)
		} else {
			s.Get(id, func(fv [][]byte) { replyEntry(c.W, id, fv, buf[:0]) })
		}
	}
}

// autoclaimAttempts is how many PEL entries XAUTOCLAIM looks at per entry
// it may claim.
const autoclaimAttempts = 10

// XAUTOCLAIM key group consumer min-idle-time start [COUNT count] [JUSTID]
func xautoclaim(c *Ctx) {
	args := c.Args
	minIdle, ok := c.IntOr(args[4], "ERR Invalid min-idle-time argument for XAUTOCLAIM")
	if !ok {
		return
	}
	start, ok := parseInterval(c, args[5], false)
	if !ok {
		return
	}
	count, justID := int64(100), false
	for j := 6; j < len(args); j++ {
		switch o := args[j]; {
		case equal(o, "count") && j+1 < len(args):
			// Redis caps COUNT so that count*attempts cannot overflow.
			if count, ok = c.IntRange(args[j+1], 1, math.MaxInt64/16, "ERR COUNT must be > 0"); !ok {
				return
			}
			j++
		case equal(o, "justid"):
			justID = true
		default:
			c.Error(errSyntax)
			return
		}
	}
	key := args[1]
	s, g, ok := streamGroup(c, key, args[2])
	if !ok {
		return
	}
	consumer := c.SeeConsumer(key, g, args[3])
	next, claimed, deleted := g.AutoClaim(start, max(minIdle, 0), int(min(count, math.MaxInt/autoclaimAttempts)),
		justID, c.Now, s.Has)
	c.Ack(key, g, deleted)
	if set := g.Settings(); !justID && set.MaxDeliver > 0 {
		// Deliveries past MAXDELIVER are dead-lettered, and left out of
		// the reply as deleted entries are.
		kept := claimed[:0]
		for _, n := range claimed {
			if n.DeliveryCount > set.MaxDeliver {
				old, _ := g.Lookup(n.ID)
				deadLetter(c, key, s, g, old)
				continue
			}
			kept = append(kept, n)
		}
		claimed = kept
	}
	c.Place(key, g, consumer, claimed, true)
	if len(claimed)+len(deleted) > 0 {
		c.Dirty(1)
	}
	c.W.Array(3)
	replyID(c.W, next)
	c.W.Array(len(claimed))
	var buf [48]byte
	for _, n := range claimed {
		if justID {
			replyID(c.W, n.ID)
		} else {
			s.Get(n.ID, func(fv [][]byte) { replyEntry(c.W, n.ID, fv, buf[:0]) })
		}
	}
	c.W.Array(len(deleted))
	for _, id := range deleted {
		replyID(c.W, id)
	}
}
