package engine

import (
	"math"
	"strconv"
)

func init() {
	k1 := func(c *Cmd) *Cmd { c.FirstKey, c.LastKey, c.Step = 1, 1, 1; return c }
	register(
		k1(&Cmd{Name: "set", Arity: -3, Flags: FlagWrite, Group: "string", Since: "1.0.0",
			Summary: "Sets the string value of a key, ignoring its type. The key is created if it doesn't exist.", Run: set}),
		k1(&Cmd{Name: "get", Arity: 2, Flags: FlagReadOnly | FlagFast, Group: "string", Since: "1.0.0",
			Summary: "Returns the string value of a key.", Run: get}),
		k1(&Cmd{Name: "getdel", Arity: 2, Flags: FlagWrite | FlagFast, Group: "string", Since: "6.2.0",
			Summary: "Returns the string value of a key after deleting the key.", Run: getdel}),
		k1(&Cmd{Name: "getex", Arity: -2, Flags: FlagWrite | FlagFast, Group: "string", Since: "6.2.0",
			Summary: "Returns the string value of a key after setting its expiration time.", Run: getex}),
		k1(&Cmd{Name: "getset", Arity: 3, Flags: FlagWrite, Group: "string", Since: "1.0.0",
			Summary: "Returns the previous string value of a key after setting it to a new value.", Run: getset}),
		k1(&Cmd{Name: "setnx", Arity: 3, Flags: FlagWrite | FlagFast, Group: "string", Since: "1.0.0",
			Summary: "Set the string value of a key only when the key doesn't exist.", Run: setnx}),
		k1(&Cmd{Name: "setex", Arity: 4, Flags: FlagWrite, Group: "string", Since: "2.0.0",
			Summary: "Sets the string value and expiration time of a key. Creates the key if it doesn't exist.", Run: func(c *Ctx) { setex(c, false) }}),
		k1(&Cmd{Name: "psetex", Arity: 4, Flags: FlagWrite, Group: "string", Since: "2.6.0",
			Summary: "Sets both string value and expiration time in milliseconds of a key. The key is created if it doesn't exist.", Run: func(c *Ctx) { setex(c, true) }}),
		&Cmd{Name: "mget", Arity: -2, Flags: FlagReadOnly | FlagFast, FirstKey: 1, LastKey: -1, Step: 1, Group: "string", Since: "1.0.0",
			Summary: "Atomically returns the string values of one or more keys.", Run: mget},
		&Cmd{Name: "mset", Arity: -3, Flags: FlagWrite, FirstKey: 1, LastKey: -1, Step: 2, Group: "string", Since: "1.0.1",
			Summary: "Atomically creates or modifies the string values of one or more keys.", Run: func(c *Ctx) { mset(c, false) }},
		&Cmd{Name: "msetnx", Arity: -3, Flags: FlagWrite, FirstKey: 1, LastKey: -1, Step: 2, Group: "string", Since: "1.0.1",
			Summary: "Atomically modifies the string values of one or more keys only when all keys don't exist.", Run: func(c *Ctx) { mset(c, true) }},
		k1(&Cmd{Name: "incr", Arity: 2, Flags: FlagWrite | FlagFast, Group: "string", Since: "1.0.0",
			Summary: "Increments the integer value of a key by one. Uses 0 as initial value if the key doesn't exist.", Run: func(c *Ctx) { incrBy(c, 1) }}),
		k1(&Cmd{Name: "decr", Arity: 2, Flags: FlagWrite | FlagFast, Group: "string", Since: "1.0.0",
			Summary: "Decrements the integer value of a key by one. Uses 0 as initial value if the key doesn't exist.", Run: func(c *Ctx) { incrBy(c, -1) }}),
		k1(&Cmd{Name: "incrby", Arity: 3, Flags: FlagWrite | FlagFast, Group: "string", Since: "1.0.0",
			Summary: "Increments the integer value of a key by a number. Uses 0 as initial value if the key doesn't exist.", Run: incrbyCmd}),
		k1(&Cmd{Name: "decrby", Arity: 3, Flags: FlagWrite | FlagFast, Group: "string", Since: "1.0.0",
			Summary: "Decrements a number from the integer value of a key. Uses 0 as initial value if the key doesn't exist.", Run: decrbyCmd}),
		k1(&Cmd{Name: "append", Arity: 3, Flags: FlagWrite, Group: "string", Since: "2.0.0",
			Summary: "Appends a string to the value of a key. Creates the key if it doesn't exist.", Run: appendCmd}),
		k1(&Cmd{Name: "strlen", Arity: 2, Flags: FlagReadOnly | FlagFast, Group: "string", Since: "2.2.0",
			Summary: "Returns the length of a string value.", Run: strlen}),
	)
}

// maxStringSize is proto-max-bulk-len's default, the largest string value.
const maxStringSize = 512 << 20

