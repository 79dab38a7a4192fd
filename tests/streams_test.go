package tests

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"sluice/internal/testserver"
	"sluice/wal"
)

// stCase is one command and its reply as fmt prints what go-redis returns:
// "nil" for a null reply, the error text for an error.
type stCase struct {
	args []any
	want string
}

func stReply(c *redis.Client, args ...any) string {
	v, err := c.Do(context.Background(), args...).Result()
	switch {
	case err == redis.Nil:
		return "nil"
	case err != nil:
		return err.Error()
	}
	return fmt.Sprint(v)
}

func stRun(t *testing.T, c *redis.Client, cases []stCase) {
	t.Helper()
	for _, k := range cases {
		if got := stReply(c, k.args...); got != k.want {
			t.Errorf("%v:\n got  %s\n want %s", k.args, got, k.want)
		}
	}
}

func a(args ...any) []any { return args }

// stInfo returns one XINFO STREAM field as printed.
func stInfo(t *testing.T, c *redis.Client, key, field string) string {
	t.Helper()
	v, err := c.Do(context.Background(), "XINFO", "STREAM", key).Slice()
	if err != nil {
		t.Fatalf("XINFO STREAM %s: %v", key, err)
	}
	for i := 0; i+1 < len(v); i += 2 {
		if v[i] == field {
			return fmt.Sprint(v[i+1])
		}
	}
	t.Fatalf("XINFO STREAM %s: no field %s in %v", key, field, v)
	return ""
}

func TestStreamXAdd(t *testing.T) {
	c := gClient(t, testserver.Start(t), 2, 0)
	stRun(t, c, []stCase{
		{a("XADD", "s"), "ERR wrong number of arguments for 'xadd' command"},
		{a("XADD", "s", "*"), "ERR wrong number of arguments for 'xadd' command"},
		{a("XADD", "s", "*", "f"), "ERR wrong number of arguments for 'xadd' command"},
		{a("XADD", "s", "*", "f", "v", "g"), "ERR wrong number of arguments for 'xadd' command"},
		{a("XADD", "s", "1-1", "f"), "ERR wrong number of arguments for 'xadd' command"},
		{a("XADD", "s", "0-0", "f", "v"), "ERR The ID specified in XADD must be greater than 0-0"},
		{a("EXISTS", "s"), "0"},
		{a("XADD", "s", "NOMKSTREAM", "*", "f", "v"), "nil"},
		{a("XADD", "s", "foo", "f", "v"), "ERR Invalid stream ID specified as stream command argument"},
		{a("XADD", "s", "-", "f", "v"), "ERR Invalid stream ID specified as stream command argument"},
		{a("XADD", "s", "1-", "f", "v"), "ERR Invalid stream ID specified as stream command argument"},
		{a("XADD", "s", "18446744073709551616-0", "f", "v"), "ERR Invalid stream ID specified as stream command argument"},
		{a("XADD", "s", "0-*", "f", "v"), "0-1"},
		{a("XADD", "s", "5", "f", "v"), "5-0"},
		{a("XADD", "s", "5", "f", "v"), "ERR The ID specified in XADD is equal or smaller than the target stream top item"},
		{a("XADD", "s", "4-*", "f", "v"), "ERR The ID specified in XADD is equal or smaller than the target stream top item"},
		{a("XADD", "s", "5-*", "f", "v"), "5-1"},
		{a("XADD", "s", "7-*", "f", "v"), "7-0"},
		{a("XADD", "s", "7-18446744073709551615", "f", "v"), "7-18446744073709551615"},
		{a("XADD", "s", "7-*", "f", "v"), "ERR The ID specified in XADD is equal or smaller than the target stream top item"},
		{a("XADD", "s", "NOMKSTREAM", "8-0", "a", "1", "b", "2"), "8-0"},
		{a("XLEN", "s"), "6"},
		{a("XADD", "s", "MAXLEN", "-1", "*", "f", "v"), "ERR The MAXLEN argument must be >= 0."},
		{a("XADD", "s", "MAXLEN", "x", "*", "f", "v"), "ERR value is not an integer or out of range"},
		{a("XADD", "s", "MAXLEN", "01", "*", "f", "v"), "ERR value is not an integer or out of range"},
		{a("XADD", "s", "MAXLEN", "99999999999999999999", "*", "f", "v"), "ERR value is not an integer or out of range"},
		{a("XADD", "s", "MINID", "-", "*", "f", "v"), "ERR Invalid stream ID specified as stream command argument"},
		{a("XADD", "s", "MAXLEN", "1", "MINID", "1", "*", "f", "v"), "ERR syntax error, MAXLEN and MINID options at the same time are not compatible"},
		{a("XADD", "s", "MAXLEN", "1", "LIMIT", "5", "*", "f", "v"), "ERR syntax error, LIMIT cannot be used without the special ~ option"},
		{a("XADD", "s", "LIMIT", "5", "*", "f", "v"), "ERR syntax error, LIMIT cannot be used without specifying a trimming strategy"},
		{a("XADD", "s", "LIMIT", "0", "*", "f", "v"), "ERR syntax error, LIMIT cannot be used without the special ~ option"},
		{a("XADD", "s", "MAXLEN", "~", "1", "LIMIT", "-1", "*", "f", "v"), "ERR The LIMIT argument must be >= 0."},
		{a("XADD", "s", "KEEPREF", "DELREF", "*", "f", "v"), "ERR syntax error"},
		{a("XLEN", "s"), "6"},
		{a("XADD", "s", "MAXLEN", "2", "9-0", "f", "v"), "9-0"},
		{a("XRANGE", "s", "-", "+"), "[[8-0 [a 1 b 2]] [9-0 [f v]]]"},
		{a("XADD", "s", "MINID", "=", "9", "ACKED", "10-0", "f", "v"), "10-0"},
		{a("XRANGE", "s", "-", "+"), "[[9-0 [f v]] [10-0 [f v]]]"},
		{a("XADD", "s", "MAXLEN", "0", "11-0", "f", "v"), "11-0"},
		{a("XLEN", "s"), "0"},
		{a("XADD", "x", "18446744073709551615-18446744073709551615", "f", "v"), "18446744073709551615-18446744073709551615"},
		{a("XADD", "x", "*", "f", "v"), "ERR The stream has exhausted the last possible ID, unable to add more items"},
		{a("SET", "str", "v"), "OK"},
		{a("XADD", "str", "*", "f", "v"), "WRONGTYPE Operation against a key holding the wrong kind of value"},
		{a("XADD", "str", "NOMKSTREAM", "*", "f", "v"), "WRONGTYPE Operation against a key holding the wrong kind of value"},
	})
	// "*" never goes back in time, and keeps IDs increasing within a millisecond.
	ctx := context.Background()
	c.XAdd(ctx, &redis.XAddArgs{Stream: "fut", ID: "4102444800000-5", Values: []string{"f", "v"}})
	stRun(t, c, []stCase{{a("XADD", "fut", "*", "f", "v"), "4102444800000-6"}})
	pipe := c.Pipeline()
	for i := 0; i < 50; i++ {
		pipe.XAdd(ctx, &redis.XAddArgs{Stream: "inc", Values: []string{"i", fmt.Sprint(i)}})
	}
	cmds, err := pipe.Exec(ctx)
	if err != nil {
		t.Fatal(err)
	}
	prev := ""
	for _, cmd := range cmds {
		id := cmd.(*redis.StringCmd).Val()
		if prev != "" && stReply(c, "XRANGE", "inc", "("+prev, id) == "[]" {
			t.Fatalf("ID %s does not follow %s", id, prev)
		}
		prev = id
	}
}

