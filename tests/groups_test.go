package tests

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"sluice/internal/testserver"
	"sluice/wal"
)

// groupFixture starts a server with stream k holding entries 1-0..n-0 and
// group g reading from the start.
func groupFixture(t *testing.T, n int) (*redis.Client, string) {
	t.Helper()
	addr := testserver.Start(t)
	c := gClient(t, addr, 2, 0)
	ctx := context.Background()
	for i := 1; i <= n; i++ {
		id := itoa(i) + "-0"
		if err := c.XAdd(ctx, &redis.XAddArgs{Stream: "k", ID: id, Values: []string{"f", itoa(i)}}).Err(); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.XGroupCreateMkStream(ctx, "k", "g", "0").Err(); err != nil {
		t.Fatal(err)
	}
	return c, addr
}

func itoa(i int) string {
	const digits = "0123456789"
	if i < 10 {
		return digits[i : i+1]
	}
	return itoa(i/10) + digits[i%10:i%10+1]
}

// do runs a raw command and returns its result or error text.
func do(t *testing.T, c *redis.Client, args ...any) any {
	t.Helper()
	v, err := c.Do(context.Background(), args...).Result()
	if err != nil {
		if err == redis.Nil {
			return nil
		}
		return "ERR:" + err.Error()
	}
	return v
}

// expectErr checks a command fails with exactly msg.
func expectErr(t *testing.T, c *redis.Client, msg string, args ...any) {
	t.Helper()
	if got := do(t, c, args...); got != "ERR:"+msg {
		t.Errorf("%v: got %v, want error %q", args, got, msg)
	}
}

func expectVal(t *testing.T, c *redis.Client, want string, args ...any) {
	t.Helper()
	if got := fmtVal(do(t, c, args...)); got != want {
		t.Errorf("%v:\n got %s\nwant %s", args, got, want)
	}
}

// fmtVal renders a reply compactly: arrays in brackets, nil as nil.
func fmtVal(v any) string {
	switch x := v.(type) {
	case nil:
		return "nil"
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = fmtVal(e)
		}
		return "[" + strings.Join(parts, " ") + "]"
	case string:
		return x
	case int64:
		return itoa64(x)
	}
	return "?"
}

func itoa64(n int64) string {
	if n < 0 {
		return "-" + itoa64(-n)
	}
	return itoa(int(n))
}

func TestXGroupCommands(t *testing.T) {
	c, _ := groupFixture(t, 3)
	expectErr(t, c, "BUSYGROUP Consumer Group name already exists", "xgroup", "create", "k", "g", "$")
	expectErr(t, c, "ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.",
		"xgroup", "create", "nokey", "g", "$")
	expectVal(t, c, "OK", "xgroup", "create", "new", "g", "$", "mkstream")
	expectVal(t, c, "OK", "xgroup", "create", "k", "g2", "$", "ENTRIESREAD", "99")
	expectErr(t, c, "ERR value for ENTRIESREAD must be positive or -1", "xgroup", "create", "k", "g3", "$", "entriesread", "-2")
	expectErr(t, c, "ERR unknown subcommand or wrong number of arguments for 'create'. Try XGROUP HELP.", "xgroup", "create", "k", "g3", "$", "foo")
	expectErr(t, c, "ERR Invalid stream ID specified as stream command argument", "xgroup", "create", "k", "g3", "bad")
	expectErr(t, c, "ERR wrong number of arguments for 'xgroup|create' command", "xgroup", "create", "k", "g3")
	expectErr(t, c, "NOGROUP No such consumer group 'nog' for key name 'k'", "xgroup", "setid", "k", "nog", "0")
	expectVal(t, c, "OK", "xgroup", "setid", "k", "g", "-")
	expectVal(t, c, "OK", "xgroup", "setid", "k", "g", "2-0", "entriesread", "2")
	expectErr(t, c, "ERR unknown subcommand or wrong number of arguments for 'setid'. Try XGROUP HELP.", "xgroup", "setid", "k", "g", "0", "mkstream")
	expectVal(t, c, "1", "xgroup", "createconsumer", "k", "g", "alice")
	expectVal(t, c, "0", "xgroup", "createconsumer", "k", "g", "alice")
	expectErr(t, c, "NOGROUP No such consumer group 'nog' for key name 'k'", "xgroup", "createconsumer", "k", "nog", "alice")
	expectVal(t, c, "[[k [[3-0 [f 3]]]]]", "xreadgroup", "group", "g", "alice", "streams", "k", ">")
	expectVal(t, c, "1", "xgroup", "delconsumer", "k", "g", "alice")
	expectVal(t, c, "0", "xgroup", "delconsumer", "k", "g", "alice")
	expectVal(t, c, "[0 nil nil nil]", "xpending", "k", "g")
	expectVal(t, c, "0", "xgroup", "destroy", "k", "nog")
	expectVal(t, c, "1", "xgroup", "destroy", "k", "g")
	expectErr(t, c, "ERR wrong number of arguments for 'xgroup|destroy' command", "xgroup", "destroy", "k", "g", "x")
	expectErr(t, c, "ERR unknown subcommand 'foo'. Try XGROUP HELP.", "xgroup", "foo")
	help := do(t, c, "xgroup", "help").([]any)
	if len(help) != 17 || help[0] != "XGROUP <subcommand> [<arg> [value] [opt] ...]. Subcommands are:" || help[16] != "    Print this help." {
		t.Errorf("XGROUP HELP: %v", help)
	}
}

