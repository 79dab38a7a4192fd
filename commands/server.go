package commands

import (
	"strconv"
	"time"
)

// PING [message]
func ping(c *Ctx) {
	switch len(c.Args) {
	case 1:
		c.W.Status("PONG")
	case 2:
		c.W.Bulk(c.Args[1])
	default:
		c.ArgErr()
	}
}

// ECHO message
func echo(c *Ctx) { c.W.Bulk(c.Args[1]) }

// SELECT index
func selectCmd(c *Ctx) {
	n, ok := c.Int(c.Args[1])
	if !ok {
		return
	}
	if n < 0 || n >= int64(c.NumDBs()) {
		c.Error("ERR DB index is out of range")
		return
	}
	c.Select(int(n))
	c.W.Status("OK")
}

// DBSIZE
func dbsize(c *Ctx) { c.W.Int(int64(c.DB().Len())) }

// TIME
func timeCmd(c *Ctx) {
	now := time.Now()
	c.W.Array(2)
	c.W.BulkString(strconv.FormatInt(now.Unix(), 10))
	c.W.BulkString(strconv.FormatInt(int64(now.Nanosecond()/1000), 10))
}

// parseFlushMode parses FLUSHDB/FLUSHALL's optional ASYNC|SYNC in args
// (the command's arguments after its name).
func parseFlushMode(c *Ctx, args [][]byte) bool {
	if len(args) > 1 {
		c.Error(errSyntax)
		return false
	}
	if len(args) == 1 && !equal(args[0], "sync") && !equal(args[0], "async") {
		c.Error(errSyntax)
		return false
	}
	return true
}

// FLUSHDB [ASYNC|SYNC]
func flushdb(c *Ctx) {
	if !parseFlushMode(c, c.Args[1:]) {
		return
	}
	// Always logged, even when empty, so a replay reaches the same state.
	c.Dirty(max(int64(c.DB().Len()), 1))
	c.FlushDB()
	c.W.Status("OK")
}

// FLUSHALL [ASYNC|SYNC]
func flushall(c *Ctx) {
	if !parseFlushMode(c, c.Args[1:]) {
		return
	}
	var removed int64
	for i := range c.NumDBs() {
		removed += int64(c.Database(i).Len())
	}
	c.Dirty(max(removed, 1))
	c.FlushAll()
	c.W.Status("OK")
}

// SWAPDB index1 index2
func swapdb(c *Ctx) {
	a, ok := c.IntOr(c.Args[1], "ERR invalid first DB index")
	if !ok {
		return
	}
	b, ok := c.IntOr(c.Args[2], "ERR invalid second DB index")
	if !ok {
		return
	}
	n := int64(c.NumDBs())
	if a < 0 || a >= n || b < 0 || b >= n {
		c.Error("ERR DB index is out of range")
		return
	}
	if a != b {
		c.SwapDB(int(a), int(b))
	}
	c.Dirty(1)
	c.W.Status("OK")
}