func TestStreamTrim(t *testing.T) {
	c := gClient(t, testserver.Start(t), 2, 0)
	ctx := context.Background()
	fill := func(key string, n int) {
		pipe := c.Pipeline()
		for i := 1; i <= n; i++ {
			pipe.XAdd(ctx, &redis.XAddArgs{Stream: key, ID: fmt.Sprintf("%d-0", i), Values: []string{"f", "v"}})
		}
		if _, err := pipe.Exec(ctx); err != nil {
			t.Fatal(err)
		}
	}
	fill("s", 1000)
	stRun(t, c, []stCase{
		{a("XTRIM", "nokey", "FOO", "1"), "0"}, // a missing key answers before the options
		{a("XTRIM", "s"), "ERR wrong number of arguments for 'xtrim' command"},
		{a("XTRIM", "s", "FOO", "1"), "ERR syntax error"},
		{a("XTRIM", "s", "LIMIT", "1", "x"), "ERR syntax error"},
		{a("XTRIM", "s", "LIMIT", "10", "KEEPREF"), "ERR syntax error, LIMIT cannot be used without specifying a trimming strategy"},
		{a("XTRIM", "s", "KEEPREF", "ACKED"), "ERR syntax error"},
		{a("XTRIM", "s", "KEEPREF", "DELREF", "MAXLEN", "1"), "ERR syntax error"},
		{a("XTRIM", "s", "MAXLEN", "1", "LIMIT", "30"), "ERR syntax error, LIMIT cannot be used without the special ~ option"},
		{a("XTRIM", "s", "MAXLEN", "-5"), "ERR The MAXLEN argument must be >= 0."},
		{a("XTRIM", "s", "MINID", "+"), "ERR Invalid stream ID specified as stream command argument"},
		{a("XTRIM", "s", "MAXLEN", "~", "950"), "0"}, // less than a whole block
		{a("XTRIM", "s", "MAXLEN", "666"), "334"},
		{a("XTRIM", "s", "MAXLEN", "=", "555"), "111"},
		{a("XTRIM", "s", "MAXLEN", "~", "444"), "55"},
		{a("XLEN", "s"), "500"},
		{a("XTRIM", "s", "MAXLEN", "~", "400", "LIMIT", "0"), "100"},
		{a("XTRIM", "s", "MINID", "701"), "100"},
		{a("XTRIM", "s", "MINID", "~", "950", "KEEPREF"), "200"},
		{a("XRANGE", "s", "-", "-"), "[]"},
		{a("XRANGE", "s", "-", "901"), "[[901-0 [f v]]]"},
		{a("XTRIM", "s", "MAXLEN", "0"), "100"},
	})
	if got := stInfo(t, c, "s", "max-deleted-entry-id"); got != "0-0" {
		t.Errorf("trimming must not move max-deleted-entry-id: %s", got)
	}
	if got := stInfo(t, c, "s", "recorded-first-entry-id"); got != "0-0" {
		t.Errorf("empty stream first id: %s", got)
	}
	// LIMIT bounds the entries "~" removes, by whole blocks.
	c.ConfigSet(ctx, "stream-node-max-entries", "10")
	defer c.ConfigSet(ctx, "stream-node-max-entries", "100")
	fill("l", 100)
	c.XAdd(ctx, &redis.XAddArgs{Stream: "l", MaxLen: 55, Approx: true, Limit: 30, Values: []string{"f", "v"}})
	stRun(t, c, []stCase{{a("XLEN", "l"), "71"}})
	c.XAdd(ctx, &redis.XAddArgs{Stream: "l", MaxLen: 55, Approx: true, Limit: 30, Values: []string{"f", "v"}})
	stRun(t, c, []stCase{{a("XLEN", "l"), "62"}})
	// "~" without LIMIT does at most 100 blocks' worth of work.
	c.ConfigSet(ctx, "stream-node-max-entries", "1")
	fill("one", 102)
	stRun(t, c, []stCase{
		{a("XTRIM", "one", "MAXLEN", "~", "1"), "100"},
		{a("XTRIM", "one", "MAXLEN", "1"), "1"},
	})
}

