package kernel

import (
	"strings"
	"time"

	"sluice/internal/redisint"
	"sluice/streams"
)

// Client is the engine's view of a connection.
type Client struct {
	ID   int64
	DB   int
	Name string
	// InExec is set while a transaction runs: blocking commands do not block.
	InExec bool
	// WaitReply, when set, is where the reply of a blocked command goes
	// (served by another client's write, or timed out): the connection's
	// own writer may still be busy when a write serves it. The protocol
	// layer moves it to the connection once Wait returns.
	WaitReply Reply
	// Parker, when set, is how the client's goroutine waits while blocked
	// (see Parker); without one it waits on channels and a timer.
	Parker Parker
	wait   *waiter // set while a blocking command waits
}

// Ctx is one command's execution: its arguments, its client, its reply,
// and the effects it applies.
type Ctx struct {
	e    *Engine
	cl   *Client
	cmd  *Command
	db   *DB
	dbi  int
	Args [][]byte
	W    Reply
	Now  int64 // unix ms, fixed for the command; effects that need a time use it
	// failed is set when the command replied with an error.
	failed bool
}

// Common error replies, worded as Redis words them.
const (
	ErrSyntax    = "ERR syntax error"
	ErrNotInt    = "ERR value is not an integer or out of range"
	ErrWrongType = "WRONGTYPE Operation against a key holding the wrong kind of value"
	ErrNoKey     = "ERR no such key"
)

// Error replies with an error and counts it in errorstats.
func (c *Ctx) Error(msg string) {
	c.failed = true
	c.e.countError(msg)
	c.W.Error(msg)
}

// Dirty counts n changes, as Redis's server.dirty: INFO's
// rdb_changes_since_last_save and the snapshot trigger read it. It does
// not decide what is logged; effects do.
func (c *Ctx) Dirty(n int64) { c.e.dirty += n }

// ArgErr replies with the wrong-arity error for this command.
func (c *Ctx) ArgErr() {
	c.Error("ERR wrong number of arguments for '" + c.cmd.FullName() + "' command")
}

// Int parses an integer argument as Redis's string2ll does, replying
// ErrNotInt when it is not one.
func (c *Ctx) Int(b []byte) (int64, bool) {
	return c.IntOr(b, ErrNotInt)
}

// IntOr parses an integer argument as Redis's string2ll does, replying msg
// when it is not one (getLongLongFromObjectOrReply with a message).
func (c *Ctx) IntOr(b []byte, msg string) (int64, bool) {
	n, ok := redisint.Parse(b)
	if !ok {
		c.Error(msg)
	}
	return n, ok
}

// IntRange parses an integer within [lo, hi], replying msg for a
// non-number and for one out of range (getRangeLongFromObjectOrReply).
func (c *Ctx) IntRange(b []byte, lo, hi int64, msg string) (int64, bool) {
	n, ok := redisint.Parse(b)
	if !ok || n < lo || n > hi {
		c.Error(msg)
		return 0, false
	}
	return n, true
}

// Command is the running command's table row.
func (c *Ctx) Command() *Command { return c.cmd }

// DB returns the client's selected database.
func (c *Ctx) DB() *DB { return c.db }

// DBIndex is the number of the client's selected database.
func (c *Ctx) DBIndex() int { return c.dbi }

// Database returns database i (0 <= i < NumDBs).
func (c *Ctx) Database(i int) *DB { return c.e.dbs[i] }

// NumDBs is the number of databases.
func (c *Ctx) NumDBs() int { return len(c.e.dbs) }

// Client returns the connection state.
func (c *Ctx) Client() *Client { return c.cl }

// Commands is the command table.
func (c *Ctx) Commands() *Table { return c.e.table }

// Config is the parameter store.
func (c *Ctx) Config() *Config { return c.e.cfg }

// Lookup returns the live value at key, nil if missing or expired.
func (c *Ctx) Lookup(key []byte) Value { return c.db.Lookup(string(key), c.Now) }

// Stream returns the stream at key, nil if missing; ok is false (and
// WRONGTYPE has been replied) when key holds another type.
func (c *Ctx) Stream(key []byte) (s *Stream, ok bool) {
	v := c.db.Lookup(string(key), c.Now)
	if v == nil {
		return nil, true
	}
	s, isStream := v.(*Stream)
	if !isStream {
		c.Error(ErrWrongType)
		return nil, false
	}
	return s, true
}

// String returns the string at key, nil if missing; ok is false (and
// WRONGTYPE has been replied) when key holds another type.
func (c *Ctx) String(key []byte) (s *String, ok bool) {
	v := c.db.Lookup(string(key), c.Now)
	if v == nil {
		return nil, true
	}
	s, isString := v.(*String)
	if !isString {
		c.Error(ErrWrongType)
		return nil, false
	}
	return s, true
}

// ParseID parses a strict stream ID argument, replying on error.
func (c *Ctx) ParseID(b []byte) (streams.ID, bool) {
	id, err := streams.ParseStrictID(b)
	if err != nil {
		c.Error(err.Error())
		return id, false
	}
	return id, true
}

// IDBuf is scratch space for formatting one ID into a reply without an
// allocation; valid until the next call.
func (c *Ctx) IDBuf() []byte { return c.e.idBuf[:0] }

// Limits are the stream-node-max-* settings in force.
func (c *Ctx) Limits() streams.Limits { return c.e.limits() }

// Blocked counts clients waiting in a blocking command.
func (c *Ctx) Blocked() int { return c.e.blocked }

// DirtyCount is the number of changes since the last snapshot.
func (c *Ctx) DirtyCount() int64 { return c.e.dirty }

// Logger is the engine's logger.
func (c *Ctx) Logger() interface{ Warn(string, ...any) } { return c.e.logger }

// upper returns b in upper case.
func upper(b []byte) string { return strings.ToUpper(string(b)) }

// IDScratch is a reusable slice for the IDs a command collects (the
// entries XREADGROUP delivers); give it back with KeepIDScratch.
func (c *Ctx) IDScratch() []streams.ID { return c.e.idScratch[:0] }

// KeepIDScratch keeps ids' array for the next command.
func (c *Ctx) KeepIDScratch(ids []streams.ID) {
	if cap(ids) <= 4096 {
		c.e.idScratch = ids[:0]
	}
}

// Started is when the engine was made.
func (c *Ctx) Started() time.Time { return c.e.started }

// Select makes database i the client's (SELECT).
func (c *Ctx) Select(i int) {
	c.cl.DB, c.dbi, c.db = i, i, c.e.dbs[i]
}
