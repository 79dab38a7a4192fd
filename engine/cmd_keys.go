package engine

import (
	"math"
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/tidwall/btree"

	"sluice/groups"
	"sluice/streams"
)

func init() {
	k1 := func(c *Cmd) *Cmd { c.FirstKey, c.LastKey, c.Step = 1, 1, 1; return c }
	kAll := func(c *Cmd) *Cmd { c.FirstKey, c.LastKey, c.Step = 1, -1, 1; return c }
	k12 := func(c *Cmd) *Cmd { c.FirstKey, c.LastKey, c.Step = 1, 2, 1; return c }
	register(
		kAll(&Cmd{Name: "del", Arity: -2, Flags: FlagWrite, Group: "generic", Since: "1.0.0",
			Summary: "Deletes one or more keys.", Run: del}),
		kAll(&Cmd{Name: "unlink", Arity: -2, Flags: FlagWrite | FlagFast, Group: "generic", Since: "4.0.0",
			Summary: "Asynchronously deletes one or more keys.", Run: del}),
		kAll(&Cmd{Name: "exists", Arity: -2, Flags: FlagReadOnly | FlagFast, Group: "generic", Since: "1.0.0",
			Summary: "Determines whether one or more keys exist.", Run: exists}),
		kAll(&Cmd{Name: "touch", Arity: -2, Flags: FlagReadOnly | FlagFast, Group: "generic", Since: "3.2.1",
			Summary: "Returns the number of existing keys out of those specified after updating the time they were last accessed.", Run: exists}),
		k1(&Cmd{Name: "type", Arity: 2, Flags: FlagReadOnly | FlagFast, Group: "generic", Since: "1.0.0",
			Summary: "Determines the type of value stored at a key.", Run: typeCmd}),
		&Cmd{Name: "keys", Arity: 2, Flags: FlagReadOnly, Group: "generic", Since: "1.0.0",
			Summary: "Returns all key names that match a pattern.", Run: keys},
		&Cmd{Name: "scan", Arity: -2, Flags: FlagReadOnly, Group: "generic", Since: "2.8.0",
			Summary: "Iterates over the key names in the database.", Run: scan},
		&Cmd{Name: "randomkey", Arity: 1, Flags: FlagReadOnly, Group: "generic", Since: "1.0.0",
			Summary: "Returns a random key name from the database.", Run: randomkey},
		k12(&Cmd{Name: "rename", Arity: 3, Flags: FlagWrite, Group: "generic", Since: "1.0.0",
			Summary: "Renames a key and overwrites the destination.", Run: func(c *Ctx) { rename(c, false) }}),
		k12(&Cmd{Name: "renamenx", Arity: 3, Flags: FlagWrite | FlagFast, Group: "generic", Since: "1.0.0",
			Summary: "Renames a key only when the target key name doesn't exist.", Run: func(c *Ctx) { rename(c, true) }}),
		k12(&Cmd{Name: "copy", Arity: -3, Flags: FlagWrite, Group: "generic", Since: "6.2.0",
			Summary: "Copies the value of a key to a new key.", Run: copyCmd}),
		k1(&Cmd{Name: "expire", Arity: -3, Flags: FlagWrite | FlagFast, Group: "generic", Since: "1.0.0",
			Summary: "Sets the expiration time of a key in seconds.", Run: func(c *Ctx) { expire(c, false, false) }}),
		k1(&Cmd{Name: "pexpire", Arity: -3, Flags: FlagWrite | FlagFast, Group: "generic", Since: "2.6.0",
			Summary: "Sets the expiration time of a key in milliseconds.", Run: func(c *Ctx) { expire(c, true, false) }}),
		k1(&Cmd{Name: "expireat", Arity: -3, Flags: FlagWrite | FlagFast, Group: "generic", Since: "1.2.0",
			Summary: "Sets the expiration time of a key to a Unix timestamp.", Run: func(c *Ctx) { expire(c, false, true) }}),
		k1(&Cmd{Name: "pexpireat", Arity: -3, Flags: FlagWrite | FlagFast, Group: "generic", Since: "2.6.0",
			Summary: "Sets the expiration time of a key to a Unix milliseconds timestamp.", Run: func(c *Ctx) { expire(c, true, true) }}),
		k1(&Cmd{Name: "ttl", Arity: 2, Flags: FlagReadOnly | FlagFast, Group: "generic", Since: "1.0.0",
			Summary: "Returns the expiration time in seconds of a key.", Run: func(c *Ctx) { ttl(c, false, false) }}),
		k1(&Cmd{Name: "pttl", Arity: 2, Flags: FlagReadOnly | FlagFast, Group: "generic", Since: "2.6.0",
			Summary: "Returns the expiration time in milliseconds of a key.", Run: func(c *Ctx) { ttl(c, true, false) }}),
		k1(&Cmd{Name: "expiretime", Arity: 2, Flags: FlagReadOnly | FlagFast, Group: "generic", Since: "7.0.0",
			Summary: "Returns the expiration time of a key as a Unix timestamp.", Run: func(c *Ctx) { ttl(c, false, true) }}),
		k1(&Cmd{Name: "pexpiretime", Arity: 2, Flags: FlagReadOnly | FlagFast, Group: "generic", Since: "7.0.0",
			Summary: "Returns the expiration time of a key as a Unix milliseconds timestamp.", Run: func(c *Ctx) { ttl(c, true, true) }}),
		k1(&Cmd{Name: "persist", Arity: 2, Flags: FlagWrite | FlagFast, Group: "generic", Since: "2.2.0",
			Summary: "Removes the expiration time of a key.", Run: persist}),
	)
}