// str returns the string at key (nil if missing); ok is false, with
// WRONGTYPE replied, when key holds another type.
func (c *Ctx) str(key []byte) (sv *stringValue, ok bool) {
	v := c.db.lookup(string(key), c.Now)
	if v == nil {
		return nil, true
	}
	sv, isStr := v.(*stringValue)
	if !isStr {
		c.Error(ErrWrongType)
		return nil, false
	}
	return sv, true
}

// setString stores a copy of b at key, dropping any expiry unless keepTTL.
func (c *Ctx) setString(key string, b []byte, keepTTL bool) {
	c.lookupWrite(key)
	c.db.set(key, &stringValue{b: append([]byte(nil), b...)})
	if !keepTTL {
		delete(c.db.expires, key)
	}
}

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
func (c *Ctx) parseExpireOpts(from int, forSet bool) (int, int64, bool) {
	flags := 0
	var expArg []byte
	args := c.Args
	for j := from; j < len(args); j++ {
		o := args[j]
		hasNext := j+1 < len(args)
		switch {
		case forSet && Equal(o, "nx") && flags&setXX == 0:
			flags |= setNX
		case forSet && Equal(o, "xx") && flags&setNX == 0:
			flags |= setXX
		case forSet && Equal(o, "get"):
			flags |= setGet
		case forSet && Equal(o, "keepttl") && flags&(setPersist|setExpireFlags) == 0:
			flags |= setKeepTTL
		case !forSet && Equal(o, "persist") && flags&(setKeepTTL|setExpireFlags) == 0:
			flags |= setPersist
		case Equal(o, "ex") && flags&(setKeepTTL|setPersist|setExpireFlags) == 0 && hasNext:
			flags |= setEX
			j++
			expArg = args[j]
		case Equal(o, "px") && flags&(setKeepTTL|setPersist|setExpireFlags) == 0 && hasNext:
			flags |= setPX
			j++
			expArg = args[j]
		case Equal(o, "exat") && flags&(setKeepTTL|setPersist|setExpireFlags) == 0 && hasNext:
			flags |= setEXAT
			j++
			expArg = args[j]
		case Equal(o, "pxat") && flags&(setKeepTTL|setPersist|setExpireFlags) == 0 && hasNext:
			flags |= setPXAT
			j++
			expArg = args[j]
		default:
			c.Error(ErrSyntax)
			return 0, 0, false
		}
	}
	if flags&setExpireFlags == 0 {
		return flags, 0, true
	}
	at, ok := c.expireAt(expArg, flags&(setEX|setEXAT) != 0, flags&(setEXAT|setPXAT) != 0)
	return flags, at, ok
}

// expireAt parses an expire argument of SET, GETEX, SETEX or PSETEX into
// an absolute time in unix ms, as Redis's getExpireMillisecondsOrReply.
func (c *Ctx) expireAt(b []byte, seconds, abs bool) (int64, bool) {
	n, ok := c.Int(b)
	if !ok {
		return 0, false
	}
	invalid := "ERR invalid expire time in '" + c.cmd.Name + "' command"
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
	flags, at, ok := c.parseExpireOpts(3, true)
	if !ok {
		return
	}
	key := string(c.Args[1])
	var old *stringValue
	if flags&setGet != 0 {
		if old, ok = c.str(c.Args[1]); !ok {
			return
		}
	}
	found := c.db.lookup(key, c.Now) != nil
	if (flags&setNX != 0 && found) || (flags&setXX != 0 && !found) {
		if flags&setGet != 0 {
			replyStr(c.W, old)
		} else {
			c.W.Null()
		}
		return
	}
	if old != nil {
		// the reply must not alias the value being replaced
		old = &stringValue{b: old.b}
	}
	c.setString(key, c.Args[2], flags&setKeepTTL != 0)
	if at != 0 {
		c.db.setExpire(key, at)
	}
	c.Dirty(1)
	if flags&setGet != 0 {
		replyStr(c.W, old)
	} else {
		c.W.Status("OK")
	}
}

func replyStr(w Reply, sv *stringValue) {
	if sv == nil {
		w.Null()
		return
	}
	w.Bulk(sv.b)
}

// GET key
func get(c *Ctx) {
	sv, ok := c.str(c.Args[1])
	if ok {
		replyStr(c.W, sv)
	}
}

// GETDEL key
func getdel(c *Ctx) {
	sv, ok := c.str(c.Args[1])
	if !ok {
		return
	}
	replyStr(c.W, sv)
	if sv != nil {
		c.db.remove(string(c.Args[1]))
		c.Dirty(1)
	}
}

