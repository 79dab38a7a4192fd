package engine

import (
	"math"

	"sluice/streams"
)

func init() {
	register(
		&Cmd{Name: "xrange", Arity: -4, Flags: FlagReadOnly, FirstKey: 1, LastKey: 1, Step: 1, Group: "stream", Since: "5.0.0",
			Summary: "Returns the messages from a stream within a range of IDs.", Run: func(c *Ctx) { xrange(c, false) }},
		&Cmd{Name: "xrevrange", Arity: -4, Flags: FlagReadOnly, FirstKey: 1, LastKey: 1, Step: 1, Group: "stream", Since: "5.0.0",
			Summary: "Returns the messages from a stream within a range of IDs in reverse order.", Run: func(c *Ctx) { xrange(c, true) }},
		&Cmd{Name: "xlen", Arity: 2, Flags: FlagReadOnly | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Group: "stream", Since: "5.0.0",
			Summary: "Return the number of messages in a stream.", Run: xlen},
	)
}

// parseInterval parses a range bound with the exclusive "(" prefix.
func (c *Ctx) parseInterval(b []byte, isEnd bool) (streams.ID, bool) {
	excl := len(b) > 1 && b[0] == '('
	var id streams.ID
	var err error
	switch {
	case excl && isEnd:
		// "(" takes a strict ID: "(-" and "(+" are errors, as in Redis.
		id, err = streams.ParseID(b[1:], math.MaxUint64)
	case excl:
		id, err = streams.ParseStrictID(b[1:])
	default:
		id, err = streams.ParseRangeID(b, isEnd)
	}
	if err != nil {
		c.Error(err.Error())
		return id, false
	}
	if !excl {
		return id, true
	}
	var ok bool
	if isEnd {
		if id, ok = id.Prev(); !ok {
			c.Error("ERR invalid end ID for the interval")
		}
	} else if id, ok = id.Next(); !ok {
		c.Error("ERR invalid start ID for the interval")
	}
	return id, ok
}

// XRANGE key start end [COUNT count], XREVRANGE key end start [COUNT count]
func xrange(c *Ctx, rev bool) {
	sa, ea := c.Args[2], c.Args[3]
	if rev {
		sa, ea = ea, sa
	}
	start, ok := c.parseInterval(sa, false)
	if !ok {
		return
	}
	end, ok := c.parseInterval(ea, true)
	if !ok {
		return
	}
	count := int64(-1)
	for j := 4; j < len(c.Args); j++ {
		if Equal(c.Args[j], "count") && j+1 < len(c.Args) {
			n, ok := c.Int(c.Args[j+1])
			if !ok {
				return
			}
			count = max(n, 0)
			j++
			continue
		}
		c.Error(ErrSyntax)
		return
	}
	sv, ok := c.stream(c.Args[1])
	if !ok {
		return
	}
	if sv == nil {
		c.W.Array(0)
		return
	}
	if count == 0 {
		c.W.NullArray()
		return
	}
	if count < 0 {
		count = math.MaxInt64
	}
	replyRange(c.W, sv.Stream, start, end, rev, count)
}

// replyRange writes up to count entries of a range as an array.
func replyRange(w Reply, s *streams.Stream, start, end streams.ID, rev bool, count int64) {
	mark := w.DeferArray()
	var n int64
	var buf [48]byte
	s.Range(start, end, rev, func(id streams.ID, fv [][]byte) bool {
		replyEntry(w, id, fv, buf[:0])
		n++
		return n < count
	})
	w.SetArray(mark, int(n))
}

func xlen(c *Ctx) {
	sv, ok := c.stream(c.Args[1])
	if !ok {
		return
	}
	if sv == nil {
		c.W.Int(0)
		return
	}
	c.W.Int(int64(sv.Len()))
}
