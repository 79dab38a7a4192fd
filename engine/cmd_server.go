package engine

import (
	"strconv"
	"time"
)

func init() {
	register(
		&Cmd{Name: "ping", Arity: -1, Flags: FlagFast, Group: "connection", Since: "1.0.0",
			Summary: "Returns the server's liveliness response.", Run: ping},
		&Cmd{Name: "echo", Arity: 2, Flags: FlagFast, Group: "connection", Since: "1.0.0",
			Summary: "Returns the given string.", Run: func(c *Ctx) { c.W.Bulk(c.Args[1]) }},
		&Cmd{Name: "select", Arity: 2, Flags: FlagFast, Group: "connection", Since: "1.0.0",
			Summary: "Changes the selected database.", Run: selectCmd},
		&Cmd{Name: "dbsize", Arity: 1, Flags: FlagReadOnly | FlagFast, Group: "server", Since: "1.0.0",
			Summary: "Returns the number of keys in the database.", Run: func(c *Ctx) { c.W.Int(int64(c.db.Len())) }},
		&Cmd{Name: "time", Arity: 1, Flags: FlagFast, Group: "server", Since: "2.6.0",
			Summary: "Returns the server time.", Run: timeCmd},
		&Cmd{Name: "flushdb", Arity: -1, Flags: FlagWrite, Group: "server", Since: "1.0.0",
			Summary: "Removes all keys from the current database.", Run: func(c *Ctx) { flush(c, false) }},
		&Cmd{Name: "flushall", Arity: -1, Flags: FlagWrite, Group: "server", Since: "1.0.0",
			Summary: "Removes all keys from all databases.", Run: func(c *Ctx) { flush(c, true) }},
		&Cmd{Name: "swapdb", Arity: 3, Flags: FlagWrite | FlagFast, Group: "server", Since: "4.0.0",
			Summary: "Swaps two Redis databases.", Run: swapdb},
	)
}

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

// SELECT index
func selectCmd(c *Ctx) {
	n, err := strconv.ParseInt(string(c.Args[1]), 10, 64)
	if err != nil {
		c.Error("ERR value is not an integer or out of range")
		return
	}
	if n < 0 || n >= int64(len(c.e.dbs)) {
		c.Error("ERR DB index is out of range")
		return
	}
	c.cl.DB = int(n)
	c.db = c.e.dbs[n]
	c.W.Status("OK")
}

// TIME
func timeCmd(c *Ctx) {
	now := time.Now()
	c.W.Array(2)
	c.W.BulkString(strconv.FormatInt(now.Unix(), 10))
	c.W.BulkString(strconv.FormatInt(int64(now.Nanosecond()/1000), 10))
}

// parseFlushMode parses FLUSHDB/FLUSHALL's optional ASYNC|SYNC.
func parseFlushMode(c *Ctx) bool {
	if len(c.Args) > 2 {
		c.Error(ErrSyntax)
		return false
	}
	if len(c.Args) == 2 && !Equal(c.Args[1], "sync") && !Equal(c.Args[1], "async") {
		c.Error(ErrSyntax)
		return false
	}
	return true
}

// FLUSHDB [ASYNC|SYNC], FLUSHALL [ASYNC|SYNC]
func flush(c *Ctx, all bool) {
	if !parseFlushMode(c) {
		return
	}
	dbs := []*DB{c.db}
	if all {
		dbs = c.e.dbs
	}
	var removed int64
	for _, d := range dbs {
		removed += int64(d.Len())
		d.flush()
		c.e.touchAll(d)
	}
	// FLUSHALL is always propagated (it resets the dataset even when
	// empty); FLUSHDB too, so a replay reaches the same state.
	c.Dirty(max(removed, 1))
	c.W.Status("OK")
}

// SWAPDB index1 index2
func swapdb(c *Ctx) {
	a, err1 := strconv.ParseInt(string(c.Args[1]), 10, 64)
	if err1 != nil {
		c.Error("ERR invalid first DB index")
		return
	}
	b, err2 := strconv.ParseInt(string(c.Args[2]), 10, 64)
	if err2 != nil {
		c.Error("ERR invalid second DB index")
		return
	}
	n := int64(len(c.e.dbs))
	if a < 0 || a >= n || b < 0 || b >= n {
		c.Error("ERR DB index is out of range")
		return
	}
	if a != b {
		// The data moves; waiters and WATCHes stay with the index, as in
		// Redis, and all of them are woken.
		x, y := c.e.dbs[a], c.e.dbs[b]
		x.keys, y.keys = y.keys, x.keys
		x.expires, y.expires = y.expires, x.expires
		x.order, y.order = y.order, x.order
		c.e.touchAll(x)
		c.e.touchAll(y)
	}
	c.Dirty(1)
	c.W.Status("OK")
}
