package engine

import (
	"math"
	"strings"

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
	block  *blockReq
}

// Ctx is one command's execution: its arguments, its client, its reply.
type Ctx struct {
	e    *Engine
	cl   *Client
	cmd  *Cmd
	db   *DB
	Args [][]byte
	W    Reply
	Now  int64 // unix ms, fixed for the command (logged, so replay sees it too)
	// failed is set when the command replied with an error.
	failed bool
	// logArgs, when set, is logged instead of Args (a resolved form).
	logArgs [][]byte
	// logAlways logs the command even though it changed no data (CONFIG
	// SET of a parameter that decides what replay does).
	logAlways bool
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
	code := msg
	if i := strings.IndexByte(msg, ' '); i > 0 {
		code = msg[:i]
	}
	c.e.stats.errors[code]++
	c.W.Error(msg)
}

// Dirty records n changes; a write command that changed anything must call
// it, since only dirty commands reach the log.
func (c *Ctx) Dirty(n int64) {
	c.e.dirty += n
	c.e.changes += n
}

// LogAs makes the log carry args instead of the command as sent, for
// commands whose effect must be replayed in a resolved form.
func (c *Ctx) LogAs(args [][]byte) { c.logArgs = args }

// ArgErr replies with the wrong-arity error for this command.
func (c *Ctx) ArgErr() {
	c.Error("ERR wrong number of arguments for '" + c.fullName() + "' command")
}

func (c *Ctx) fullName() string {
	if c.cmd.Subs == nil && len(c.Args) > 0 && c.cmd.Name != strings.ToLower(string(c.Args[0])) {
		// a subcommand: Redis names it "parent|sub"
		return strings.ToLower(string(c.Args[0])) + "|" + c.cmd.Name
	}
	return c.cmd.Name
}

// Int parses an integer argument as Redis's string2ll does, replying
// ErrNotInt when it is not one.
func (c *Ctx) Int(b []byte) (int64, bool) {
	n, ok := redisint.Parse(b)
	if !ok {
		c.Error(ErrNotInt)
	}
	return n, ok
}

// Equal compares an argument with a lower-case keyword.
func Equal(b []byte, kw string) bool {
	if len(b) != len(kw) {
		return false
	}
	for i := range b {
		x := b[i]
		if x >= 'A' && x <= 'Z' {
			x += 'a' - 'A'
		}
		if x != kw[i] {
			return false
		}
	}
	return true
}

// DB returns the client's selected database.
func (c *Ctx) DB() *DB { return c.db }

// Client returns the connection state.
func (c *Ctx) Client() *Client { return c.cl }

// Engine returns the engine.
func (c *Ctx) Engine() *Engine { return c.e }

// stream returns the stream at key, nil if missing; ok is false (and
// WRONGTYPE has been replied) when key holds another type.
func (c *Ctx) stream(key []byte) (sv *streamValue, ok bool) {
	v := c.db.lookup(string(key), c.Now)
	if v == nil {
		return nil, true
	}
	sv, isStream := v.(*streamValue)
	if !isStream {
		c.Error(ErrWrongType)
		return nil, false
	}
	return sv, true
}

// createStream makes an empty stream at key, dropping an expired value.
func (c *Ctx) createStream(key []byte) *streamValue {
	k := string(key)
	if c.db.expired(k, c.Now) {
		c.db.remove(k)
	}
	sv := &streamValue{Stream: streams.New()}
	c.db.set(k, sv)
	return sv
}

// parseID parses a strict stream ID argument, replying on error.
func (c *Ctx) parseID(b []byte) (streams.ID, bool) {
	id, err := streams.ParseStrictID(b)
	if err != nil {
		c.Error(err.Error())
		return id, false
	}
	return id, true
}

// replyEntry writes one entry as [id, [field, value, ...]].
func replyEntry(w Reply, id streams.ID, fv [][]byte, buf []byte) []byte {
	w.Array(2)
	buf = id.Append(buf[:0])
	w.Bulk(buf)
	w.Array(len(fv))
	for _, x := range fv {
		w.Bulk(x)
	}
	return buf
}

// replyID writes an ID as a bulk string.
func replyID(w Reply, id streams.ID) {
	var b [48]byte
	w.Bulk(id.Append(b[:0]))
}

// clampCount turns a COUNT argument into a limit (0 or less = no limit).
func clampCount(n int64) int64 {
	if n <= 0 {
		return math.MaxInt64
	}
	return n
}