// DEL key [key ...], UNLINK key [key ...]
func del(c *Ctx) {
	var n int64
	for _, k := range c.Args[1:] {
		ks := string(k)
		live := c.db.lookup(ks, c.Now) != nil
		if c.db.remove(ks) && live {
			n++
		}
	}
	c.Dirty(n)
	c.W.Int(n)
}

// EXISTS key [key ...], TOUCH key [key ...]
func exists(c *Ctx) {
	var n int64
	for _, k := range c.Args[1:] {
		if c.db.lookup(string(k), c.Now) != nil {
			n++
		}
	}
	c.W.Int(n)
}

func typeName(v value) string {
	if v == nil {
		return "none"
	}
	return v.typeName()
}

// TYPE key
func typeCmd(c *Ctx) {
	c.W.Status(typeName(c.db.lookup(string(c.Args[1]), c.Now)))
}

// KEYS pattern
func keys(c *Ctx) {
	pat := c.Args[1]
	all := len(pat) == 1 && pat[0] == '*'
	m := c.W.DeferArray()
	n := 0
	c.db.order.Scan(func(sk scanKey) bool {
		if (all || GlobMatch(pat, []byte(sk.key))) && !c.db.expired(sk.key, c.Now) {
			c.W.BulkString(sk.key)
			n++
		}
		return true
	})
	c.W.SetArray(m, n)
}

// knownTypes are the type names SCAN TYPE accepts.
var knownTypes = map[string]bool{"string": true, "list": true, "set": true, "zset": true, "hash": true, "stream": true}

// SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]
//
// The cursor is the hash of the next key to visit; keys are walked in
// (hash, name) order, and a call never stops between two keys of the same
// hash, so a key present for the whole iteration is returned exactly once.
func scan(c *Ctx) {
	cursor, err := strconv.ParseUint(string(c.Args[1]), 10, 64)
	if err != nil {
		c.Error("ERR invalid cursor")
		return
	}
	count := int64(10)
	var pat []byte
	typ := ""
	for i := 2; i < len(c.Args); i++ {
		more := i+1 < len(c.Args)
		switch {
		case Equal(c.Args[i], "count") && more:
			n, ok := c.Int(c.Args[i+1])
			if !ok {
				return
			}
			if n < 1 {
				c.Error(ErrSyntax)
				return
			}
			count = n
			i++
		case Equal(c.Args[i], "match") && more:
			pat = c.Args[i+1]
			if len(pat) == 1 && pat[0] == '*' {
				pat = nil
			}
			i++
		case Equal(c.Args[i], "type") && more:
			typ = strings.ToLower(string(c.Args[i+1]))
			if !knownTypes[typ] {
				c.Error("ERR unknown type name '" + string(c.Args[i+1]) + "'")
				return
			}
			i++
		default:
			c.Error(ErrSyntax)
			return
		}
	}
	var found []string
	next := uint64(0)
	var visited int64
	var lastHash uint64
	c.db.order.Ascend(scanKey{hash: cursor}, func(sk scanKey) bool {
		if visited >= count && sk.hash != lastHash {
			next = sk.hash
			return false
		}
		visited++
		lastHash = sk.hash
		if pat != nil && !GlobMatch(pat, []byte(sk.key)) {
			return true
		}
		v := c.db.lookup(sk.key, c.Now)
		if v == nil || (typ != "" && v.typeName() != typ) {
			return true
		}
		found = append(found, sk.key)
		return true
	})
	c.W.Array(2)
	c.W.BulkString(strconv.FormatUint(next, 10))
	c.W.Array(len(found))
	for _, k := range found {
		c.W.BulkString(k)
	}
}

