package commands

import (
	"math"

	"sluice/groups"
	"sluice/streams"
)

// XNACK key group SILENT|FAIL|FATAL IDS numids id [id ...] [RETRYCOUNT count] [FORCE]
//
// Several of its errors read "ERR ERR ...": Redis passes texts that already
// start with "ERR" to a function that adds another, and clients see both.
func xnack(c *Ctx) {
	args := c.Args
	sv, g, ok := streamGroup(c, args[1], args[2])
	if !ok {
		return
	}
	var mode groups.ReleaseMode
	switch m := args[3]; {
	case equal(m, "silent"):
		mode = groups.Silent
	case equal(m, "fail"):
		mode = groups.Fail
	case equal(m, "fatal"):
		mode = groups.Fatal
	default:
		c.Error("ERR ERR mode must be SILENT, FAIL, or FATAL")
		return
	}
	var idArgs [][]byte
	force, retry := false, int64(-1)
	for i := 4; i < len(args); i++ {
		more := len(args) - 1 - i
		switch o := args[i]; {
		case equal(o, "ids") && more > 0:
			n, ok := c.IntRange(args[i+1], 1, math.MaxInt32, "ERR numids must be a positive integer")
			if !ok {
				return
			}
			if n > int64(len(args)-i-2) {
				c.Error("ERR ERR number of IDs doesn't match numids")
				return
			}
			idArgs = args[i+2 : i+2+int(n)]
			i += 1 + int(n)
		case equal(o, "force"):
			force = true
		case equal(o, "retrycount") && more > 0:
			i++
			if retry, ok = c.Int(args[i]); !ok {
				return
			}
			if retry < 0 {
				c.Error("ERR ERR Invalid RETRYCOUNT value, must be >= 0")
				return
			}
		default:
			c.Error("ERR ERR Unrecognized XNACK option '" + string(o) + "'")
			return
		}
	}
	if idArgs == nil {
		c.Error("ERR ERR syntax error, expected IDS keyword")
		return
	}
	ids, ok := parseIDs(c, idArgs)
	if !ok {
		return
	}
	var released int64
	dlq := deadLetterKey(args[1], g.Settings()) != ""
	for _, id := range ids {
		// One at a time, as Redis: an ID given twice meets its own release.
		if count, ok := g.Release(id, mode, retry, force, sv.Has); ok {
			c.Unown(args[1], g, []streams.ID{id}, []int64{count})
			released++
			if mode == groups.Fatal && retry < 0 && dlq {
				// A poison entry of a group with a dead-letter stream
				// goes there at once.
				n, _ := g.Lookup(id)
				deadLetter(c, args[1], sv, g, n)
			}
		}
	}
	c.Dirty(released)
	c.W.Int(released)
}
