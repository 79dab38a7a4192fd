package commands

import (
	"sluice/kernel"
	"sluice/streams"
)

// trimArgs are the MAXLEN/MINID, LIMIT and KEEPREF/DELREF/ACKED options
// shared by XADD and XTRIM.
type trimArgs struct {
	streams.Trim
	given       bool // MAXLEN or MINID
	limitGiven  bool
	policy      kernel.RefPolicy
	policyGiven bool
}

// parseTrimOption consumes one trimming option at args[i], as Redis's
// streamParseAddOrTrimArgsOrReply does, and returns the position of the
// last argument it used. handled is false when args[i] is no trimming
// option; ok is false when an error was replied.
func parseTrimOption(c *Ctx, args [][]byte, i int, t *trimArgs) (last int, handled, ok bool) {
	more := len(args) - 1 - i
	opt := args[i]
	if p, isPolicy := parseRefPolicy(opt); isPolicy {
		if t.policyGiven {
			c.Error(errSyntax)
			return 0, true, false
		}
		t.policy, t.policyGiven = p, true
		return i, true, true
	}
	switch {
	case (equal(opt, "maxlen") || equal(opt, "minid")) && more > 0:
		if t.given {
			c.Error("ERR syntax error, MAXLEN and MINID options at the same time are not compatible")
			return 0, true, false
		}
		t.ByMinID = equal(opt, "minid")
		t.Approx = false
		if next := args[i+1]; more >= 2 && len(next) == 1 && (next[0] == '~' || next[0] == '=') {
			t.Approx = next[0] == '~'
			i++
		}
		if t.ByMinID {
			id, ok := c.ParseID(args[i+1])
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
		return i + 1, true, true
	case equal(opt, "limit") && more > 0:
		n, ok := c.Int(args[i+1])
		if !ok {
			return 0, true, false
		}
		if n < 0 {
			c.Error("ERR The LIMIT argument must be >= 0.")
			return 0, true, false
		}
		t.Limit, t.limitGiven = n, true
		return i + 1, true, true
	}
	return i, false, true
}

// finishTrim applies Redis's checks and LIMIT defaults once all options
// are read. xtrim demands a strategy.
func finishTrim(c *Ctx, t *trimArgs, xtrim bool) bool {
	if t.Limit != 0 && !t.given {
		c.Error("ERR syntax error, LIMIT cannot be used without specifying a trimming strategy")
		return false
	}
	if xtrim && !t.given {
		c.Error("ERR syntax error, XTRIM must be called with a trimming strategy")
		return false
	}
	switch {
	case t.limitGiven && !t.Approx:
		c.Error("ERR syntax error, LIMIT cannot be used without the special ~ option")
		return false
	case t.limitGiven:
	case t.Approx:
		// Redis bounds the work of "~" to 100 nodes' worth by default.
		t.Limit = 100 * c.Config().Int("stream-node-max-entries")
		if t.Limit <= 0 || t.Limit > 1<<30 {
			t.Limit = 10000
		}
	default:
		t.Limit = 0
	}
	return true
}

// apply trims s under the reference policy and returns the number of
// entries removed.
func (t *trimArgs) apply(c *Ctx, key []byte, s *kernel.Stream) int64 {
	return c.Trim(key, s, t.Trim, t.policy)
}