// RANDOMKEY
func randomkey(c *Ctx) {
	n := c.db.order.Len()
	for try := 0; n > 0 && try < 100; try++ {
		sk, _ := c.db.order.GetAt(rand.IntN(n))
		if !c.db.expired(sk.key, c.Now) {
			c.W.BulkString(sk.key)
			return
		}
	}
	// Mostly expired keys: look at them all.
	var found string
	ok := false
	c.db.order.Scan(func(sk scanKey) bool {
		if !c.db.expired(sk.key, c.Now) {
			found, ok = sk.key, true
			return false
		}
		return true
	})
	if !ok {
		c.W.Null()
		return
	}
	c.W.BulkString(found)
}

// RENAME key newkey, RENAMENX key newkey
func rename(c *Ctx, nx bool) {
	src, dst := string(c.Args[1]), string(c.Args[2])
	v := c.lookupWrite(src)
	if v == nil {
		c.Error(ErrNoKey)
		return
	}
	if src == dst {
		if nx {
			c.W.Int(0)
		} else {
			c.W.Status("OK")
		}
		return
	}
	at := c.db.getExpire(src)
	if c.lookupWrite(dst) != nil {
		if nx {
			c.W.Int(0)
			return
		}
		c.db.remove(dst)
	}
	c.db.remove(src)
	c.db.set(dst, v)
	if at != -1 {
		c.db.setExpire(dst, at)
	}
	c.Dirty(1)
	if nx {
		c.W.Int(1)
	} else {
		c.W.Status("OK")
	}
}

// COPY source destination [DB destination-db] [REPLACE]
func copyCmd(c *Ctx) {
	dstDB := c.db
	replace := false
	for i := 3; i < len(c.Args); i++ {
		switch {
		case Equal(c.Args[i], "replace"):
			replace = true
		case Equal(c.Args[i], "db") && i+1 < len(c.Args):
			n, err := strconv.ParseInt(string(c.Args[i+1]), 10, 64)
			if err != nil {
				c.Error(ErrNotInt)
				return
			}
			if n < 0 || n >= int64(len(c.e.dbs)) {
				c.Error("ERR DB index is out of range")
				return
			}
			dstDB = c.e.dbs[n]
			i++
		default:
			c.Error(ErrSyntax)
			return
		}
	}
	src, dst := string(c.Args[1]), string(c.Args[2])
	if dstDB == c.db && src == dst {
		c.Error("ERR source and destination objects are the same")
		return
	}
	v := c.db.lookup(src, c.Now)
	if v == nil {
		c.W.Int(0)
		return
	}
	if dstDB.expired(dst, c.Now) {
		dstDB.remove(dst)
	}
	if dstDB.keys[dst] != nil {
		if !replace {
			c.W.Int(0)
			return
		}
		dstDB.remove(dst)
	}
	dstDB.set(dst, copyValue(v, c.e.limits()))
	if at := c.db.getExpire(src); at != -1 {
		dstDB.setExpire(dst, at)
	}
	if dstDB != c.db {
		c.e.keyTouched(dstDB, dst)
	}
	c.Dirty(1)
	c.W.Int(1)
}