func TestXReadGroup(t *testing.T) {
	c, _ := groupFixture(t, 4)
	expectVal(t, c, "[[k [[1-0 [f 1]] [2-0 [f 2]]]]]", "xreadgroup", "group", "g", "a", "count", "2", "streams", "k", ">")
	expectVal(t, c, "[[k [[3-0 [f 3]] [4-0 [f 4]]]]]", "xreadgroup", "group", "g", "b", "streams", "k", ">")
	expectVal(t, c, "nil", "xreadgroup", "group", "g", "b", "streams", "k", ">")
	// History: only the consumer's own entries after the given ID; each read counts.
	expectVal(t, c, "[[k [[2-0 [f 2]]]]]", "xreadgroup", "group", "g", "a", "streams", "k", "1-0")
	expectVal(t, c, "[[k []]]", "xreadgroup", "group", "g", "c", "streams", "k", "0")
	if got := fixPending(do(t, c, "xpending", "k", "g", "IDLE", "0", "2-0", "2-0", "10")); got != "[[2-0 a 2]]" {
		t.Errorf("history read counted: %s", got)
	}
	// NOACK delivers without a pending entry.
	c.XAdd(context.Background(), &redis.XAddArgs{Stream: "k", ID: "5-0", Values: []string{"f", "5"}})
	expectVal(t, c, "[[k [[5-0 [f 5]]]]]", "xreadgroup", "group", "g", "a", "noack", "streams", "k", ">")
	expectVal(t, c, "[4 1-0 4-0 [[a 2] [b 2]]]", "xpending", "k", "g")
	if got := fixPending(do(t, c, "xpending", "k", "g", "-", "+", "10", "b")); got != "[[3-0 b 1] [4-0 b 1]]" {
		t.Errorf("b's entries: %s", got)
	}
	// Errors, as Redis words them.
	expectErr(t, c, "NOGROUP No such key 'k' or consumer group 'nog' in XREADGROUP with GROUP option", "xreadgroup", "group", "nog", "a", "streams", "k", ">")
	expectErr(t, c, "NOGROUP No such key 'nokey' or consumer group 'g' in XREADGROUP with GROUP option", "xreadgroup", "group", "g", "a", "streams", "nokey", ">")
	expectErr(t, c, "ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set.",
		"xreadgroup", "group", "g", "a", "streams", "k", "$")
	expectErr(t, c, "ERR Missing GROUP option for XREADGROUP", "xreadgroup", "count", "1", "noack", "streams", "k", ">")
	expectErr(t, c, "ERR Invalid stream ID specified as stream command argument", "xreadgroup", "group", "g", "a", "streams", "k", "x")
	// A history read with BLOCK answers at once.
	expectVal(t, c, "[[k []]]", "xreadgroup", "group", "g", "z", "block", "0", "streams", "k", "0")
}

// fixPending strips the idle times (third field) from an extended XPENDING
// reply, which depend on the clock.
func fixPending(v any) string {
	rows, _ := v.([]any)
	out := make([]string, len(rows))
	for i, r := range rows {
		f := r.([]any)
		out[i] = fmtVal([]any{f[0], f[1], f[3]})
	}
	return "[" + strings.Join(out, " ") + "]"
}

