package commands

import (
	"math"
	"strconv"

	"sluice/internal/redisint"
	"sluice/kernel"
)

// maxStringSize is proto-max-bulk-len's default, the largest string value.
const maxStringSize = 512 << 20

// str returns the string at key (nil if missing); ok is false, with
// WRONGTYPE replied, when key holds another type.
func str(c *Ctx, key []byte) (*kernel.String, bool) { return c.String(key) }

// set options
const (
	setNX = 1 << iota
	setXX
	setGet
	setKeepTTL
	setPersist
	setEX
	setPX
	setEXAT
	setPXAT
)

const setExpireFlags = setEX | setPX | setEXAT | setPXAT

// parseExpireOpts parses SET's and GETEX's options as Redis's
// parseExtendedStringArgumentsOrReply; forSet selects which are allowed.
// It returns the flags and the absolute expiry in unix ms (0 = none).
func parseExpireOpts(c *Ctx, from int, forSet bool) (int, int64, bool) {
	flags := 0
	var expArg []byte
	args := c.Args
	for j := from; j < len(args); j++ {
		o := args[j]
		hasNext := j+1 < len(args)
		switch {
		case forSet && equal(o, "nx") && flags&setXX == 0:
			flags |= setNX
		case forSet && equal(o, "xx") && flags&setNX == 0:
			flags |= setXX
		case forSet && equal(o, "get"):
			flags |= setGet
		case forSet && equal(o, "keepttl") && flags&(setPersist|setExpireFlags) == 0:
			flags |= setKeepTTL
		case !forSet && equal(o, "persist") && flags&(setKeepTTL|setExpireFlags) == 0:
			flags |= setPersist
		case equal(o, "ex") && flags&(setKeepTTL|setPersist|setExpireFlags) == 0 && hasNext:
			flags |= setEX
			j++
			expArg = args[j]
		case equal(o, "px") && flags&(setKeepTTL|setPersist|setExpireFlags) == 0 && hasNext:
			flags |= setPX
			j++
			expArg = args[j]
		case equal(o, "exat") && flags&(setKeepTTL|setPersist|setExpireFlags) == 0 && hasNext:
			flags |= setEXAT
			j++
			expArg = args[j]
		case equal(o, "pxat") && flags&(setKeepTTL|setPersist|setExpireFlags) == 0 && hasNext:
			flags |= setPXAT
			j++
			expArg = args[j]
		default:
			c.Error(errSyntax)
			return 0, 0, false
		}
	}
	if flags&setExpireFlags == 0 {
		return flags, 0, true
	}
	at, ok := expireAt(c, expArg, flags&(setEX|setEXAT) != 0, flags&(setEXAT|setPXAT) != 0)
	return flags, at, ok
}

// expireAt parses an expire argument of SET, GETEX, SETEX or PSETEX into
// an absolute time in unix ms, as Redis's getExpireMillisecondsOrReply.
func expireAt(c *Ctx, b []byte, seconds, abs bool) (int64, bool) {
	n, ok := c.Int(b)
	if !ok {
		return 0, false
	}
	invalid := "ERR invalid expire time in '" + c.Command().Name + "' command"
	if n <= 0 || (seconds && n > math.MaxInt64/1000) {
		c.Error(invalid)
		return 0, false
	}
	if seconds {
		n *= 1000
	}
	if !abs {
		if n > math.MaxInt64-c.Now {
			c.Error(invalid)
			return 0, false
		}
		n += c.Now
	}
	if n <= 0 {
		c.Error(invalid)
		return 0, false
	}
	return n, true
}

// SET key value [NX|XX] [GET] [EX s|PX ms|EXAT ts|PXAT ts|KEEPTTL]
func set(c *Ctx) {
	flags, at, ok := parseExpireOpts(c, 3, true)
	if !ok {
		return
	}
	key := c.Args[1]
	var old *kernel.String
	if flags&setGet != 0 {
		if old, ok = str(c, key); !ok {
			return
		}
	}
	found := c.Lookup(key) != nil
	if (flags&setNX != 0 && found) || (flags&setXX != 0 && !found) {
		if flags&setGet != 0 {
			replyStr(c.W, old)
		} else {
			c.W.Null()
		}
		return
	}
	c.SetString(key, c.Args[2], flags&setKeepTTL != 0)
	if at != 0 {
		c.SetExpire(key, at)
	}
	c.Dirty(1)
	if flags&setGet != 0 {
		replyStr(c.W, old) // strings never change in place: old is still the old value
	} else {
		c.W.Status("OK")
	}
}

func replyStr(w Reply, s *kernel.String) {
	if s == nil {
		w.Null()
		return
	}
	w.Bulk(s.B)
}

// GET key
func get(c *Ctx) {
	s, ok := str(c, c.Args[1])
	if ok {
		replyStr(c.W, s)
	}
}

// GETDEL key
func getdel(c *Ctx) {
	s, ok := str(c, c.Args[1])
	if !ok {
		return
	}
	replyStr(c.W, s)
	if s != nil {
		c.DeleteKey(c.Args[1])
		c.Dirty(1)
	}
}

