package engine

import (
	"math"
	"strconv"

	"sluice/groups"
	"sluice/streams"
)

func init() {
	register(
		&Cmd{Name: "xclaim", Arity: -6, Flags: FlagWrite | FlagFast | FlagNoWake, FirstKey: 1, LastKey: 1, Step: 1, Group: "stream", Since: "5.0.0",
			Summary: "Changes, or acquires, ownership of a message in a consumer group, as if the message was delivered a consumer group member.", Run: xclaim},
		&Cmd{Name: "xautoclaim", Arity: -6, Flags: FlagWrite | FlagFast | FlagNoWake, FirstKey: 1, LastKey: 1, Step: 1, Group: "stream", Since: "6.2.0",
			Summary: "Changes, or acquires, ownership of messages in a consumer group, as if the messages were delivered to as consumer group member.", Run: xautoclaim},
	)
}

// intOr parses an integer, replying msg when it is not one (Redis's
// getLongLongFromObjectOrReply with a message).
func (c *Ctx) intOr(b []byte, msg string) (int64, bool) {
	n, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil || (len(b) > 0 && b[0] == '+') {
		c.Error(msg)
		return 0, false
	}
	return n, true
}

// XCLAIM key group consumer min-idle-time id [id ...] [IDLE ms]
// [TIME unix-ms] [RETRYCOUNT count] [FORCE] [JUSTID] [LASTID id]
func xclaim(c *Ctx) {
	args := c.Args
	sv, g, ok := c.streamGroup(args[1], args[2])
	if !ok {
		return
	}
	minIdle, ok := c.intOr(args[4], "ERR Invalid min-idle-time argument for XCLAIM")
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
		case Equal(o, "force"):
			a.Force = true
		case Equal(o, "justid"):
			a.JustID = true
		case Equal(o, "idle") && more > 0:
			j++
			idle, ok := c.intOr(args[j], "ERR Invalid IDLE option argument for XCLAIM")
			if !ok {
				return
			}
			a.DeliveryTime = c.Now - idle
		case Equal(o, "time") && more > 0:
			j++
			if a.DeliveryTime, ok = c.intOr(args[j], "ERR Invalid TIME option argument for XCLAIM"); !ok {
				return
			}
		case Equal(o, "retrycount") && more > 0:
			j++
			if a.RetryCount, ok = c.intOr(args[j], "ERR Invalid RETRYCOUNT option argument for XCLAIM"); !ok {
				return
			}
		case Equal(o, "lastid") && more > 0:
			j++
			if lastID, ok = c.parseID(args[j]); !ok {
				return
			}
		default:
			c.Error("ERR Unrecognized XCLAIM option '" + string(o) + "'")
			return
		}
	}
	if g.RaiseLastID(lastID) {
		c.Dirty(1)
	}
	// A bogus or missing delivery time means now; clients may compute it
	// from a clock a little ahead of ours.
	if a.DeliveryTime < 0 || a.DeliveryTime > c.Now {
		a.DeliveryTime = c.Now
	}
	consumer := c.seen(g, args[3])
	mark, n := c.W.DeferArray(), 0
	var buf [48]byte
	for _, id := range ids {
		if !sv.has(id) { // gone from the stream: drop it from the PEL
			if g.Ack(id) {
				c.Dirty(1)
			}
			continue
		}
		if !g.Claim(id, consumer, a, c.Now) {
			continue
		}
		c.Dirty(1)
		if a.JustID {
			replyID(c.W, id)
		} else {
			sv.Get(id, func(fv [][]byte) { replyEntry(c.W, id, fv, buf[:0]) })
		}
		n++
	}
	c.W.SetArray(mark, n)
}

// autoclaimAttempts is how many PEL entries XAUTOCLAIM looks at per entry
// it may claim.
const autoclaimAttempts = 10

// XAUTOCLAIM key group consumer min-idle-time start [COUNT count] [JUSTID]
func xautoclaim(c *Ctx) {
	args := c.Args
	minIdle, ok := c.intOr(args[4], "ERR Invalid min-idle-time argument for XAUTOCLAIM")
	if !ok {
		return
	}
	start, ok := c.parseInterval(args[5], false)
	if !ok {
		return
	}
	count, justID := int64(100), false
	for j := 6; j < len(args); j++ {
		switch o := args[j]; {
		case Equal(o, "count") && j+1 < len(args):
			// Redis caps COUNT so that count*attempts cannot overflow.
			if count, ok = c.rangeInt(args[j+1], 1, math.MaxInt64/16, "ERR COUNT must be > 0"); !ok {
				return
			}
			j++
		case Equal(o, "justid"):
			justID = true
		default:
			c.Error(ErrSyntax)
			return
		}
	}
	sv, g, ok := c.streamGroup(args[1], args[2])
	if !ok {
		return
	}
	consumer := c.seen(g, args[3])
	next, claimed, deleted := g.AutoClaim(consumer, start, max(minIdle, 0), int(min(count, math.MaxInt/autoclaimAttempts)),
		justID, c.Now, sv.has, nil, nil)
	if len(claimed)+len(deleted) > 0 {
		c.Dirty(1)
	}
	c.W.Array(3)
	replyID(c.W, next)
	c.W.Array(len(claimed))
	var buf [48]byte
	for _, id := range claimed {
		if justID {
			replyID(c.W, id)
		} else {
			sv.Get(id, func(fv [][]byte) { replyEntry(c.W, id, fv, buf[:0]) })
		}
	}
	c.W.Array(len(deleted))
	for _, id := range deleted {
		replyID(c.W, id)
	}
}