func TestStreamXRange(t *testing.T) {
	c := gClient(t, testserver.Start(t), 2, 0)
	for _, id := range []string{"0-1", "0-18446744073709551615", "1-0", "42-0", "42-42",
		"18446744073709551615-18446744073709551614", "18446744073709551615-18446744073709551615"} {
		if err := c.Do(context.Background(), "XADD", "v", id, "f", id).Err(); err != nil {
			t.Fatal(err)
		}
	}
	stRun(t, c, []stCase{
		{a("XRANGE", "v"), "ERR wrong number of arguments for 'xrange' command"},
		{a("XRANGE", "nokey", "-", "+"), "[]"},
		{a("XRANGE", "nokey", "-", "+", "COUNT", "0"), "[]"},
		{a("XRANGE", "v", "-", "+", "COUNT", "0"), "nil"},
		{a("XRANGE", "v", "-", "+", "COUNT", "-3"), "nil"},
		{a("XRANGE", "v", "-", "+", "COUNT", "2"), "[[0-1 [f 0-1]] [0-18446744073709551615 [f 0-18446744073709551615]]]"},
		{a("XRANGE", "v", "-", "+", "COUNT"), "ERR syntax error"},
		{a("XRANGE", "v", "-", "+", "COUNT", "x"), "ERR value is not an integer or out of range"},
		{a("XRANGE", "v", "-", "+", "COUNT", "007"), "ERR value is not an integer or out of range"}, // string2ll
		{a("XRANGE", "v", "-", "+", "FOO", "1"), "ERR syntax error"},
		{a("XRANGE", "v", "x", "+"), "ERR Invalid stream ID specified as stream command argument"},
		{a("XRANGE", "v", "(0-1", "(1-0"), "[[0-18446744073709551615 [f 0-18446744073709551615]]]"},
		{a("XRANGE", "v", "(1-0", "(42-42"), "[[42-0 [f 42-0]]]"},
		{a("XRANGE", "v", "42", "42"), "[[42-0 [f 42-0]] [42-42 [f 42-42]]]"},
		{a("XRANGE", "v", "42", "(42"), "[[42-0 [f 42-0]] [42-42 [f 42-42]]]"},
		{a("XRANGE", "v", "(42", "+", "COUNT", "1"), "[[42-42 [f 42-42]]]"}, // "(42" is after 42-0
		{a("XRANGE", "v", "(-", "+"), "ERR Invalid stream ID specified as stream command argument"},
		{a("XRANGE", "v", "-", "(+"), "ERR Invalid stream ID specified as stream command argument"},
		{a("XRANGE", "v", "(18446744073709551615-18446744073709551615", "+"), "ERR invalid start ID for the interval"},
		{a("XRANGE", "v", "-", "(0-0"), "ERR invalid end ID for the interval"},
		{a("XRANGE", "v", "50", "40"), "[]"},
		{a("XREVRANGE", "v", "+", "-", "COUNT", "2"), "[[18446744073709551615-18446744073709551615 [f 18446744073709551615-18446744073709551615]] [18446744073709551615-18446744073709551614 [f 18446744073709551615-18446744073709551614]]]"},
		{a("XREVRANGE", "v", "(42-42", "(0-18446744073709551615"), "[[42-0 [f 42-0]] [1-0 [f 1-0]]]"},
		{a("XREVRANGE", "v", "-", "+"), "[]"},
		{a("XLEN", "v"), "7"},
		{a("XLEN", "nokey"), "0"},
		{a("XLEN", "v", "x"), "ERR wrong number of arguments for 'xlen' command"},
	})
	// Walking with "(" visits every entry once, in both directions.
	ctx := context.Background()
	pipe := c.Pipeline()
	for i := 0; i < 1000; i++ {
		vals := []string{"item", fmt.Sprint(i)}
		if i%10 == 3 {
			vals = append(vals, "other", "x") // a different field set
		}
		pipe.XAdd(ctx, &redis.XAddArgs{Stream: "big", Values: vals})
	}
	if _, err := pipe.Exec(ctx); err != nil {
		t.Fatal(err)
	}
	last, n := "-", 0
	for {
		page := c.XRangeN(ctx, "big", last, "+", 37).Val()
		if len(page) == 0 {
			break
		}
		for _, m := range page {
			if m.Values["item"] != fmt.Sprint(n) || (n%10 == 3) != (m.Values["other"] == "x") {
				t.Fatalf("entry %d: %v", n, m.Values)
			}
			n++
		}
		last = "(" + page[len(page)-1].ID
	}
	rev := c.XRevRange(ctx, "big", "+", "-").Val()
	if n != 1000 || len(rev) != 1000 || rev[0].Values["item"] != "999" || rev[999].Values["item"] != "0" {
		t.Fatalf("walked %d, reverse %d", n, len(rev))
	}
}

