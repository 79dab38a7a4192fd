package tests

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"

	"sluice/internal/testserver"
	"sluice/wal"
)

// durOps applies n random commands; errors (no such group, wrong type...)
// are part of the mix and ignored.
func durOps(t *testing.T, c *redis.Client, r *rand.Rand, n int) {
	t.Helper()
	ctx := context.Background()
	streams := []string{"s0", "s1", "s2"}
	stringsKeys := []string{"k0", "k1", "s2"} // s2 may hold either type
	groups := []string{"g0", "g1"}
	consumers := []string{"c0", "c1", "c2"}
	pick := func(xs []string) string { return xs[r.IntN(len(xs))] }
	anyID := func(key string) string {
		msgs, _ := c.XRange(ctx, key, "-", "+").Result()
		if len(msgs) == 0 {
			return "0-1"
		}
		return msgs[r.IntN(len(msgs))].ID
	}
	pendingID := func(key, group string) string {
		p, _ := c.XPendingExt(ctx, &redis.XPendingExtArgs{Stream: key, Group: group, Start: "-", End: "+", Count: 1000}).Result()
		if len(p) == 0 {
			return "0-1"
		}
		return p[r.IntN(len(p))].ID
	}
	for range n {
		s, g, cons := pick(streams), pick(groups), pick(consumers)
		var args []any
		switch r.IntN(16) {
		case 0, 1, 2:
			args = []any{"XADD", s, "*", "f", r.IntN(1000)}
			switch r.IntN(6) {
			case 0:
				args = []any{"XADD", s, "MAXLEN", "~", 20, "*", "f", r.IntN(1000), "g", "x"}
			case 1:
				// Idempotent producers: a repeated (pid, iid) adds nothing.
				args = []any{"XADD", s, "IDMP", pick(consumers), r.IntN(8), "*", "f", r.IntN(1000)}
			}
		case 3:
			args = []any{"XDEL", s, anyID(s)}
		case 4:
			args = []any{"XTRIM", s, "MAXLEN", r.IntN(30)}
		case 5:
			args = []any{"XGROUP", "CREATE", s, g, pick([]string{"0", "$"}), "MKSTREAM"}
		case 6, 7:
			args = []any{"XREADGROUP", "GROUP", g, cons, "COUNT", 1 + r.IntN(5), "STREAMS", s, ">"}
		case 8:
			args = []any{"XACK", s, g, pendingID(s, g)}
		case 9:
			args = []any{"XCLAIM", s, g, cons, 0, pendingID(s, g)}
		case 10:
			args = []any{"XAUTOCLAIM", s, g, cons, 0, "0", "COUNT", 2}
		case 11:
			args = []any{"XGROUP", "SETID", s, g, anyID(s)}
		case 12:
			args = []any{"SET", pick(stringsKeys), r.IntN(100)}
		case 13:
			args = []any{"EXPIRE", pick(append(stringsKeys, streams...)), 1000 + r.IntN(1000)}
		case 14:
			args = []any{"DEL", pick(append(stringsKeys, streams...))}
		case 15:
			args = []any{"XREADGROUP", "GROUP", g, cons, "STREAMS", s, "0"}
		}
		c.Do(ctx, args...)
	}
}

// durState renders everything a restart must keep, with absolute times
// only (delivery and seen times, PEXPIRETIME), so two captures of the same
// state compare equal whenever they are taken.
func durState(t *testing.T, c *redis.Client) string {
	t.Helper()
	ctx := context.Background()
	keys, err := c.Keys(ctx, "*").Result()
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(keys)
	var b strings.Builder
	hasXInfo := c.Do(ctx, "XINFO", "HELP").Err() == nil
	for _, k := range keys {
		typ := c.Type(ctx, k).Val()
		fmt.Fprintf(&b, "%s %s expire=%v\n", k, typ, c.Do(ctx, "PEXPIRETIME", k).Val())
		if typ != "stream" {
			fmt.Fprintf(&b, "  %q\n", c.Get(ctx, k).Val())
			continue
		}
		fmt.Fprintf(&b, "  entries %v\n", c.XRange(ctx, k, "-", "+").Val())
		if hasXInfo {
			fmt.Fprintf(&b, "  full %v\n", withoutTiers(c.Do(ctx, "XINFO", "STREAM", k, "FULL", "COUNT", 0).Val()))
		}
		for _, g := range []string{"g0", "g1"} {
			p, err := c.XPendingExt(ctx, &redis.XPendingExtArgs{Stream: k, Group: g, Start: "-", End: "+", Count: 100000}).Result()
			if err != nil {
				fmt.Fprintf(&b, "  group %s: %v\n", g, err)
				continue
			}
			for i := range p {
				p[i].Idle = 0
			}
			fmt.Fprintf(&b, "  group %s pending %v\n", g, p)
			for _, cons := range []string{"c0", "c1", "c2"} {
				cp := c.XPendingExt(ctx, &redis.XPendingExtArgs{Stream: k, Group: g, Consumer: cons, Start: "-", End: "+", Count: 100000}).Val()
				fmt.Fprintf(&b, "  consumer %s owns %d\n", cons, len(cp))
			}
		}
	}
	return b.String()
}

