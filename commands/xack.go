package commands

import (
	"math"

	"sluice/groups"
	"sluice/kernel"
	"sluice/streams"
)

// XACK key group id [id ...]
func xack(c *Ctx) {
	key := c.Args[1]
	s, ok := c.Stream(key)
	if !ok {
		return
	}
	var g *groups.Group
	if s != nil {
		g = s.Group(c.Args[2])
	}
	if g == nil { // nothing to ack, whatever the IDs look like
		c.W.Int(0)
		return
	}
	// All IDs must parse before any is acked.
	ids := c.IDScratch()
	for _, a := range c.Args[3:] {
		id, ok := c.ParseID(a)
		if !ok {
			return
		}
		ids = append(ids, id)
	}
	acked := c.Ack(key, g, ids)
	c.KeepIDScratch(ids)
	c.Dirty(acked)
	c.W.Int(acked)
}

// ackDelArgs are the options of XACKDEL and XDELEX.
type ackDelArgs struct {
	policy kernel.RefPolicy
	ids    [][]byte
}

// parseAckDel parses [KEEPREF|DELREF|ACKED] IDS numids id... from args[at:]
// as Redis's streamParseAckDelArgsOrReply.
func parseAckDel(c *Ctx, at int) (ackDelArgs, bool) {
	var a ackDelArgs
	policySet := false
	args := c.Args
	for j := at; j < len(args); {
		if p, ok := parseRefPolicy(args[j]); ok && !policySet {
			a.policy, policySet = p, true
			j++
			continue
		}
		if !equal(args[j], "ids") || j+1 >= len(args) {
			c.Error(errSyntax)
			return a, false
		}
		n, ok := c.IntRange(args[j+1], 1, math.MaxInt64, "ERR Number of IDs must be a positive integer")
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

// replyAll answers v for each of n IDs (-1 for a missing key or group).
func replyAll(c *Ctx, n int, v int64) {
	c.W.Array(n)
	for range n {
		c.W.Int(v)
	}
}

// XACKDEL key group [KEEPREF|DELREF|ACKED] IDS numids id [id ...]
func xackdel(c *Ctx) {
	key := c.Args[1]
	s, ok := c.Stream(key)
	if !ok {
		return
	}
	a, ok := parseAckDel(c, 3)
	if !ok {
		return
	}
	var g *groups.Group
	if s != nil {
		g = s.Group(c.Args[2])
	}
	if g == nil {
		replyAll(c, len(a.ids), kernel.DelNotFound)
		return
	}
	ids, ok := parseIDs(c, a.ids)
	if !ok {
		return
	}
	// Ack what is pending, then delete those entries; the rest answer -1.
	res := make([]int64, len(ids))
	var pending []streams.ID
	for i, id := range ids {
		res[i] = kernel.DelNotFound
		if _, ok := g.Lookup(id); ok && !containsID(pending, id) {
			pending = append(pending, id)
			res[i] = kernel.DelDeleted
		}
	}
	c.Ack(key, g, pending)
	c.Dirty(int64(len(pending)))
	dres := make([]int64, len(pending))
	c.DeleteEntries(key, s, a.policy, pending, dres)
	c.W.Array(len(ids))
	j := 0
	for i, id := range ids {
		if res[i] == kernel.DelDeleted && j < len(pending) && pending[j] == id {
			// An entry acked but already gone from the stream counts as deleted.
			if dres[j] == kernel.DelReferenced {
				res[i] = kernel.DelReferenced
			}
			j++
		}
		c.W.Int(res[i])
	}
}

func containsID(ids []streams.ID, id streams.ID) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// XDELEX key [KEEPREF|DELREF|ACKED] IDS numids id [id ...]
func xdelex(c *Ctx) {
	key := c.Args[1]
	s, ok := c.Stream(key)
	if !ok {
		return
	}
	a, ok := parseAckDel(c, 2)
	if !ok {
		return
	}
	if s == nil {
		replyAll(c, len(a.ids), kernel.DelNotFound)
		return
	}
	ids, ok := parseIDs(c, a.ids)
	if !ok {
		return
	}
	res := make([]int64, len(ids))
	n := c.DeleteEntries(key, s, a.policy, ids, res)
	if a.policy == kernel.DelRef {
		n = int64(len(ids))
	}
	c.Dirty(n)
	c.W.Array(len(ids))
	for _, r := range res {
		c.W.Int(r)
	}
}