func TestStreamXDelAndXSetID(t *testing.T) {
	c := gClient(t, testserver.Start(t), 2, 0)
	stRun(t, c, []stCase{
		{a("XDEL", "s"), "ERR wrong number of arguments for 'xdel' command"},
		{a("XDEL", "nokey", "bad"), "0"},
		{a("XADD", "s", "1-1", "a", "1"), "1-1"},
		{a("XADD", "s", "1-2", "b", "2"), "1-2"},
		{a("XADD", "s", "1-3", "c", "3"), "1-3"},
		{a("XADD", "s", "1-4", "d", "4"), "1-4"},
		{a("XDEL", "s", "1-2", "bad"), "ERR Invalid stream ID specified as stream command argument"},
		{a("XLEN", "s"), "4"},
		{a("XDEL", "s", "1-1", "1-4", "2-1", "1-1"), "2"},
		{a("XRANGE", "s", "-", "+"), "[[1-2 [b 2]] [1-3 [c 3]]]"},
		{a("XSETID", "s"), "ERR wrong number of arguments for 'xsetid' command"},
		{a("XSETID", "nokey", "1-1"), "ERR no such key"},
		{a("XSETID", "nokey", "1-1", "0"), "ERR syntax error"},
		{a("XSETID", "nokey", "1-1", "0-0"), "ERR syntax error"},
		{a("XSETID", "s", "bad"), "ERR Invalid stream ID specified as stream command argument"},
		{a("XSETID", "s", "1-1", "ENTRIESADDED", "-1", "MAXDELETEDID", "0-0"), "ERR entries_added must be positive"},
		{a("XSETID", "s", "1-5", "MAXDELETEDID", "2-0"), "ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id"},
		{a("XSETID", "s", "1-2"), "ERR The ID specified in XSETID is smaller than the target stream top item"},
		{a("XSETID", "s", "1-3", "ENTRIESADDED", "1"), "ERR The entries_added specified in XSETID is smaller than the target stream length"},
		{a("XSETID", "s", "1-3"), "ERR The ID specified in XSETID is smaller than current max_deleted_entry_id"},
		{a("XSETID", "s", "5-0", "ENTRIESADDED", "10", "MAXDELETEDID", "3-0"), "OK"},
		{a("XADD", "s", "4-0", "f", "v"), "ERR The ID specified in XADD is equal or smaller than the target stream top item"},
		{a("XADD", "s", "5-*", "f", "v"), "5-1"},
		{a("SET", "str", "v"), "OK"},
		{a("XDEL", "str", "1-1"), "WRONGTYPE Operation against a key holding the wrong kind of value"},
		{a("XSETID", "str", "1-1"), "WRONGTYPE Operation against a key holding the wrong kind of value"},
	})
	for field, want := range map[string]string{"last-generated-id": "5-1", "entries-added": "11",
		"max-deleted-entry-id": "3-0", "recorded-first-entry-id": "1-2", "length": "3"} {
		if got := stInfo(t, c, "s", field); got != want {
			t.Errorf("%s = %s, want %s", field, got, want)
		}
	}
	// An empty stream may go back, down to its max deleted ID.
	stRun(t, c, []stCase{
		{a("XADD", "e", "MAXLEN", "0", "9-0", "f", "v"), "9-0"},
		{a("XSETID", "e", "2-0"), "OK"},
		{a("XADD", "e", "3-0", "f", "v"), "3-0"},
	})
}

func TestStreamXInfo(t *testing.T) {
	addr := testserver.Start(t)
	c := gClient(t, addr, 2, 0)
	stRun(t, c, []stCase{
		{a("XINFO"), "ERR wrong number of arguments for 'xinfo' command"},
		{a("XINFO", "FOO"), "ERR unknown subcommand 'FOO'. Try XINFO HELP."},
		{a("XINFO", "HELP", "x"), "ERR wrong number of arguments for 'xinfo|help' command"},
		{a("XINFO", "STREAM"), "ERR wrong number of arguments for 'xinfo|stream' command"},
		{a("XINFO", "STREAM", "nokey"), "ERR no such key"},
		{a("XADD", "s", "1-1", "a", "1"), "1-1"},
		{a("XADD", "s", "2-1", "b", "2"), "2-1"},
		{a("XINFO", "STREAM", "s"), "[length 2 radix-tree-keys 1 radix-tree-nodes 1 last-generated-id 2-1 max-deleted-entry-id 0-0 " +
			"entries-added 2 recorded-first-entry-id 1-1 idmp-duration 100 idmp-maxsize 100 pids-tracked 0 iids-tracked 0 " +
			"iids-added 0 iids-duplicates 0 groups 0 first-entry [1-1 [a 1]] last-entry [2-1 [b 2]] hot-bytes 16 cold-bytes 0]"},
		{a("XINFO", "STREAM", "s", "FULL", "COUNT", "1"), "[length 2 radix-tree-keys 1 radix-tree-nodes 1 last-generated-id 2-1 max-deleted-entry-id 0-0 " +
			"entries-added 2 recorded-first-entry-id 1-1 idmp-duration 100 idmp-maxsize 100 pids-tracked 0 iids-tracked 0 " +
			"iids-added 0 iids-duplicates 0 entries [[1-1 [a 1]]] groups [] hot-bytes 16 cold-bytes 0]"},
		{a("XINFO", "STREAM", "s", "FULL", "COUNT"), "ERR unknown subcommand or wrong number of arguments for 'stream'. Try XINFO HELP."},
		{a("XINFO", "STREAM", "s", "FULLER"), "ERR unknown subcommand or wrong number of arguments for 'stream'. Try XINFO HELP."},
		{a("XINFO", "STREAM", "s", "FULL", "LIMIT", "1"), "ERR syntax error"},
		{a("XINFO", "STREAM", "s", "FULL", "COUNT", "x"), "ERR value is not an integer or out of range"},
		{a("XDEL", "s", "1-1", "2-1"), "2"},
		{a("XINFO", "STREAM", "s"), "[length 0 radix-tree-keys 0 radix-tree-nodes 0 last-generated-id 2-1 max-deleted-entry-id 2-1 " +
			"entries-added 2 recorded-first-entry-id 0-0 idmp-duration 100 idmp-maxsize 100 pids-tracked 0 iids-tracked 0 " +
			"iids-added 0 iids-duplicates 0 groups 0 first-entry <nil> last-entry <nil> hot-bytes 0 cold-bytes 0]"},
		{a("SET", "str", "v"), "OK"},
		{a("XINFO", "STREAM", "str"), "WRONGTYPE Operation against a key holding the wrong kind of value"},
	})
	help := stReply(c, "XINFO", "HELP")
	if !strings.HasPrefix(help, "[XINFO <subcommand> [<arg> [value] [opt] ...]. Subcommands are:") || !strings.Contains(help, "STREAM <key> [FULL [COUNT <count>]") {
		t.Errorf("XINFO HELP: %s", help)
	}
	// FULL's COUNT: default 10, 0 = all, negative = default.
	ctx := context.Background()
	for i := 0; i < 25; i++ {
		c.XAdd(ctx, &redis.XAddArgs{Stream: "f", Values: []string{"i", fmt.Sprint(i)}})
	}
	for count, want := range map[string]int{"": 10, "0": 25, "-5": 10, "3": 3} {
		args := a("XINFO", "STREAM", "f", "FULL")
		if count != "" {
			args = append(args, "COUNT", count)
		}
		v := c.Do(ctx, args...).Val().([]any)
		if got := len(v[27].([]any)); v[26] != "entries" || got != want {
			t.Errorf("FULL COUNT %q: %v entries %d", count, v[26], got)
		}
	}
	// FULL carries the groups with their pending entries.
	c.XGroupCreate(ctx, "f", "g", "0")
	c.XReadGroup(ctx, &redis.XReadGroupArgs{Group: "g", Consumer: "c", Streams: []string{"f", ">"}, Count: 2})
	full := c.XInfoStreamFull(ctx, "f", 1).Val()
	if len(full.Entries) != 1 || len(full.Groups) != 1 || full.Groups[0].Name != "g" || full.Groups[0].PelCount != 2 ||
		len(full.Groups[0].Pending) != 1 || len(full.Groups[0].Consumers) != 1 {
		t.Errorf("XINFO STREAM FULL: %+v", full)
	}
	// RESP3: a map, null entries as nil.
	c3 := gClient(t, addr, 3, 0)
	info := c3.Do(ctx, "XINFO", "STREAM", "s").Val().(map[any]any)
	if len(info) != 18 || info["first-entry"] != nil || info["length"] != int64(0) {
		t.Errorf("RESP3 XINFO STREAM: %v", info)
	}
	x := c3.XInfoStream(ctx, "f").Val()
	if x.Length != 25 || x.FirstEntry.Values["i"] != "0" || x.LastEntry.Values["i"] != "24" || x.IDMPDuration != 100 {
		t.Errorf("go-redis XInfoStream: %+v", x)
	}
}