func TestXPending(t *testing.T) {
	c, _ := groupFixture(t, 4)
	do(t, c, "xreadgroup", "group", "g", "a", "count", "3", "streams", "k", ">")
	do(t, c, "xreadgroup", "group", "g", "b", "streams", "k", ">")
	expectVal(t, c, "[4 1-0 4-0 [[a 3] [b 1]]]", "xpending", "k", "g")
	if got := fixPending(do(t, c, "xpending", "k", "g", "-", "+", "10")); got != "[[1-0 a 1] [2-0 a 1] [3-0 a 1] [4-0 b 1]]" {
		t.Errorf("extended XPENDING %s", got)
	}
	if got := fixPending(do(t, c, "xpending", "k", "g", "(1-0", "(4-0", "10")); got != "[[2-0 a 1] [3-0 a 1]]" {
		t.Errorf("exclusive XPENDING %s", got)
	}
	if got := fixPending(do(t, c, "xpending", "k", "g", "-", "+", "1", "b")); got != "[[4-0 b 1]]" {
		t.Errorf("consumer XPENDING %s", got)
	}
	expectVal(t, c, "[]", "xpending", "k", "g", "-", "+", "10", "nobody")
	// Make 1-0 old, then filter on idle time.
	do(t, c, "xclaim", "k", "g", "a", "0", "1-0", "idle", "100000", "justid")
	if got := fixPending(do(t, c, "xpending", "k", "g", "idle", "50000", "-", "+", "10")); got != "[[1-0 a 1]]" {
		t.Errorf("IDLE XPENDING %s", got)
	}
	expectErr(t, c, "ERR syntax error", "xpending", "k", "g", "-", "+")
	expectErr(t, c, "ERR syntax error", "xpending", "k", "g", "idle", "10", "-", "+")
	expectErr(t, c, "ERR value is not an integer or out of range", "xpending", "k", "g", "-", "+", "x")
	expectErr(t, c, "ERR invalid end ID for the interval", "xpending", "k", "g", "-", "(0-0", "10")
	expectErr(t, c, "NOGROUP No such key 'k' or consumer group 'nog'", "xpending", "k", "nog")
	expectErr(t, c, "NOGROUP No such key 'nokey' or consumer group 'g'", "xpending", "nokey", "g")
}

func TestXAckAndDeletes(t *testing.T) {
	c, _ := groupFixture(t, 4)
	do(t, c, "xgroup", "create", "k", "other", "0")
	do(t, c, "xreadgroup", "group", "g", "a", "streams", "k", ">")
	expectVal(t, c, "2", "xack", "k", "g", "1-0", "2-0", "9-0")
	expectVal(t, c, "0", "xack", "k", "g", "1-0")
	expectVal(t, c, "0", "xack", "k", "nog", "not-an-id") // no group: nothing to parse
	expectErr(t, c, "ERR Invalid stream ID specified as stream command argument", "xack", "k", "g", "x")
	// ACKED: group "other" has not read 3-0 yet.
	expectVal(t, c, "[2 -1]", "xackdel", "k", "g", "ACKED", "IDS", "2", "3-0", "3-0")
	expectVal(t, c, "[1]", "xackdel", "k", "g", "KEEPREF", "IDS", "1", "4-0")
	expectVal(t, c, "3", "xlen", "k")
	expectVal(t, c, "[-1 -1]", "xackdel", "nokey", "g", "IDS", "2", "1-0", "x")
	// "other" reads 1-0 and 2-0: DELREF drops its pending entry with the entry.
	do(t, c, "xreadgroup", "group", "other", "o", "count", "2", "streams", "k", ">")
	expectVal(t, c, "[2]", "xdelex", "k", "ACKED", "IDS", "1", "1-0")
	expectVal(t, c, "[1]", "xdelex", "k", "DELREF", "IDS", "1", "1-0")
	expectVal(t, c, "[1 2-0 2-0 [[o 1]]]", "xpending", "k", "other")
	expectVal(t, c, "[1 -1]", "xdelex", "k", "IDS", "2", "2-0", "9-0")
	expectVal(t, c, "[1 2-0 2-0 [[o 1]]]", "xpending", "k", "other") // KEEPREF keeps it
	expectVal(t, c, "[-1]", "xdelex", "nokey", "IDS", "1", "1-0")
	expectErr(t, c, "ERR Number of IDs must be a positive integer", "xdelex", "k", "IDS", "0", "1-0")
	expectErr(t, c, "ERR The `numids` parameter must match the number of arguments", "xdelex", "k", "IDS", "3", "1-0")
	expectErr(t, c, "ERR syntax error", "xdelex", "k", "KEEPREF", "DELREF", "IDS", "1", "1-0")
	expectErr(t, c, "ERR syntax error", "xdelex", "k", "IDS", "1", "1-0", "2-0")
	expectErr(t, c, "ERR Invalid stream ID specified as stream command argument", "xackdel", "k", "g", "IDS", "1", "x")
}

