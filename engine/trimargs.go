package engine

import "sluice/streams"

// trimArgs are the MAXLEN/MINID options shared by XADD and XTRIM.
type trimArgs struct {
	streams.Trim
	given      bool
	limitGiven bool
}

// parseTrimOption consumes one trimming option at args[i], as Redis's
// streamParseAddOrTrimArgsOrReply does, and returns the next position.
// handled is false when args[i] is no trimming option.
func (c *Ctx) parseTrimOption(args [][]byte, i int, t *trimArgs) (next int, handled, ok bool) {
	more := len(args) - 1 - i
	opt := args[i]
	switch {
	case Equal(opt, "maxlen") && more > 0, Equal(opt, "minid") && more > 0:
		if t.given {
			c.Error("ERR syntax error, MAXLEN and MINID options at the same time are not compatible")
			return 0, true, false
		}
		t.ByMinID = Equal(opt, "minid")
		t.Approx = false
		if more >= 2 && len(args[i+1]) == 1 && (args[i+1][0] == '~' || args[i+1][0] == '=') {
			t.Approx = args[i+1][0] == '~'
			i++
		}
		if t.ByMinID {
			id, ok := c.parseID(args[i+1])
			if !ok {
				return 0, true, false
			}
			t.MinID = id
		} else {
			n, ok := c.Int(args[i+1])
			if !ok {
				return 0, true, false
			}
			if n < 0 {
				c.Error("ERR The MAXLEN argument must be >= 0.")
				return 0, true, false
			}
			t.MaxLen = uint64(n)
		}
		t.given = true
		return i + 2, true, true
	case Equal(opt, "limit") && more > 0:
		n, ok := c.Int(args[i+1])
		if !ok {
			return 0, true, false
		}
		if n < 0 {
			c.Error("ERR The LIMIT argument must be >= 0.")
			return 0, true, false
		}
		t.Limit, t.limitGiven = n, true
		return i + 2, true, true
	}
	return i, false, true
}

// finish applies Redis's LIMIT rules once all options are read.
func (c *Ctx) finishTrim(t *trimArgs) bool {
	if t.limitGiven {
		if !t.Approx {
			c.Error("ERR syntax error, LIMIT cannot be used without the special ~ option")
			return false
		}
		return true
	}
	if t.Approx {
		t.Limit = 100 * c.e.cfg.int("stream-node-max-entries")
		if t.Limit <= 0 || t.Limit > 1<<30 {
			t.Limit = 10000
		}
	} else {
		t.Limit = 0
	}
	return true
}
