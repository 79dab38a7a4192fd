package commands

import (
	"math"

	"sluice/streams"
)

// parseInterval parses a range bound with the exclusive "(" prefix.
func parseInterval(c *Ctx, b []byte, isEnd bool) (streams.ID, bool) {
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
func xrangeCmd(c *Ctx) { xrange(c, false) }
func xrevrange(c *Ctx) { xrange(c, true) }

// XRANGE key start end [COUNT count], XREVRANGE key end start [COUNT count]
func xrange(c *Ctx, rev bool) {
	sa, ea := c.Args[2], c.Args[3]
	if rev {
		sa, ea = ea, sa
	}
	start, ok := parseInterval(c, sa, false)
	if !ok {
		return
	}
	end, ok := parseInterval(c, ea, true)
	if !ok {
		return
	}
	count := int64(-1)
	for j := 4; j < len(c.Args); j++ {
		if equal(c.Args[j], "count") && j+1 < len(c.Args) {
			n, ok := c.Int(c.Args[j+1])
			if !ok {
				return
			}
			count = max(n, 0)
			j++
			continue
		}
		c.Error(errSyntax)
		return
	}
	sv, ok := c.Stream(c.Args[1])
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
	sv, ok := c.Stream(c.Args[1])
	if !ok {
		return
	}
	if sv == nil {
		c.W.Int(0)
		return
	}
	c.W.Int(int64(sv.Len()))
}