func TestXClaim(t *testing.T) {
	c, _ := groupFixture(t, 4)
	do(t, c, "xreadgroup", "group", "g", "a", "count", "3", "streams", "k", ">")
	expectVal(t, c, "[]", "xclaim", "k", "g", "b", "100000", "1-0")
	expectVal(t, c, "[[1-0 [f 1]]]", "xclaim", "k", "g", "b", "0", "1-0")
	expectVal(t, c, "[2-0]", "xclaim", "k", "g", "b", "0", "2-0", "justid")
	expectVal(t, c, "[3-0]", "xclaim", "k", "g", "b", "0", "3-0", "idle", "5000", "retrycount", "9", "justid")
	if got := fixPending(do(t, c, "xpending", "k", "g", "-", "+", "10")); got != "[[1-0 b 2] [2-0 b 1] [3-0 b 9]]" {
		t.Errorf("after XCLAIM: %s", got)
	}
	// Not pending: ignored unless FORCE; FORCE ignores IDs the stream lacks.
	expectVal(t, c, "[]", "xclaim", "k", "g", "b", "0", "4-0")
	expectVal(t, c, "[4-0]", "xclaim", "k", "g", "b", "0", "4-0", "9-0", "force", "justid")
	// LASTID moves the group forward: 6-0 is then behind it.
	expectVal(t, c, "[1-0]", "xclaim", "k", "g", "b", "0", "1-0", "lastid", "7-0", "justid")
	c.XAdd(context.Background(), &redis.XAddArgs{Stream: "k", ID: "6-0", Values: []string{"f", "6"}})
	expectVal(t, c, "nil", "xreadgroup", "group", "g", "b", "streams", "k", ">")
	expectErr(t, c, "ERR Invalid min-idle-time argument for XCLAIM", "xclaim", "k", "g", "b", "x", "1-0")
	expectErr(t, c, "ERR Invalid IDLE option argument for XCLAIM", "xclaim", "k", "g", "b", "0", "1-0", "idle", "x")
	expectErr(t, c, "ERR Invalid TIME option argument for XCLAIM", "xclaim", "k", "g", "b", "0", "1-0", "time", "x")
	expectErr(t, c, "ERR Invalid RETRYCOUNT option argument for XCLAIM", "xclaim", "k", "g", "b", "0", "1-0", "retrycount", "x")
	expectErr(t, c, "ERR Unrecognized XCLAIM option 'foo'", "xclaim", "k", "g", "b", "0", "1-0", "foo")
	expectErr(t, c, "NOGROUP No such key 'k' or consumer group 'nog'", "xclaim", "k", "nog", "b", "0", "1-0")
}

func TestXAutoClaim(t *testing.T) {
	c, _ := groupFixture(t, 5)
	do(t, c, "xreadgroup", "group", "g", "a", "streams", "k", ">")
	expectVal(t, c, "[3-0 [[1-0 [f 1]] [2-0 [f 2]]] []]", "xautoclaim", "k", "g", "b", "0", "0", "count", "2")
	expectVal(t, c, "[0-0 [3-0 4-0 5-0] []]", "xautoclaim", "k", "g", "b", "0", "(2-0", "justid")
	// Entries deleted from the stream leave the PEL and are reported.
	do(t, c, "xdelex", "k", "IDS", "2", "2-0", "4-0")
	expectVal(t, c, "[0-0 [1-0 3-0 5-0] [2-0 4-0]]", "xautoclaim", "k", "g", "c", "0", "-", "justid")
	if got := fixPending(do(t, c, "xpending", "k", "g", "-", "+", "10")); got != "[[1-0 c 2] [3-0 c 1] [5-0 c 1]]" {
		t.Errorf("after XAUTOCLAIM: %s", got)
	}
	expectVal(t, c, "[0-0 [] []]", "xautoclaim", "k", "g", "c", "100000", "-")
	expectErr(t, c, "ERR COUNT must be > 0", "xautoclaim", "k", "g", "c", "0", "-", "count", "0")
	expectErr(t, c, "ERR Invalid min-idle-time argument for XAUTOCLAIM", "xautoclaim", "k", "g", "c", "x", "-")
	expectErr(t, c, "ERR syntax error", "xautoclaim", "k", "g", "c", "0", "-", "foo")
	expectErr(t, c, "ERR invalid start ID for the interval", "xautoclaim", "k", "g", "c", "0", "(18446744073709551615-18446744073709551615")
	expectErr(t, c, "NOGROUP No such key 'k' or consumer group 'nog'", "xautoclaim", "k", "nog", "c", "0", "-")
}