func TestStreamIDMP(t *testing.T) {
	c := gClient(t, testserver.Start(t), 2, 0)
	stRun(t, c, []stCase{
		{a("XADD", "m", "IDMP", "p1", "*", "f", "v"), "ERR Invalid stream ID specified as stream command argument"},
		{a("XADD", "m", "IDMP", "p1", "i1", "1-1", "f", "v"), "ERR IDMP/IDMPAUTO can be used only with auto-generated IDs"},
		{a("XADD", "m", "IDMPAUTO", "p1", "1-*", "f", "v"), "ERR IDMP/IDMPAUTO can be used only with auto-generated IDs"},
		{a("XADD", "m", "IDMP", "p1", "i1", "IDMP", "p2", "i2", "*", "f", "v"), "ERR IDMP/IDMPAUTO specified multiple times"},
		{a("XADD", "m", "IDMPAUTO", "p1", "IDMP", "p2", "i2", "*", "f", "v"), "ERR IDMP/IDMPAUTO specified multiple times"},
		{a("XADD", "m", "IDMP", "", "i1", "*", "f", "v"), "ERR IDMP requires a non-empty producer ID"},
		{a("XADD", "m", "IDMP", "p1", "", "*", "f", "v"), "ERR IDMP requires a non-empty idempotent ID"},
		{a("XADD", "m", "IDMPAUTO", "", "*", "f", "v"), "ERR IDMPAUTO requires a non-empty producer ID"},
		{a("XADD", "m", "NOMKSTREAM", "IDMP", "p1", "i1", "*", "f", "v"), "nil"},
		{a("XCFGSET", "m", "IDMP-DURATION", "5"), "ERR no such key"},
	})
	id1 := stReply(c, "XADD", "m", "IDMP", "p1", "pay-1", "*", "amount", "100")
	stRun(t, c, []stCase{
		{a("XADD", "m", "IDMP", "p1", "pay-1", "*", "amount", "200"), id1},
		{a("XADD", "m", "KEEPREF", "IDMP", "p1", "pay-1", "MAXLEN", "~", "100", "*", "amount", "300"), id1},
		{a("XLEN", "m"), "1"},
		{a("XRANGE", "m", "-", "+"), "[[" + id1 + " [amount 100]]]"},
	})
	if id2 := stReply(c, "XADD", "m", "IDMP", "p2", "pay-1", "*", "amount", "1"); id2 == id1 {
		t.Fatal("producers must not share iids")
	}
	auto := stReply(c, "XADD", "m", "IDMPAUTO", "p3", "*", "a", "1", "b", "2")
	stRun(t, c, []stCase{
		{a("XADD", "m", "IDMPAUTO", "p3", "*", "b", "2", "a", "1"), auto}, // field order does not matter
		{a("XLEN", "m"), "3"},
	})
	if other := stReply(c, "XADD", "m", "IDMPAUTO", "p3", "*", "a", "2", "b", "1"); other == auto {
		t.Fatal("different content must get a new entry")
	}
	for field, want := range map[string]string{"pids-tracked": "3", "iids-tracked": "4", "iids-added": "4", "iids-duplicates": "3"} {
		if got := stInfo(t, c, "m", field); got != want {
			t.Errorf("%s = %s, want %s", field, got, want)
		}
	}
	stRun(t, c, []stCase{
		{a("XCFGSET", "m"), "ERR At least one parameter must be specified"},
		{a("XCFGSET", "m", "IDMP-DURATION"), "ERR syntax error"},
		{a("XCFGSET", "m", "INVALID"), "ERR syntax error"},
		{a("XCFGSET", "m", "IDMP-DURATION", "A"), "ERR value is not an integer or out of range"},
		{a("XCFGSET", "m", "IDMP-DURATION", "000"), "ERR value is not an integer or out of range"},
		{a("XCFGSET", "m", "IDMP-MAXSIZE", "3.14"), "ERR value is not an integer or out of range"},
		{a("XCFGSET", "m", "IDMP-DURATION", "INVALID", "IDMP-MAXSIZE"), "ERR value is not an integer or out of range"},
		{a("XCFGSET", "m", "IDMP-DURATION", "0"), "ERR IDMP-DURATION must be between 1 and 86400 seconds"},
		{a("XCFGSET", "m", "IDMP-DURATION", "86401"), "ERR IDMP-DURATION must be between 1 and 86400 seconds"},
		{a("XCFGSET", "m", "IDMP-MAXSIZE", "10001"), "ERR IDMP-MAXSIZE must be between 1 and 10000 entries"},
		{a("XCFGSET", "m", "IDMP-DURATION", "100", "IDMP-MAXSIZE", "100"), "OK"}, // unchanged: keeps the iids
		{a("XADD", "m", "IDMP", "p1", "pay-1", "*", "amount", "400"), id1},
		{a("XCFGSET", "m", "IDMP-MAXSIZE", "3"), "OK"}, // changed: forgets them
	})
	for field, want := range map[string]string{"idmp-maxsize": "3", "pids-tracked": "0", "iids-tracked": "0", "iids-added": "4"} {
		if got := stInfo(t, c, "m", field); got != want {
			t.Errorf("after XCFGSET %s = %s, want %s", field, got, want)
		}
	}
	// MAXSIZE evicts a producer's oldest iids.
	ids := make([]string, 5)
	for i := range ids {
		ids[i] = stReply(c, "XADD", "m", "IDMP", "p1", fmt.Sprint("r", i), "*", "f", "v")
	}
	for i := 2; i < 5; i++ {
		stRun(t, c, []stCase{{a("XADD", "m", "IDMP", "p1", fmt.Sprint("r", i), "*", "f", "dup"), ids[i]}})
	}
	if again := stReply(c, "XADD", "m", "IDMP", "p1", "r0", "*", "f", "v"); again == ids[0] {
		t.Fatal("r0 must have been evicted")
	}
	// DURATION expires iids by command time.
	stRun(t, c, []stCase{{a("XCFGSET", "m", "IDMP-DURATION", "1"), "OK"}})
	first := stReply(c, "XADD", "m", "IDMP", "p1", "short", "*", "f", "v")
	stRun(t, c, []stCase{{a("XADD", "m", "IDMP", "p1", "short", "*", "f", "v"), first}})
	time.Sleep(1100 * time.Millisecond)
	if later := stReply(c, "XADD", "m", "IDMP", "p1", "short", "*", "f", "v"); later == first {
		t.Fatal("iid must expire after IDMP-DURATION")
	}
	if got := stInfo(t, c, "m", "pids-tracked"); got != "1" {
		t.Errorf("pids-tracked after expiry: %s", got)
	}
}