// GETEX key [EX s|PX ms|EXAT ts|PXAT ts|PERSIST]
func getex(c *Ctx) {
	flags, at, ok := c.parseExpireOpts(2, false)
	if !ok {
		return
	}
	sv, ok := c.str(c.Args[1])
	if !ok {
		return
	}
	replyStr(c.W, sv)
	if sv == nil {
		return
	}
	key := string(c.Args[1])
	switch {
	case at != 0 && at <= c.Now:
		c.db.remove(key)
		c.Dirty(1)
	case at != 0:
		c.db.setExpire(key, at)
		c.Dirty(1)
	case flags&setPersist != 0:
		if _, had := c.db.expires[key]; had {
			delete(c.db.expires, key)
			c.Dirty(1)
		}
	}
}

// GETSET key value
func getset(c *Ctx) {
	sv, ok := c.str(c.Args[1])
	if !ok {
		return
	}
	replyStr(c.W, sv)
	c.setString(string(c.Args[1]), c.Args[2], false)
	c.Dirty(1)
}

// SETNX key value
func setnx(c *Ctx) {
	key := string(c.Args[1])
	if c.db.lookup(key, c.Now) != nil {
		c.W.Int(0)
		return
	}
	c.setString(key, c.Args[2], false)
	c.Dirty(1)
	c.W.Int(1)
}

// SETEX key seconds value, PSETEX key milliseconds value
func setex(c *Ctx, ms bool) {
	at, ok := c.expireAt(c.Args[2], !ms, false)
	if !ok {
		return
	}
	key := string(c.Args[1])
	c.setString(key, c.Args[3], false)
	c.db.setExpire(key, at)
	c.Dirty(1)
	c.W.Status("OK")
}

// MGET key [key ...]
func mget(c *Ctx) {
	c.W.Array(len(c.Args) - 1)
	for _, k := range c.Args[1:] {
		if sv, ok := c.db.lookup(string(k), c.Now).(*stringValue); ok {
			c.W.Bulk(sv.b)
		} else {
			c.W.Null()
		}
	}
}

// MSET key value [key value ...], MSETNX key value [key value ...]
func mset(c *Ctx, nx bool) {
	if len(c.Args)%2 == 0 {
		c.ArgErr()
		return
	}
	if nx {
		for i := 1; i < len(c.Args); i += 2 {
			if c.db.lookup(string(c.Args[i]), c.Now) != nil {
				c.W.Int(0)
				return
			}
		}
	}
	for i := 1; i < len(c.Args); i += 2 {
		c.setString(string(c.Args[i]), c.Args[i+1], false)
	}
	c.Dirty(int64(len(c.Args) / 2))
	if nx {
		c.W.Int(1)
	} else {
		c.W.Status("OK")
	}
}

// parseStrictInt parses an integer as Redis's string2ll: no spaces, no
// plus sign, no leading zeros, at most 20 characters.
func parseStrictInt(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 20 {
		return 0, false
	}
	if b[0] == '+' || (len(b) > 1 && b[0] == '0') || (len(b) > 2 && b[0] == '-' && b[1] == '0') {
		return 0, false
	}
	if len(b) == 2 && b[0] == '-' && b[1] == '0' {
		return 0, false
	}
	n, err := strconv.ParseInt(string(b), 10, 64)
	return n, err == nil
}

// incrBy adds by to the integer at key (INCR, DECR, INCRBY, DECRBY).
func incrBy(c *Ctx, by int64) {
	sv, ok := c.str(c.Args[1])
	if !ok {
		return
	}
	var cur int64
	if sv != nil {
		if cur, ok = parseStrictInt(sv.b); !ok {
			c.Error(ErrNotInt)
			return
		}
	}
	if (by < 0 && cur < 0 && by < math.MinInt64-cur) || (by > 0 && cur > 0 && by > math.MaxInt64-cur) {
		c.Error("ERR increment or decrement would overflow")
		return
	}
	cur += by
	key := string(c.Args[1])
	nb := strconv.AppendInt(nil, cur, 10)
	if sv != nil {
		sv.b = nb // keeps the TTL, as Redis does
	} else {
		c.lookupWrite(key)
		c.db.set(key, &stringValue{b: nb})
	}
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

// APPEND key value
func appendCmd(c *Ctx) {
	sv, ok := c.str(c.Args[1])
	if !ok {
		return
	}
	if sv == nil {
		c.setString(string(c.Args[1]), c.Args[2], false)
		c.Dirty(1)
		c.W.Int(int64(len(c.Args[2])))
		return
	}
	if len(sv.b)+len(c.Args[2]) > maxStringSize {
		c.Error("ERR string exceeds maximum allowed size (proto-max-bulk-len)")
		return
	}
	sv.b = append(sv.b, c.Args[2]...)
	c.Dirty(1)
	c.W.Int(int64(len(sv.b)))
}

// STRLEN key
func strlen(c *Ctx) {
	sv, ok := c.str(c.Args[1])
	if !ok {
		return
	}
	if sv == nil {
		c.W.Int(0)
		return
	}
	c.W.Int(int64(len(sv.b)))
}
