package commands

import (
	"strconv"

	"sluice/groups"
)

// XPENDING key group [[IDLE min-idle-time] start end count [consumer]]
func xpending(c *Ctx) {
	args := c.Args
	if len(args) != 3 && (len(args) < 6 || len(args) > 9) {
		c.Error(errSyntax)
		return
	}
	var r groups.Range
	consumer := []byte(nil)
	if len(args) >= 6 {
		at := 3
		if equal(args[3], "idle") {
			n, ok := c.Int(args[4])
			if !ok {
				return
			}
			if len(args) < 8 {
				c.Error(errSyntax)
				return
			}
			r.MinIdle, at = n, 5
		}
		// Redis reads the count before the bounds, so its error comes first.
		count, ok := c.Int(args[at+2])
		if !ok {
			return
		}
		r.Count = int(max(count, 0))
		if r.Start, ok = parseInterval(c, args[at], false); !ok {
			return
		}
		if r.End, ok = parseInterval(c, args[at+1], true); !ok {
			return
		}
		if at+3 < len(args) {
			consumer = args[at+3]
		}
	}
	_, g, ok := streamGroup(c, args[1], args[2])
	if !ok {
		return
	}
	if len(args) == 3 {
		pendingSummary(c, g)
		return
	}
	if consumer != nil {
		if r.Owner = g.Consumer(consumer); r.Owner == nil {
			c.W.Array(0)
			return
		}
	}
	r.Now = c.Now
	mark, n := c.W.DeferArray(), 0
	g.Pending(r, func(x groups.NACK) bool {
		c.W.Array(4)
		replyID(c.W, x.ID)
		if o := g.Owner(x); o == nil { // released by XNACK: no owner, no idle time
			c.W.BulkString("")
			c.W.Int(-1)
		} else {
			c.W.BulkString(o.Name())
			c.W.Int(x.Idle(c.Now))
		}
		c.W.Int(x.DeliveryCount)
		n++
		return true
	})
	c.W.SetArray(mark, n)
}

// pendingSummary writes [count, smallest, greatest, [[consumer, count]...]].
func pendingSummary(c *Ctx, g *groups.Group) {
	c.W.Array(4)
	c.W.Int(int64(g.PendingLen()))
	lo, hi, ok := g.PendingBounds()
	if !ok {
		c.W.Null()
		c.W.Null()
		c.W.NullArray()
		return
	}
	replyID(c.W, lo)
	replyID(c.W, hi)
	mark, n := c.W.DeferArray(), 0
	g.Consumers(func(k *groups.Consumer) bool {
		if k.PendingLen() > 0 {
			c.W.Array(2)
			c.W.BulkString(k.Name())
			c.W.BulkString(strconv.Itoa(k.PendingLen())) // a bulk string in Redis
			n++
		}
		return true
	})
	c.W.SetArray(mark, n)
}