func TestXNack(t *testing.T) {
	c, _ := groupFixture(t, 4)
	do(t, c, "xreadgroup", "group", "g", "a", "count", "3", "streams", "k", ">")
	do(t, c, "xclaim", "k", "g", "a", "0", "2-0") // second delivery of 2-0
	expectVal(t, c, "1", "xnack", "k", "g", "SILENT", "IDS", "2", "2-0", "9-0")
	expectVal(t, c, "1", "xnack", "k", "g", "FATAL", "IDS", "1", "3-0")
	expectVal(t, c, "1", "xnack", "k", "g", "FAIL", "IDS", "1", "4-0", "FORCE", "RETRYCOUNT", "5")
	if got := fmtVal(stripIdle(do(t, c, "xpending", "k", "g", "-", "+", "10"))); got != "[[1-0 a 1] [2-0  -1 1] [3-0  -1 9223372036854775807] [4-0  -1 5]]" {
		t.Errorf("after XNACK: %s", got)
	}
	expectVal(t, c, "[4 1-0 4-0 [[a 1]]]", "xpending", "k", "g")
	// Released entries go first to the next CLAIM, in the order released.
	res := do(t, c, "xreadgroup", "group", "g", "b", "count", "2", "claim", "60000", "streams", "k", ">").([]any)
	entries := res[0].([]any)[1].([]any)
	if len(entries) != 2 || entries[0].([]any)[0] != "2-0" || entries[1].([]any)[0] != "3-0" {
		t.Fatalf("CLAIM after XNACK: %v", res)
	}
	if e := entries[0].([]any); e[3] != int64(1) || len(e) != 4 {
		t.Errorf("claimed entry %v: want 4 fields, delivery count 1", e)
	}
	expectErr(t, c, "ERR ERR mode must be SILENT, FAIL, or FATAL", "xnack", "k", "g", "LOUD", "IDS", "1", "1-0")
	expectErr(t, c, "ERR numids must be a positive integer", "xnack", "k", "g", "FAIL", "IDS", "0", "1-0")
	expectErr(t, c, "ERR ERR number of IDs doesn't match numids", "xnack", "k", "g", "FAIL", "IDS", "5", "1-0")
	expectErr(t, c, "ERR ERR Invalid RETRYCOUNT value, must be >= 0", "xnack", "k", "g", "FAIL", "IDS", "1", "1-0", "RETRYCOUNT", "-1")
	expectErr(t, c, "ERR ERR Unrecognized XNACK option 'foo'", "xnack", "k", "g", "FAIL", "IDS", "1", "1-0", "foo")
	expectErr(t, c, "ERR ERR syntax error, expected IDS keyword", "xnack", "k", "g", "FAIL", "FORCE", "FORCE", "FORCE")
	expectErr(t, c, "NOGROUP No such key 'k' or consumer group 'nog'", "xnack", "k", "nog", "FAIL", "IDS", "1", "1-0")
}

// stripIdle drops the clock-dependent idle field of XPENDING rows, keeping
// the -1 of released ones next to their empty owner.
func stripIdle(v any) any {
	rows := v.([]any)
	for i, r := range rows {
		f := r.([]any)
		if f[2] != int64(-1) {
			f = []any{f[0], f[1], f[3]}
		} else {
			f = []any{f[0], f[1].(string) + " " + fmtVal(f[2]), f[3]}
		}
		rows[i] = f
	}
	return rows
}

