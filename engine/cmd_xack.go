package engine

import (
	"math"
	"strconv"

	"sluice/groups"
	"sluice/streams"
)

func init() {
	register(
		&Cmd{Name: "xack", Arity: -4, Flags: FlagWrite | FlagFast | FlagNoWake, FirstKey: 1, LastKey: 1, Step: 1, Group: "stream", Since: "5.0.0",
			Summary: "Returns the number of messages that were successfully acknowledged by the consumer group member of a stream.", Run: xack},
		&Cmd{Name: "xackdel", Arity: -6, Flags: FlagWrite | FlagFast | FlagNoWake, FirstKey: 1, LastKey: 1, Step: 1, Group: "stream", Since: "8.2.0",
			Summary: "Acknowledges and conditionally deletes one or multiple entries (messages) for a stream consumer group at the specified key.", Run: xackdel},
		&Cmd{Name: "xdelex", Arity: -5, Flags: FlagWrite | FlagFast | FlagNoWake, FirstKey: 1, LastKey: 1, Step: 1, Group: "stream", Since: "8.2.0",
			Summary: "Deletes one or multiple entries from the stream.", Run: xdelex},
	)
}

// XACK key group id [id ...]
func xack(c *Ctx) {
	sv, ok := c.stream(c.Args[1])
	if !ok {
		return
	}
	var g *groups.Group
	if sv != nil {
		g = sv.group(c.Args[2])
	}
	if g == nil { // nothing to ack, whatever the IDs look like
		c.W.Int(0)
		return
	}
	// All IDs must parse before any is acked. Parsing twice keeps this hot
	// path free of allocations.
	for _, a := range c.Args[3:] {
		if _, ok := c.parseID(a); !ok {
			return
		}
	}
	var acked int64
	for _, a := range c.Args[3:] {
		id, _ := streams.ParseStrictID(a)
		if g.Ack(id) {
			acked++
		}
	}
	c.Dirty(acked)
	c.W.Int(acked)
}

// parseIDs parses strict IDs, all or nothing.
func (c *Ctx) parseIDs(args [][]byte) ([]streams.ID, bool) {
	ids := make([]streams.ID, len(args))
	for i, a := range args {
		var ok bool
		if ids[i], ok = c.parseID(a); !ok {
			return nil, false
		}
	}
	return ids, true
}

// ackDelArgs are the options of XACKDEL and XDELEX.
type ackDelArgs struct {
	policy refPolicy
	ids    [][]byte
}

// parseAckDel parses [KEEPREF|DELREF|ACKED] IDS numids id... from args[at:]
// as Redis's streamParseAckDelArgsOrReply.
func (c *Ctx) parseAckDel(at int) (ackDelArgs, bool) {
	var a ackDelArgs
	policySet := false
	args := c.Args
	for j := at; j < len(args); {
		if p, ok := parseRefPolicy(args[j]); ok && !policySet {
			a.policy, policySet = p, true
			j++
			continue
		}
		if !Equal(args[j], "ids") || j+1 >= len(args) {
			c.Error(ErrSyntax)
			return a, false
		}
		n, ok := c.rangeInt(args[j+1], 1, math.MaxInt64, "ERR Number of IDs must be a positive integer")
		if !ok {
			return a, false
		}
		if n > int64(len(args)-j-2) {
			c.Error("ERR The `numids` parameter must match the number of arguments")
			return a, false
		}
		a.ids = args[j+2 : j+2+int(n)]
		j += 2 + int(n)
	}
	if a.ids == nil {
		c.Error("ERR IDS option is required")
		return a, false
	}
	return a, true
}

// rangeInt is Redis's getRangeLongFromObjectOrReply with a message: msg
// for a non-number and for one out of range.
func (c *Ctx) rangeInt(b []byte, lo, hi int64, msg string) (int64, bool) {
	n, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil || (len(b) > 0 && b[0] == '+') || n < lo || n > hi {
		c.Error(msg)
		return 0, false
	}
	return n, true
}

// replyAll answers v for each of n IDs (-1 for a missing key or group).
func replyAll(c *Ctx, n int, v int64) {
	c.W.Array(n)
	for range n {
		c.W.Int(v)
	}
}

// XACKDEL key group [KEEPREF|DELREF|ACKED] IDS numids id [id ...]
func xackdel(c *Ctx) {
	sv, ok := c.stream(c.Args[1])
	if !ok {
		return
	}
	a, ok := c.parseAckDel(3)
	if !ok {
		return
	}
	var g *groups.Group
	if sv != nil {
		g = sv.group(c.Args[2])
	}
	if g == nil {
		replyAll(c, len(a.ids), delNotFound)
		return
	}
	ids, ok := c.parseIDs(a.ids)
	if !ok {
		return
	}
	c.W.Array(len(ids))
	for _, id := range ids {
		if !g.Ack(id) {
			c.W.Int(delNotFound)
			continue
		}
		c.Dirty(1)
		// An entry acked but already gone from the stream counts as deleted.
		if res := sv.deleteEntry(id, a.policy); res == delReferenced {
			c.W.Int(delReferenced)
		} else {
			c.W.Int(delDeleted)
		}
	}
}

// XDELEX key [KEEPREF|DELREF|ACKED] IDS numids id [id ...]
func xdelex(c *Ctx) {
	sv, ok := c.stream(c.Args[1])
	if !ok {
		return
	}
	a, ok := c.parseAckDel(2)
	if !ok {
		return
	}
	if sv == nil {
		replyAll(c, len(a.ids), delNotFound)
		return
	}
	ids, ok := c.parseIDs(a.ids)
	if !ok {
		return
	}
	c.W.Array(len(ids))
	for _, id := range ids {
		res := sv.deleteEntry(id, a.policy)
		if res == delDeleted || a.policy == refDelete {
			c.Dirty(1)
		}
		c.W.Int(res)
	}
}