func TestStreamXRead(t *testing.T) {
	addr := testserver.Start(t)
	c := gClient(t, addr, 2, 0)
	stRun(t, c, []stCase{
		{a("XREAD", "STREAMS", "s"), "ERR wrong number of arguments for 'xread' command"},
		{a("XREAD", "STREAMS", "s", "t", "0"), "ERR Unbalanced 'xread' list of streams: for each stream key an ID, '+', or '$' must be specified."},
		{a("XREAD", "FOO", "STREAMS", "s", "0"), "ERR syntax error"},
		{a("XREAD", "COUNT", "x", "STREAMS", "s", "0"), "ERR value is not an integer or out of range"},
		{a("XREAD", "BLOCK", "-1", "STREAMS", "s", "0"), "ERR timeout is negative"},
		{a("XREAD", "BLOCK", "x", "STREAMS", "s", "0"), "ERR timeout is not an integer or out of range"},
		{a("XREAD", "BLOCK", "010", "STREAMS", "s", "0"), "ERR timeout is not an integer or out of range"},
		{a("XREAD", "STREAMS", "s", ">"), "ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option."},
		{a("XREAD", "STREAMS", "s", "-"), "ERR Invalid stream ID specified as stream command argument"},
		{a("XREAD", "GROUP", "g", "c", "STREAMS", "s", "0"), "ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead."},
		{a("XREAD", "STREAMS", "s", "t", "0", "0"), "nil"},
		{a("XREAD", "STREAMS", "s", "+"), "nil"},
		{a("XADD", "s", "1-0", "k1", "v1"), "1-0"},
		{a("XADD", "s", "2-0", "k2", "v2"), "2-0"},
		{a("XADD", "s", "3-0", "k3", "v3"), "3-0"},
		{a("XADD", "t", "1-0", "k", "t1"), "1-0"},
		{a("XREAD", "STREAMS", "s", "t", "1", "0"), "[[s [[2-0 [k2 v2]] [3-0 [k3 v3]]]] [t [[1-0 [k t1]]]]]"},
		{a("XREAD", "COUNT", "1", "STREAMS", "nokey", "s", "t", "0", "0", "0"), "[[s [[1-0 [k1 v1]]]] [t [[1-0 [k t1]]]]]"},
		{a("XREAD", "COUNT", "-1", "STREAMS", "s", "2"), "[[s [[3-0 [k3 v3]]]]]"},
		{a("XREAD", "STREAMS", "s", "$"), "nil"},
		{a("XREAD", "COUNT", "3", "STREAMS", "s", "+"), "[[s [[3-0 [k3 v3]]]]]"},
		{a("XREAD", "MAXCOUNT", "3", "STREAMS", "s", "t", "0", "0"), "[[s [[1-0 [k1 v1]] [2-0 [k2 v2]] [3-0 [k3 v3]]]]]"},
		{a("XREAD", "MAXCOUNT", "2", "COUNT", "1", "STREAMS", "s", "t", "0", "0"), "[[s [[1-0 [k1 v1]]]] [t [[1-0 [k t1]]]]]"},
		{a("XREAD", "MAXSIZE", "1", "STREAMS", "s", "t", "0", "0"), "[[s [[1-0 [k1 v1]]]]]"},
		{a("XREAD", "MAXCOUNT", "-1", "STREAMS", "s", "0"), "ERR MAXCOUNT must be a non-negative integer"},
		{a("XDEL", "s", "3-0"), "1"},
		{a("XREAD", "STREAMS", "s", "+"), "[[s [[2-0 [k2 v2]]]]]"},
		{a("XREAD", "STREAMS", "s", "2-0"), "nil"},
		{a("XREAD", "BLOCK", "10", "STREAMS", "s", "2-0"), "nil"},
		{a("SET", "str", "v"), "OK"},
		{a("XREAD", "STREAMS", "s", "str", "0", "0"), "WRONGTYPE Operation against a key holding the wrong kind of value"},
	})
	// RESP3: a map from key to entries; the timeout is a null.
	c3 := gClient(t, addr, 3, 0)
	stRun(t, c3, []stCase{
		{a("XREAD", "STREAMS", "s", "t", "1", "0"), "map[s:[[2-0 [k2 v2]]] t:[[1-0 [k t1]]]]"},
		{a("XREAD", "BLOCK", "10", "STREAMS", "s", "$"), "nil"},
	})
	got := c3.XRead(context.Background(), &redis.XReadArgs{Streams: []string{"s", "t", "0", "0"}}).Val()
	if len(got) != 2 || got[0].Stream != "s" || len(got[0].Messages) != 2 || got[1].Messages[0].Values["k"] != "t1" {
		t.Errorf("go-redis RESP3 XREAD: %+v", got)
	}
}