// durCrashCopy copies a running server's data directory: with appendfsync
// always and no command in flight, it is what a kill -9 would leave.
func durCrashCopy(t *testing.T, dir string) string {
	t.Helper()
	to := filepath.Join(t.TempDir(), "data")
	if err := os.CopyFS(to, os.DirFS(dir)); err != nil {
		t.Fatal(err)
	}
	return to
}

func durCheck(t *testing.T, what, dir, want string) {
	t.Helper()
	addr, stop := testserver.StartDir(t, dir, wal.Always)
	defer stop()
	c := redis.NewClient(&redis.Options{Addr: addr})
	defer c.Close()
	if got := durState(t, c); got != want {
		t.Fatalf("%s: state differs after restart\ngot:\n%s\nwant:\n%s", what, got, want)
	}
}

// TestRestartKeepsExactState restarts after random commands three ways:
// from the log alone, from a snapshot plus the log after it, and from the
// shutdown snapshot alone; each must give back exactly the same state,
// down to PEL delivery counts and group last IDs.
func TestRestartKeepsExactState(t *testing.T) {
	for seed := range uint64(4) {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			r := rand.New(rand.NewPCG(seed, 99))
			dir := t.TempDir()
			addr, stop := testserver.StartDir(t, dir, wal.Always)
			c := redis.NewClient(&redis.Options{Addr: addr})
			defer c.Close()

			durOps(t, c, r, 150)
			logOnly, stateLogOnly := durCrashCopy(t, dir), durState(t, c)
			if err := c.Do(context.Background(), "SAVE").Err(); err != nil {
				t.Fatal(err)
			}
			durOps(t, c, r, 150)
			snapAndLog, want := durCrashCopy(t, dir), durState(t, c)
			c.Close()
			stop()

			durCheck(t, "log only", logOnly, stateLogOnly)
			durCheck(t, "snapshot and log", snapAndLog, want)
			durCheck(t, "shutdown snapshot", dir, want)
			if !strings.Contains(want, "stream") || !strings.Contains(want, "pending [{") {
				t.Fatalf("the random commands built no pending entries; the test proves little:\n%s", want)
			}
		})
	}
}

// A CONFIG SET that decides what later commands do is replayed before
// them: an IDMP stream created under stream-idmp-maxsize 2 forgets iid 1
// after iids 2 and 3, so the fourth XADD (iid 1 again) adds an entry, and
// a replay under the default maxsize must not call it a duplicate.
func TestReplayKeepsConfigChanges(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	addr, stop := testserver.StartDir(t, dir, wal.Always)
	c := redis.NewClient(&redis.Options{Addr: addr})
	defer c.Close()
	if err := c.ConfigSet(ctx, "stream-idmp-maxsize", "2").Err(); err != nil {
		t.Fatal(err)
	}
	for _, iid := range []string{"1", "2", "3", "1"} {
		if err := c.Do(ctx, "XADD", "q", "IDMP", "p", iid, "*", "f", "v").Err(); err != nil {
			t.Fatal(err)
		}
	}
	if n := c.XLen(ctx, "q").Val(); n != 4 {
		t.Fatalf("XLEN = %d before the crash, want 4", n)
	}
	want := durState(t, c)
	crashed := durCrashCopy(t, dir)
	c.Close()
	stop()
	durCheck(t, "log only", crashed, want)
}

// SAVE writes a snapshot and nothing into the log.
func TestSaveLogsNothing(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	addr, _ := testserver.StartDir(t, dir, wal.Always)
	c := redis.NewClient(&redis.Options{Addr: addr})
	defer c.Close()
	c.XAdd(ctx, &redis.XAddArgs{Stream: "s", Values: []any{"f", "v"}})
	rep, err := wal.Check(filepath.Join(dir, "wal"), 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Save(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	after, err := wal.Check(filepath.Join(dir, "wal"), 0)
	if err != nil {
		t.Fatal(err)
	}
	if after.Last != rep.Last {
		t.Fatalf("SAVE moved the log from LSN %d to %d", rep.Last, after.Last)
	}
}

// withoutTiers drops the fields of an XINFO STREAM reply that say how much
// of the stream is in memory: that is no part of its state.
func withoutTiers(reply any) any {
	if m, ok := reply.(map[any]any); ok { // RESP3
		delete(m, "hot-bytes")
		delete(m, "cold-bytes")
		return m
	}
	kv, ok := reply.([]any)
	if !ok {
		return reply
	}
	var out []any
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i] != "hot-bytes" && kv[i] != "cold-bytes" {
			out = append(out, kv[i], kv[i+1])
		}
	}
	return out
}