// blockedRead starts a blocking XREADGROUP on its own connection and
// returns a channel with its result, once the server reports it blocked.
func blockedRead(t *testing.T, addr string, args ...any) <-chan any {
	t.Helper()
	c := gClient(t, addr, 2, 0)
	out := make(chan any, 1)
	go func() {
		v, err := c.Do(context.Background(), args...).Result()
		if err != nil && err != redis.Nil {
			out <- "ERR:" + err.Error()
			return
		}
		out <- v
	}()
	admin := gClient(t, addr, 2, 0)
	for range 200 {
		info, _ := admin.Info(context.Background(), "clients").Result()
		if strings.Contains(info, "blocked_clients:1") {
			return out
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatal("client never blocked")
	return nil
}

func wait(t *testing.T, ch <-chan any) any {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(3 * time.Second):
		t.Fatal("blocked XREADGROUP not served")
		return nil
	}
}

func TestXReadGroupBlocking(t *testing.T) {
	c, addr := groupFixture(t, 0)
	ch := blockedRead(t, addr, "xreadgroup", "group", "g", "a", "block", "0", "streams", "k", ">")
	c.XAdd(context.Background(), &redis.XAddArgs{Stream: "k", ID: "1-0", Values: []string{"f", "1"}})
	if got := fmtVal(wait(t, ch)); got != "[[k [[1-0 [f 1]]]]]" {
		t.Errorf("woken by XADD: %s", got)
	}
	expectVal(t, c, "[1 1-0 1-0 [[a 1]]]", "xpending", "k", "g")

	// Redis 7.2+: a blocked reader fails when its group or key goes away.
	ch = blockedRead(t, addr, "xreadgroup", "group", "g", "a", "block", "0", "streams", "k", ">")
	do(t, c, "xgroup", "destroy", "k", "g")
	if got := wait(t, ch); got != "ERR:NOGROUP No such key 'k' or consumer group 'g' in XREADGROUP with GROUP option" {
		t.Errorf("group destroyed: %v", got)
	}
	do(t, c, "xgroup", "create", "k", "g", "$")
	ch = blockedRead(t, addr, "xreadgroup", "group", "g", "a", "block", "0", "streams", "k", ">")
	do(t, c, "del", "k")
	if got := wait(t, ch); got != "ERR:NOGROUP No such key 'k' or consumer group 'g' in XREADGROUP with GROUP option" {
		t.Errorf("key deleted: %v", got)
	}
	// Timeout: a null reply.
	do(t, c, "xgroup", "create", "k", "g", "$", "mkstream")
	expectVal(t, c, "nil", "xreadgroup", "group", "g", "a", "block", "50", "streams", "k", ">")
}

func TestXReadGroupClaimWakesWhenIdle(t *testing.T) {
	c, addr := groupFixture(t, 1)
	do(t, c, "xreadgroup", "group", "g", "a", "streams", "k", ">")
	start := time.Now()
	ch := blockedRead(t, addr, "xreadgroup", "group", "g", "b", "block", "5000", "claim", "300", "streams", "k", ">")
	got := wait(t, ch)
	if waited := time.Since(start); waited < 250*time.Millisecond || waited > 2*time.Second {
		t.Errorf("woke after %v, want about 300ms", waited)
	}
	e := got.([]any)[0].([]any)[1].([]any)[0].([]any)
	if e[0] != "1-0" || e[2].(int64) < 300 || e[3] != int64(1) {
		t.Errorf("claimed %v", e)
	}
	expectVal(t, c, "[1 1-0 1-0 [[b 1]]]", "xpending", "k", "g")
}

// TestCrashAndRedeliver: a consumer reads and dies without acking; after a
// restart the entries are still pending and a second consumer takes them
// over, first with XAUTOCLAIM, then with XREADGROUP CLAIM.
func TestCrashAndRedeliver(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	addr, stop := testserver.StartDir(t, dir, wal.Always)
	c := gClient(t, addr, 2, 0)
	for i := 1; i <= 4; i++ {
		c.XAdd(ctx, &redis.XAddArgs{Stream: "jobs", ID: itoa(i) + "-0", Values: []string{"job", itoa(i)}})
	}
	c.XGroupCreate(ctx, "jobs", "workers", "0")
	msgs, err := c.XReadGroup(ctx, &redis.XReadGroupArgs{Group: "workers", Consumer: "dead", Streams: []string{"jobs", ">"}, Block: -1}).Result()
	if err != nil || len(msgs[0].Messages) != 4 {
		t.Fatalf("first read: %v %v", msgs, err)
	}
	// Age the deliveries so that they look abandoned (as after a real outage).
	do(t, c, "xclaim", "jobs", "workers", "dead", "0", "1-0", "2-0", "3-0", "4-0", "idle", "600000", "justid")
	c.Close()
	stop()

	addr, stop = testserver.StartDir(t, dir, wal.Always)
	c = gClient(t, addr, 2, 0)
	pend, err := c.XPending(ctx, "jobs", "workers").Result()
	if err != nil || pend.Count != 4 || pend.Consumers["dead"] != 4 {
		t.Fatalf("pending after restart: %+v %v", pend, err)
	}
	claimed, next, err := c.XAutoClaim(ctx, &redis.XAutoClaimArgs{Stream: "jobs", Group: "workers", Consumer: "alive",
		MinIdle: time.Minute, Start: "0", Count: 2}).Result()
	if err != nil || len(claimed) != 2 || next != "3-0" {
		t.Fatalf("XAUTOCLAIM: %v %s %v", claimed, next, err)
	}
	msgs, err = c.XReadGroup(ctx, &redis.XReadGroupArgs{Group: "workers", Consumer: "alive", Streams: []string{"jobs", ">"},
		Claim: time.Minute, Block: -1}).Result()
	if err != nil || len(msgs[0].Messages) != 2 {
		t.Fatalf("XREADGROUP CLAIM: %v %v", msgs, err)
	}
	for _, m := range msgs[0].Messages {
		if m.DeliveredCount != 1 || m.MillisElapsedFromDelivery < 600000 {
			t.Errorf("claimed %s: delivered %d, idle %d", m.ID, m.DeliveredCount, m.MillisElapsedFromDelivery)
		}
	}
	ext, _ := c.XPendingExt(ctx, &redis.XPendingExtArgs{Stream: "jobs", Group: "workers", Start: "-", End: "+", Count: 10}).Result()
	for _, p := range ext {
		if p.Consumer != "alive" || p.RetryCount != 2 {
			t.Errorf("%s: owner %s, deliveries %d; want alive, 2", p.ID, p.Consumer, p.RetryCount)
		}
	}
	// The takeover itself is durable: replay reaches the same PEL.
	before := fixPending(do(t, c, "xpending", "jobs", "workers", "-", "+", "10"))
	c.Close()
	stop()
	addr, _ = testserver.StartDir(t, dir, wal.Always)
	c = gClient(t, addr, 2, 0)
	if after := fixPending(do(t, c, "xpending", "jobs", "workers", "-", "+", "10")); after != before {
		t.Errorf("after a second restart: %s, want %s", after, before)
	}
	if n, _ := c.XAck(ctx, "jobs", "workers", "1-0", "2-0", "3-0", "4-0").Result(); n != 4 {
		t.Errorf("acked %d", n)
	}
}

func TestXInfoGroupsAndConsumers(t *testing.T) {
	c, _ := groupFixture(t, 3)
	ctx := context.Background()
	do(t, c, "xreadgroup", "group", "g", "a", "count", "2", "streams", "k", ">")
	do(t, c, "xgroup", "createconsumer", "k", "g", "idle-one")
	do(t, c, "xgroup", "create", "k", "late", "$")
	gs, err := c.XInfoGroups(ctx, "k").Result()
	if err != nil || len(gs) != 2 {
		t.Fatalf("XINFO GROUPS: %v %v", gs, err)
	}
	if g := gs[0]; g.Name != "g" || g.Consumers != 2 || g.Pending != 2 || g.LastDeliveredID != "2-0" || g.EntriesRead != 2 || g.Lag != 1 {
		t.Errorf("group g: %+v", g)
	}
	if g := gs[1]; g.Name != "late" || g.LastDeliveredID != "3-0" || g.Lag != 0 {
		t.Errorf("group late: %+v", g)
	}
	// A deletion ahead of the group makes lag unknown: null.
	do(t, c, "xdel", "k", "3-0")
	v := do(t, c, "xinfo", "groups", "k").([]any)[0].([]any)
	if v[10] != "lag" || v[11] != nil {
		t.Errorf("lag across a deletion: %v", v)
	}
	cs, err := c.XInfoConsumers(ctx, "k", "g").Result()
	if err != nil || len(cs) != 2 || cs[0].Name != "a" || cs[0].Pending != 2 || cs[1].Name != "idle-one" {
		t.Fatalf("XINFO CONSUMERS: %+v %v", cs, err)
	}
	if cs[1].Inactive != -time.Millisecond || cs[0].Inactive < 0 {
		t.Errorf("inactive: %+v", cs)
	}
	expectErr(t, c, "NOGROUP No such consumer group 'nog' for key name 'k'", "xinfo", "consumers", "k", "nog")
	expectErr(t, c, "ERR no such key", "xinfo", "groups", "nokey")
}

func TestGroupRepliesInRESP3(t *testing.T) {
	_, addr := groupFixture(t, 2)
	c := gClient(t, addr, 3, 0)
	ctx := context.Background()
	res, err := c.XReadGroup(ctx, &redis.XReadGroupArgs{Group: "g", Consumer: "a", Streams: []string{"k", ">"}, Block: -1}).Result()
	if err != nil || len(res) != 1 || res[0].Stream != "k" || len(res[0].Messages) != 2 {
		t.Fatalf("RESP3 XREADGROUP: %v %v", res, err)
	}
	// XREADGROUP answers a map in RESP3, keyed by stream.
	if v := do(t, c, "xreadgroup", "group", "g", "a", "streams", "k", "0"); fmtMap(v) != "map[k]" {
		t.Errorf("RESP3 XREADGROUP shape: %#v", v)
	}
	gs, err := c.XInfoGroups(ctx, "k").Result()
	if err != nil || len(gs) != 1 || gs[0].Pending != 2 {
		t.Errorf("RESP3 XINFO GROUPS: %+v %v", gs, err)
	}
	p, err := c.XPending(ctx, "k", "g").Result()
	if err != nil || p.Count != 2 || p.Consumers["a"] != 2 {
		t.Errorf("RESP3 XPENDING: %+v %v", p, err)
	}
	if v := do(t, c, "xreadgroup", "group", "g", "a", "streams", "k", ">"); v != nil {
		t.Errorf("RESP3 empty read: %#v, want null", v)
	}
}

func fmtMap(v any) string {
	m, ok := v.(map[any]any)
	if !ok {
		return "not a map"
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k.(string))
	}
	return "map" + fmtVal(toAny(keys))
}