// stBlocked waits until n clients are blocked.
func stBlocked(t *testing.T, c *redis.Client, n int) {
	t.Helper()
	want := fmt.Sprintf("blocked_clients:%d", n)
	for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if strings.Contains(c.Info(context.Background(), "clients").Val(), want) {
			return
		}
	}
	t.Fatalf("never saw %s", want)
}

// stRead runs a blocking XREAD on its own connection.
func stRead(t *testing.T, addr string, proto int, args ...any) <-chan string {
	ch := make(chan string, 1)
	c := gClient(t, addr, proto, 0)
	go func() { ch <- stReply(c, append(a("XREAD"), args...)...) }()
	return ch
}

func stWait(t *testing.T, ch <-chan string) string {
	t.Helper()
	select {
	case s := <-ch:
		return s
	case <-time.After(3 * time.Second):
		t.Fatal("blocked XREAD never answered")
		return ""
	}
}

func TestStreamXReadBlocking(t *testing.T) {
	addr := testserver.Start(t)
	c := gClient(t, addr, 2, 0)
	ctx := context.Background()
	c.XAdd(ctx, &redis.XAddArgs{Stream: "s2", ID: "1-0", Values: []string{"old", "x"}})

	// Several readers at once, "$" on present and missing keys, BLOCK 0.
	r1 := stRead(t, addr, 2, "BLOCK", "0", "STREAMS", "s1", "s2", "s3", "$", "$", "$")
	r2 := stRead(t, addr, 3, "BLOCK", "5000", "STREAMS", "s2", "$")
	r3 := stRead(t, addr, 2, "BLOCK", "0", "STREAMS", "s3", "+") // "+" on a missing key: whatever comes
	r4 := stRead(t, addr, 2, "BLOCK", "50", "STREAMS", "s9", "$")
	stBlocked(t, c, 4)
	if got := stWait(t, r4); got != "nil" {
		t.Errorf("timeout reply: %s", got)
	}
	stBlocked(t, c, 3)
	// Others are served meanwhile; a write that adds nothing new re-blocks.
	stRun(t, c, []stCase{
		{a("XLEN", "s2"), "1"},
		{a("XADD", "s1", "NOMKSTREAM", "*", "f", "v"), "nil"},
		{a("XDEL", "s2", "1-0"), "1"},
		{a("XSETID", "s2", "1-5"), "OK"},
	})
	stBlocked(t, c, 3)
	c.XAdd(ctx, &redis.XAddArgs{Stream: "s2", ID: "2-0", Values: []string{"new", "y"}})
	if got := stWait(t, r1); got != "[[s2 [[2-0 [new y]]]]]" {
		t.Errorf("r1: %s", got)
	}
	if got := stWait(t, r2); got != "map[s2:[[2-0 [new y]]]]" {
		t.Errorf("r2: %s", got)
	}
	// A transaction's entries all reach a reader blocked before it.
	pipe := c.TxPipeline()
	pipe.XAdd(ctx, &redis.XAddArgs{Stream: "s3", ID: "1-0", Values: []string{"n", "1"}})
	pipe.XAdd(ctx, &redis.XAddArgs{Stream: "s3", ID: "2-0", Values: []string{"n", "2"}})
	if _, err := pipe.Exec(ctx); err != nil {
		t.Fatal(err)
	}
	if got := stWait(t, r3); got != "[[s3 [[1-0 [n 1]] [2-0 [n 2]]]]]" {
		t.Errorf("r3: %s", got)
	}
	// "$" is resolved once: an entry added and deleted before the retry is
	// not re-read, the next one is.
	r5 := stRead(t, addr, 2, "BLOCK", "0", "STREAMS", "s3", "$")
	stBlocked(t, c, 1)
	tx := c.TxPipeline()
	tx.XAdd(ctx, &redis.XAddArgs{Stream: "s3", ID: "3-0", Values: []string{"n", "3"}})
	tx.XDel(ctx, "s3", "3-0")
	if _, err := tx.Exec(ctx); err != nil {
		t.Fatal(err)
	}
	stBlocked(t, c, 1)
	c.XAdd(ctx, &redis.XAddArgs{Stream: "s3", ID: "4-0", Values: []string{"n", "4"}})
	if got := stWait(t, r5); got != "[[s3 [[4-0 [n 4]]]]]" {
		t.Errorf("r5: %s", got)
	}
	// The resolved "$" outlives the key: a recreated stream serves the
	// reader only past it, as in Redis.
	r6 := stRead(t, addr, 2, "BLOCK", "0", "STREAMS", "s3", "$")
	stBlocked(t, c, 1)
	c.Del(ctx, "s3")
	c.XAdd(ctx, &redis.XAddArgs{Stream: "s3", ID: "1-0", Values: []string{"n", "again"}})
	stBlocked(t, c, 1)
	c.XAdd(ctx, &redis.XAddArgs{Stream: "s3", ID: "5-0", Values: []string{"n", "5"}})
	if got := stWait(t, r6); got != "[[s3 [[5-0 [n 5]]]]]" {
		t.Errorf("r6: %s", got)
	}
	// Inside MULTI a blocking XREAD answers at once.
	tx = c.TxPipeline()
	read := tx.XRead(ctx, &redis.XReadArgs{Streams: []string{"s3", "$"}, Block: 0})
	tx.Exec(ctx)
	if read.Err() != redis.Nil {
		t.Errorf("XREAD BLOCK in MULTI: %v", read.Err())
	}
}

