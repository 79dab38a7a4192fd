package commands

import (
	"math"
	"math/rand/v2"
	"strconv"
	"strings"

	"sluice/kernel"
)

// DEL key [key ...], UNLINK key [key ...]
func del(c *Ctx) {
	var n int64
	for _, k := range c.Args[1:] {
		live := c.Lookup(k) != nil
		// An expired key goes too, but does not count.
		if c.DeleteKey(k) && live {
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
		if c.Lookup(k) != nil {
			n++
		}
	}
	c.W.Int(n)
}

func typeName(v kernel.Value) string {
	if v == nil {
		return "none"
	}
	return v.TypeName()
}

// TYPE key
func typeCmd(c *Ctx) { c.W.Status(typeName(c.Lookup(c.Args[1]))) }

// KEYS pattern
func keys(c *Ctx) {
	pat := c.Args[1]
	all := len(pat) == 1 && pat[0] == '*'
	m := c.W.DeferArray()
	n := 0
	d := c.DB()
	d.Scan(kernel.ScanKey{}, func(sk kernel.ScanKey) bool {
		if (all || kernel.GlobMatch(pat, []byte(sk.Key))) && !d.Expired(sk.Key, c.Now) {
			c.W.BulkString(sk.Key)
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
		case equal(c.Args[i], "count") && more:
			n, ok := c.Int(c.Args[i+1])
			if !ok {
				return
			}
			if n < 1 {
				c.Error(errSyntax)
				return
			}
			count = n
			i++
		case equal(c.Args[i], "match") && more:
			pat = c.Args[i+1]
			if len(pat) == 1 && pat[0] == '*' {
				pat = nil
			}
			i++
		case equal(c.Args[i], "type") && more:
			typ = strings.ToLower(string(c.Args[i+1]))
			if !knownTypes[typ] {
				c.Error("ERR unknown type name '" + string(c.Args[i+1]) + "'")
				return
			}
			i++
		default:
			c.Error(errSyntax)
			return
		}
	}
	var found []string
	next := uint64(0)
	var visited int64
	var lastHash uint64
	d := c.DB()
	d.Scan(kernel.ScanKey{Hash: cursor}, func(sk kernel.ScanKey) bool {
		if visited >= count && sk.Hash != lastHash {
			next = sk.Hash
			return false
		}
		visited++
		lastHash = sk.Hash
		if pat != nil && !kernel.GlobMatch(pat, []byte(sk.Key)) {
			return true
		}
		v := d.Lookup(sk.Key, c.Now)
		if v == nil || (typ != "" && v.TypeName() != typ) {
			return true
		}
		found = append(found, sk.Key)
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
	d := c.DB()
	n := d.Len()
	for try := 0; n > 0 && try < 100; try++ {
		sk, _ := d.KeyAt(rand.IntN(n))
		if !d.Expired(sk.Key, c.Now) {
			c.W.BulkString(sk.Key)
			return
		}
	}
	// Mostly expired keys: look at them all.
	var found string
	ok := false
	d.Scan(kernel.ScanKey{}, func(sk kernel.ScanKey) bool {
		if !d.Expired(sk.Key, c.Now) {
			found, ok = sk.Key, true
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

func rename(c *Ctx)   { renameKey(c, false) }
func renamenx(c *Ctx) { renameKey(c, true) }

// RENAME key newkey, RENAMENX key newkey
func renameKey(c *Ctx, nx bool) {
	src, dst := c.Args[1], c.Args[2]
	if c.Lookup(src) == nil {
		c.Error(errNoKey)
		return
	}
	if string(src) == string(dst) {
		if nx {
			c.W.Int(0)
		} else {
			c.W.Status("OK")
		}
		return
	}
	if nx && c.Lookup(dst) != nil {
		c.W.Int(0)
		return
	}
	c.RenameKey(src, dst)
	c.Dirty(1)
	if nx {
		c.W.Int(1)
	} else {
		c.W.Status("OK")
	}
}

// COPY source destination [DB destination-db] [REPLACE]
func copyCmd(c *Ctx) {
	dstDB := c.DBIndex()
	replace := false
	for i := 3; i < len(c.Args); i++ {
		switch {
		case equal(c.Args[i], "replace"):
			replace = true
		case equal(c.Args[i], "db") && i+1 < len(c.Args):
			n, ok := c.Int(c.Args[i+1])
			if !ok {
				return
			}
			if n < 0 || n >= int64(c.NumDBs()) {
				c.Error("ERR DB index is out of range")
				return
			}
			dstDB = int(n)
			i++
		default:
			c.Error(errSyntax)
			return
		}
	}
	src, dst := c.Args[1], c.Args[2]
	if dstDB == c.DBIndex() && string(src) == string(dst) {
		c.Error("ERR source and destination objects are the same")
		return
	}
	if c.Lookup(src) == nil {
		c.W.Int(0)
		return
	}
	if !replace && c.Database(dstDB).Lookup(string(dst), c.Now) != nil {
		c.W.Int(0)
		return
	}
	c.CopyKey(src, dstDB, dst)
	c.Dirty(1)
	c.W.Int(1)
}

// expire options
const (
	expNX = 1 << iota
	expXX
	expGT
	expLT
)

func expireCmd(c *Ctx) { expire(c, false, false) }
func pexpire(c *Ctx)   { expire(c, true, false) }
func expireat(c *Ctx)  { expire(c, false, true) }
func pexpireat(c *Ctx) { expire(c, true, true) }

// EXPIRE key seconds [NX|XX|GT|LT] and PEXPIRE, EXPIREAT, PEXPIREAT
func expire(c *Ctx, ms, abs bool) {
	flags := 0
	for _, o := range c.Args[3:] {
		switch {
		case equal(o, "nx"):
			flags |= expNX
		case equal(o, "xx"):
			flags |= expXX
		case equal(o, "gt"):
			flags |= expGT
		case equal(o, "lt"):
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
	invalid := "ERR invalid expire time in '" + c.Command().Name + "' command"
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
	key := c.Args[1]
	if c.Lookup(key) == nil {
		c.W.Int(0)
		return
	}
	if flags != 0 {
		cur := c.DB().Expire(string(key))
		if (flags&expNX != 0 && cur != -1) ||
			(flags&expXX != 0 && cur == -1) ||
			(flags&expGT != 0 && (cur == -1 || when <= cur)) ||
			(flags&expLT != 0 && cur != -1 && when >= cur) {
			c.W.Int(0)
			return
		}
	}
	if when <= c.Now {
		c.DeleteKey(key)
	} else {
		c.SetExpire(key, when)
	}
	c.Dirty(1)
	c.W.Int(1)
}

func ttlCmd(c *Ctx)      { ttl(c, false, false) }
func pttl(c *Ctx)        { ttl(c, true, false) }
func expiretime(c *Ctx)  { ttl(c, false, true) }
func pexpiretime(c *Ctx) { ttl(c, true, true) }

// TTL, PTTL, EXPIRETIME, PEXPIRETIME
func ttl(c *Ctx, ms, abs bool) {
	key := c.Args[1]
	if c.Lookup(key) == nil {
		c.W.Int(-2)
		return
	}
	at := c.DB().Expire(string(key))
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
	key := c.Args[1]
	if c.Lookup(key) == nil || c.DB().Expire(string(key)) == -1 {
		c.W.Int(0)
		return
	}
	c.Persist(key)
	c.Dirty(1)
	c.W.Int(1)
}
