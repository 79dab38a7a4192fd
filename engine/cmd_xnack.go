package engine

import (
	"math"

	"sluice/groups"
)

func init() {
	register(&Cmd{Name: "xnack", Arity: -7, Flags: FlagWrite | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Group: "stream", Since: "8.8.0",
		Summary: "Releases pending messages back to the group's PEL without acknowledging them, making them available for re-delivery.", Run: xnack})
}

// XNACK key group SILENT|FAIL|FATAL IDS numids id [id ...] [RETRYCOUNT count] [FORCE]
//
// Several of its errors read "ERR ERR ...": Redis passes texts that already
// start with "ERR" to a function that adds another, and clients see both.
func xnack(c *Ctx) {
	args := c.Args
	sv, g, ok := c.streamGroup(args[1], args[2])
	if !ok {
		return
	}
	var mode groups.ReleaseMode
	switch m := args[3]; {
	case Equal(m, "silent"):
		mode = groups.Silent
	case Equal(m, "fail"):
		mode = groups.Fail
	case Equal(m, "fatal"):
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
		case Equal(o, "ids") && more > 0:
			n, ok := c.rangeInt(args[i+1], 1, math.MaxInt32, "ERR numids must be a positive integer")
			if !ok {
				return
			}
			if n > int64(len(args)-i-2) {
				c.Error("ERR ERR number of IDs doesn't match numids")
				return
			}
			idArgs = args[i+2 : i+2+int(n)]
			i += 1 + int(n)
		case Equal(o, "force"):
			force = true
		case Equal(o, "retrycount") && more > 0:
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
	ids, ok := c.parseIDs(idArgs)
	if !ok {
		return
	}
	var released int64
	for _, id := range ids {
		if g.Release(id, mode, retry, force, sv.has) {
			released++
		}
	}
	// Dirty also wakes XREADGROUP CLAIM readers: released entries are
	// claimable at once.
	c.Dirty(released)
	c.W.Int(released)
}