func TestStreamBadInputKeepsServing(t *testing.T) {
	c := gClient(t, testserver.Start(t), 2, 0)
	c.XAdd(context.Background(), &redis.XAddArgs{Stream: "s", ID: "1-0", Values: []string{"f", "v"}})
	huge := "99999999999999999999999999"
	bad := [][]any{
		a("XADD"), a("XADD", "s", huge, "f", "v"), a("XADD", "s", "1-"+huge, "f", "v"),
		a("XADD", "s", "MAXLEN", huge, "*", "f", "v"), a("XADD", "s", "MAXLEN", "~"), a("XADD", "s", "IDMP", "p"),
		a("XRANGE", "s", huge, "+"), a("XRANGE", "s", "-", "+", "COUNT", huge), a("XREVRANGE", "s"),
		a("XRANGE", "s", "((1", "+"), a("XRANGE", "s", "1-1-1", "+"), a("XRANGE", "s", "", ""),
		a("XREAD", "COUNT", huge, "STREAMS", "s", "0"), a("XREAD", "BLOCK", huge, "STREAMS", "s", "0"),
		a("XREAD", "STREAMS"), a("XREAD", "COUNT"), a("XDEL", "s", ""), a("XTRIM", "s", "MAXLEN"),
		a("XTRIM", "s", "MINID", "~"), a("XTRIM", "s", "MAXLEN", "~", "1", "LIMIT", huge),
		a("XSETID", "s", huge), a("XSETID", "s", "1-0", "ENTRIESADDED", huge), a("XINFO", "STREAM", "s", "FULL", "COUNT", huge),
		a("XCFGSET", "s", "IDMP-MAXSIZE", huge), a("XINFO", "HELP", "HELP"), a("XLEN"),
	}
	for _, args := range bad {
		if got := stReply(c, args...); !strings.HasPrefix(got, "ERR ") {
			t.Errorf("%v: %s", args, got)
		}
	}
	stRun(t, c, []stCase{{a("XRANGE", "s", "-", "+"), "[[1-0 [f v]]]"}})
}

// TestStreamRestart checks that replaying the log rebuilds the same stream,
// including approximate trims done under other block limits.
func TestStreamRestart(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	addr, stop := testserver.StartDir(t, dir, wal.Always)
	c := redis.NewClient(&redis.Options{Addr: addr, Protocol: 2})
	c.ConfigSet(ctx, "stream-node-max-entries", "7")
	pipe := c.Pipeline()
	for i := 0; i < 300; i++ {
		pipe.XAdd(ctx, &redis.XAddArgs{Stream: "s", Values: []string{"i", fmt.Sprint(i), "pad", strings.Repeat("x", i%50)}})
	}
	if _, err := pipe.Exec(ctx); err != nil {
		t.Fatal(err)
	}
	all := c.XRange(ctx, "s", "-", "+").Val()
	steps := [][]any{
		a("XDEL", "s", all[299].ID, all[150].ID),
		a("XTRIM", "s", "MAXLEN", "~", "250"),
		a("XADD", "s", "MAXLEN", "~", "200", "LIMIT", "20", "*", "f", "v"),
		a("XTRIM", "s", "MINID", "~", all[160].ID),
		a("XADD", "s", "IDMP", "p", "i", "*", "f", "v"),
		a("XADD", "s", "IDMP", "p", "i", "*", "f", "dup"),
		a("XCFGSET", "s", "IDMP-MAXSIZE", "50"),
		a("XADD", "s", "IDMPAUTO", "q", "*", "f", "v"),
		a("XSETID", "s", "99999999999999-0", "ENTRIESADDED", "1000"),
		a("XADD", "t", "MAXLEN", "0", "*", "f", "v"),
	}
	for _, s := range steps {
		if err := c.Do(ctx, s...).Err(); err != nil {
			t.Fatalf("%v: %v", s, err)
		}
	}
	// Block counts follow the limits in force at replay, and which blocks
	// are in memory what has been written since; all else must match.
	state := func(c *redis.Client) string {
		var b strings.Builder
		for _, key := range []string{"s", "t"} {
			v, err := c.Do(ctx, "XINFO", "STREAM", key).Slice()
			if err != nil {
				t.Fatal(err)
			}
			for i := 0; i < len(v); i += 2 {
				if k := v[i].(string); !strings.HasPrefix(k, "radix-tree") && !strings.HasSuffix(k, "-bytes") {
					fmt.Fprint(&b, v[i], "=", v[i+1], " ")
				}
			}
		}
		return b.String() + stReply(c, "XRANGE", "s", "-", "+")
	}
	before := state(c)
	crashed := t.TempDir() + "/data"
	if err := os.CopyFS(crashed, os.DirFS(dir)); err != nil { // what kill -9 leaves
		t.Fatal(err)
	}
	c.Close()
	stop()
	for _, d := range []string{crashed, dir} { // log replay; shutdown snapshot
		addr, stop := testserver.StartDir(t, d, wal.Always)
		c := gClient(t, addr, 2, 0)
		if after := state(c); after != before {
			t.Fatalf("after restart on %s:\n%s\nbefore:\n%s", d, after, before)
		}
		stop()
	}
}