func toAny(s []string) []any {
	out := make([]any, len(s))
	for i, x := range s {
		out[i] = x
	}
	return out
}

func TestXReadGroupClaimThenNew(t *testing.T) {
	c, _ := groupFixture(t, 4)
	do(t, c, "xreadgroup", "group", "g", "a", "count", "2", "streams", "k", ">")
	do(t, c, "xclaim", "k", "g", "a", "0", "2-0", "idle", "9000", "justid")
	do(t, c, "xclaim", "k", "g", "a", "0", "1-0", "idle", "5000", "justid")
	res := do(t, c, "xreadgroup", "group", "g", "b", "count", "3", "claim", "1000", "streams", "k", ">").([]any)
	entries := res[0].([]any)[1].([]any)
	var got []string
	for _, e := range entries {
		f := e.([]any)
		idle := "new"
		if f[2].(int64) >= 1000 {
			idle = "idle"
		}
		got = append(got, fmtVal([]any{f[0], f[1], idle, f[3]}))
	}
	// Oldest delivery first, then new entries (idle 0, count 0), one COUNT for both.
	if want := "[2-0 [f 2] idle 1] [1-0 [f 1] idle 1] [3-0 [f 3] new 0]"; strings.Join(got, " ") != want {
		t.Errorf("got %s\nwant %s", strings.Join(got, " "), want)
	}
	if got := fixPending(do(t, c, "xpending", "k", "g", "-", "+", "10")); got != "[[1-0 b 2] [2-0 b 2] [3-0 b 1]]" {
		t.Errorf("after CLAIM: %s", got)
	}
	expectErr(t, c, "ERR min-idle-time must be a positive integer", "xreadgroup", "group", "g", "b", "claim", "-1", "streams", "k", ">")
	expectErr(t, c, "ERR The CLAIM option is only supported by XREADGROUP. You called XREAD instead.", "xread", "claim", "1", "streams", "k", "0")
}

// TestTrimReferences checks the consumer-group side of XTRIM's ACKED and
// DELREF policies.
func TestTrimReferences(t *testing.T) {
	c, _ := groupFixture(t, 4)
	do(t, c, "xreadgroup", "group", "g", "a", "count", "2", "streams", "k", ">")
	do(t, c, "xack", "k", "g", "1-0")
	// 2-0 is pending, 3-0 and 4-0 are unread: only 1-0 may go.
	expectVal(t, c, "1", "xtrim", "k", "maxlen", "0", "acked")
	expectVal(t, c, "3", "xlen", "k")
	expectVal(t, c, "3", "xtrim", "k", "maxlen", "0", "delref")
	expectVal(t, c, "[0 nil nil nil]", "xpending", "k", "g")
}