// GETEX key [EX s|PX ms|EXAT ts|PXAT ts|PERSIST]
func getex(c *Ctx) {
	flags, at, ok := parseExpireOpts(c, 2, false)
	if !ok {
		return
	}
	key := c.Args[1]
	s, ok := str(c, key)
	if !ok {
		return
	}
	replyStr(c.W, s)
	if s == nil {
		return
	}
	switch {
	case at != 0 && at <= c.Now:
		c.DeleteKey(key)
		c.Dirty(1)
	case at != 0:
		c.SetExpire(key, at)
		c.Dirty(1)
	case flags&setPersist != 0 && c.DB().Expire(string(key)) != -1:
		c.Persist(key)
		c.Dirty(1)
	}
}

// GETSET key value
func getset(c *Ctx) {
	s, ok := str(c, c.Args[1])
	if !ok {
		return
	}
	replyStr(c.W, s)
	c.SetString(c.Args[1], c.Args[2], false)
	c.Dirty(1)
}

// SETNX key value
func setnx(c *Ctx) {
	if c.Lookup(c.Args[1]) != nil {
		c.W.Int(0)
		return
	}
	c.SetString(c.Args[1], c.Args[2], false)
	c.Dirty(1)
	c.W.Int(1)
}

func setex(c *Ctx)  { setWithExpire(c, false) }
func psetex(c *Ctx) { setWithExpire(c, true) }

// SETEX key seconds value, PSETEX key milliseconds value
func setWithExpire(c *Ctx, ms bool) {
	at, ok := expireAt(c, c.Args[2], !ms, false)
	if !ok {
		return
	}
	c.SetString(c.Args[1], c.Args[3], false)
	c.SetExpire(c.Args[1], at)
	c.Dirty(1)
	c.W.Status("OK")
}

// MGET key [key ...]
func mget(c *Ctx) {
	c.W.Array(len(c.Args) - 1)
	for _, k := range c.Args[1:] {
		if s, ok := c.Lookup(k).(*kernel.String); ok {
			c.W.Bulk(s.B)
		} else {
			c.W.Null()
		}
	}
}

func mset(c *Ctx)   { msetCmd(c, false) }
func msetnx(c *Ctx) { msetCmd(c, true) }

// MSET key value [key value ...], MSETNX key value [key value ...]
func msetCmd(c *Ctx, nx bool) {
	if len(c.Args)%2 == 0 {
		c.ArgErr()
		return
	}
	if nx {
		for i := 1; i < len(c.Args); i += 2 {
			if c.Lookup(c.Args[i]) != nil {
				c.W.Int(0)
				return
			}
		}
	}
	for i := 1; i < len(c.Args); i += 2 {
		c.SetString(c.Args[i], c.Args[i+1], false)
	}
	c.Dirty(int64(len(c.Args) / 2))
	if nx {
		c.W.Int(1)
	} else {
		c.W.Status("OK")
	}
}

func incr(c *Ctx) { incrBy(c, 1) }
func decr(c *Ctx) { incrBy(c, -1) }

// incrBy adds by to the integer at key (INCR, DECR, INCRBY, DECRBY). The
// key keeps its TTL, as in Redis.
func incrBy(c *Ctx, by int64) {
	s, ok := str(c, c.Args[1])
	if !ok {
		return
	}
	var cur int64
	if s != nil {
		if cur, ok = redisint.Parse(s.B); !ok {
			c.Error(errNotInt)
			return
		}
	}
	if (by < 0 && cur < 0 && by < math.MinInt64-cur) || (by > 0 && cur > 0 && by > math.MaxInt64-cur) {
		c.Error("ERR increment or decrement would overflow")
		return
	}
	cur += by
	var buf [24]byte
	c.SetString(c.Args[1], strconv.AppendInt(buf[:0], cur, 10), true)
	c.Dirty(1)
	c.W.Int(cur)
}

func incrbyCmd(c *Ctx) {
	by, ok := c.Int(c.Args[2])
	if ok {
		incrBy(c, by)
	}
}

func decrbyCmd(c *Ctx) {
	by, ok := c.Int(c.Args[2])
	if !ok {
		return
	}
	if by == math.MinInt64 {
		c.Error("ERR decrement would overflow")
		return
	}
	incrBy(c, -by)
}

// APPEND key value; the key keeps its TTL.
func appendCmd(c *Ctx) {
	s, ok := str(c, c.Args[1])
	if !ok {
		return
	}
	if s == nil {
		c.SetString(c.Args[1], c.Args[2], false)
		c.Dirty(1)
		c.W.Int(int64(len(c.Args[2])))
		return
	}
	if len(s.B)+len(c.Args[2]) > maxStringSize {
		c.Error("ERR string exceeds maximum allowed size (proto-max-bulk-len)")
		return
	}
	b := append(append(make([]byte, 0, len(s.B)+len(c.Args[2])), s.B...), c.Args[2]...)
	c.SetString(c.Args[1], b, true)
	c.Dirty(1)
	c.W.Int(int64(len(b)))
}

// STRLEN key
func strlen(c *Ctx) {
	s, ok := str(c, c.Args[1])
	if !ok {
		return
	}
	if s == nil {
		c.W.Int(0)
		return
	}
	c.W.Int(int64(len(s.B)))
}
