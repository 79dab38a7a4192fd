package engine

import (
	"strconv"

	"sluice/streams"
)

// trimArgs are the MAXLEN/MINID, LIMIT and KEEPREF/DELREF/ACKED options
// shared by XADD and XTRIM.
type trimArgs struct {
	streams.Trim
	given       bool // MAXLEN or MINID
	limitGiven  bool
	policy      refPolicy
	policyGiven bool
	// positions of the strategy keyword and of LIMIT (0 = absent), for
	// the resolved form an approximate trim is logged as
	strategyAt, limitAt int
}

// parseTrimOption consumes one trimming option at args[i], as Redis's
// streamParseAddOrTrimArgsOrReply does, and returns the position of the
// last argument it used. handled is false when args[i] is no trimming
// option; ok is false when an error was replied.
func (c *Ctx) parseTrimOption(args [][]byte, i int, t *trimArgs) (last int, handled, ok bool) {
	more := len(args) - 1 - i
	opt := args[i]
	if p, isPolicy := parseRefPolicy(opt); isPolicy {
		if t.policyGiven {
			c.Error(ErrSyntax)
			return 0, true, false
		}
		t.policy, t.policyGiven = p, true
		return i, true, true
	}
	switch {
	case (Equal(opt, "maxlen") || Equal(opt, "minid")) && more > 0:
		if t.given {
			c.Error("ERR syntax error, MAXLEN and MINID options at the same time are not compatible")
			return 0, true, false
		}
		t.strategyAt = i
		t.ByMinID = Equal(opt, "minid")
		t.Approx = false
		if next := args[i+1]; more >= 2 && len(next) == 1 && (next[0] == '~' || next[0] == '=') {
			t.Approx = next[0] == '~'
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
		return i + 1, true, true
	case Equal(opt, "limit") && more > 0:
		n, ok := c.Int(args[i+1])
		if !ok {
			return 0, true, false
		}
		if n < 0 {
			c.Error("ERR The LIMIT argument must be >= 0.")
			return 0, true, false
		}
		t.Limit, t.limitGiven, t.limitAt = n, true, i
		return i + 1, true, true
	}
	return i, false, true
}

// finishTrim applies Redis's checks and LIMIT defaults once all options
// are read. xtrim demands a strategy.
func (c *Ctx) finishTrim(t *trimArgs, xtrim bool) bool {
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
		t.Limit = 100 * c.e.cfg.int("stream-node-max-entries")
		if t.Limit <= 0 || t.Limit > 1<<30 {
			t.Limit = 10000
		}
	default:
		t.Limit = 0
	}
	return true
}

// apply trims sv under the reference policy and returns the number of
// entries removed.
func (t *trimArgs) apply(sv *streamValue) int64 {
	tr := t.Trim
	sv.trimHooks(t.policy, &tr)
	return sv.Trim(tr)
}

// resolvedArgs returns args with an approximate trim rewritten as the exact
// trim it amounted to ("MAXLEN = <length now>", without LIMIT), as Redis
// rewrites it for its AOF: "~" cuts at block boundaries, which depend on
// the stream-node-max-* settings in force, so replay must not redo it.
// Removing the oldest unprotected entries down to the resulting length
// removes exactly the same entries under every reference policy. The
// result lives in engine scratch space until the record is encoded.
func (t *trimArgs) resolvedArgs(c *Ctx, args [][]byte, length uint64) [][]byte {
	e := c.e
	out := e.logArgs[:0]
	for i := 0; i < len(args); i++ {
		switch {
		case t.limitGiven && i == t.limitAt:
			i++
		case i == t.strategyAt:
			e.logNum = strconv.AppendUint(e.logNum[:0], length, 10)
			out = append(out, kwMaxLen, kwExact, e.logNum)
			i += 2 // "~" and the threshold
		default:
			out = append(out, args[i])
		}
	}
	e.logArgs = out
	return out
}

var kwMaxLen, kwExact = []byte("MAXLEN"), []byte("=")
