package commands

import (
	"math"
	"strings"

	"sluice/kernel"
)

// XCFGSET key [IDMP-DURATION duration] [IDMP-MAXSIZE maxsize]
// [MAXAGE ms] [MAXLEN n] [MAXBYTES n] [DISCARD OLD|NEW|ACKED]
//
// The IDMP options are Redis 8.6's; the others are sluice's own limits
// (0 turns one off), kept by XADD and, for MAXAGE, a background sweep.
func xcfgset(c *Ctx) {
	args := c.Args
	duration, maxSize := int64(-1), int64(-1)
	var r kernel.Retention
	given := map[string]bool{}
	for i := 2; i < len(args); i += 2 {
		opt := strings.ToLower(string(args[i]))
		if i+1 >= len(args) {
			c.Error(errSyntax)
			return
		}
		given[opt] = true
		v := args[i+1]
		switch opt {
		case "idmp-duration", "idmp-maxsize":
			n, ok := c.Int(v)
			if !ok {
				return
			}
			if opt == "idmp-duration" {
				if n < 1 || n > kernel.IDMPMaxDuration {
					c.Error("ERR IDMP-DURATION must be between 1 and 86400 seconds")
					return
				}
				duration = n
			} else {
				if n < 1 || n > kernel.IDMPMaxMaxSize {
					c.Error("ERR IDMP-MAXSIZE must be between 1 and 10000 entries")
					return
				}
				maxSize = n
			}
		case "maxage", "maxlen", "maxbytes":
			n, ok := c.IntRange(v, 0, math.MaxInt64, "ERR "+strings.ToUpper(opt)+" must be a non-negative integer")
			if !ok {
				return
			}
			switch opt {
			case "maxage":
				r.MaxAge = n
			case "maxlen":
				r.MaxLen = uint64(n)
			default:
				r.MaxBytes = uint64(n)
			}
		case "discard":
			d, ok := kernel.ParseDiscard(string(v))
			if !ok {
				c.Error("ERR DISCARD must be OLD, NEW or ACKED")
				return
			}
			r.Discard = d
		default:
			c.Error(errSyntax)
			return
		}
	}
	if len(given) == 0 {
		c.Error("ERR At least one parameter must be specified")
		return
	}
	key := args[1]
	sv, ok := c.Stream(key)
	if !ok {
		return
	}
	if sv == nil {
		c.Error(errNoKey)
		return
	}
	if duration >= 0 || maxSize >= 0 {
		cur := c.IDMP(sv)
		if duration < 0 {
			duration = cur.Duration
		}
		if maxSize < 0 {
			maxSize = int64(cur.MaxSize)
		}
		c.ConfigureIDMP(key, sv, duration, int(maxSize))
	}
	if given["maxage"] || given["maxlen"] || given["maxbytes"] || given["discard"] {
		// Options not given keep their values.
		cur := sv.Retention()
		if !given["maxage"] {
			r.MaxAge = cur.MaxAge
		}
		if !given["maxlen"] {
			r.MaxLen = cur.MaxLen
		}
		if !given["maxbytes"] {
			r.MaxBytes = cur.MaxBytes
		}
		if !given["discard"] {
			r.Discard = cur.Discard
		}
		c.SetRetention(key, sv, r)
		enforce(c, key, sv)
	}
	c.Dirty(1)
	c.W.Status("OK")
}