// copyValue returns an independent deep copy of a value.
func copyValue(v value, lim streams.Limits) value {
	switch x := v.(type) {
	case *stringValue:
		return &stringValue{b: append([]byte(nil), x.b...)}
	case *streamValue:
		s := streams.New()
		x.EachBlock(func(b streams.Block) bool {
			b.Data = append([]byte(nil), b.Data...)
			s.LoadBlock(b)
			return true
		})
		s.SetMeta(x.LastID(), x.EntriesAdded(), x.MaxDeletedID())
		nv := &streamValue{Stream: s}
		x.eachGroup(func(g *groups.Group) bool {
			ng := groups.New(g.Name(), g.LastID(), g.EntriesRead())
			owners := map[*groups.Consumer]*groups.Consumer{}
			g.Consumers(func(cn *groups.Consumer) bool {
				owners[cn] = ng.RestoreConsumer(cn.Name(), cn.SeenTime(), cn.ActiveTime())
				return true
			})
			g.ScanByID(func(n groups.NACK) bool {
				ng.RestoreNACK(n, owners[g.Owner(n)], n.Order())
				return true
			})
			if nv.ext.groups == nil {
				nv.ext.groups = &btree.Map[string, *groups.Group]{}
			}
			nv.ext.groups.Set(ng.Name(), ng)
			return true
		})
		// IDMP state is not copied: it needs a deep copy from its owner
		// (sharing the pointer would let the copies change each other).
		return nv
	}
	return v
}

// expire options
const (
	expNX = 1 << iota
	expXX
	expGT
	expLT
)

// EXPIRE key seconds [NX|XX|GT|LT] and PEXPIRE, EXPIREAT, PEXPIREAT
func expire(c *Ctx, ms, abs bool) {
	flags := 0
	for _, o := range c.Args[3:] {
		switch {
		case Equal(o, "nx"):
			flags |= expNX
		case Equal(o, "xx"):
			flags |= expXX
		case Equal(o, "gt"):
			flags |= expGT
		case Equal(o, "lt"):
			flags |= expLT
		default:
			c.Error("ERR Unsupported option " + string(o))
			return
		}
	}
	if flags&expNX != 0 && flags&(expXX|expGT|expLT) != 0 {
		c.Error("ERR NX and XX, GT or LT options at the same time are not compatible")
		return
	}
	if flags&expGT != 0 && flags&expLT != 0 {
		c.Error("ERR GT and LT options at the same time are not compatible")
		return
	}
	when, ok := c.Int(c.Args[2])
	if !ok {
		return
	}
	invalid := "ERR invalid expire time in '" + c.cmd.Name + "' command"
	if !ms {
		if when > math.MaxInt64/1000 || when < math.MinInt64/1000 {
			c.Error(invalid)
			return
		}
		when *= 1000
	}
	if !abs {
		if when > math.MaxInt64-c.Now {
			c.Error(invalid)
			return
		}
		when += c.Now
	}
	key := string(c.Args[1])
	if c.lookupWrite(key) == nil {
		c.W.Int(0)
		return
	}
	if flags != 0 {
		cur := c.db.getExpire(key)
		if (flags&expNX != 0 && cur != -1) ||
			(flags&expXX != 0 && cur == -1) ||
			(flags&expGT != 0 && (cur == -1 || when <= cur)) ||
			(flags&expLT != 0 && cur != -1 && when >= cur) {
			c.W.Int(0)
			return
		}
	}
	if when <= c.Now {
		c.db.remove(key)
		c.e.gen().expiredKeys++
	} else {
		c.db.setExpire(key, when)
	}
	c.Dirty(1)
	c.W.Int(1)
}

// TTL, PTTL, EXPIRETIME, PEXPIRETIME
func ttl(c *Ctx, ms, abs bool) {
	key := string(c.Args[1])
	if c.db.lookup(key, c.Now) == nil {
		c.W.Int(-2)
		return
	}
	at := c.db.getExpire(key)
	if at == -1 {
		c.W.Int(-1)
		return
	}
	t := at
	if !abs {
		t = max(at-c.Now, 0)
	}
	if !ms {
		t = (t + 500) / 1000
	}
	c.W.Int(t)
}

// PERSIST key
func persist(c *Ctx) {
	key := string(c.Args[1])
	if c.lookupWrite(key) == nil || c.db.getExpire(key) == -1 {
		c.W.Int(0)
		return
	}
	delete(c.db.expires, key)
	c.Dirty(1)
	c.W.Int(1)
}
