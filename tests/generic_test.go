package tests

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"sluice/internal/testserver"
	"sluice/wal"
)

// gClient returns a go-redis client speaking RESP proto (2 or 3) to db.
func gClient(t *testing.T, addr string, proto, db int) *redis.Client {
	t.Helper()
	c := redis.NewClient(&redis.Options{Addr: addr, Protocol: proto, DB: db})
	t.Cleanup(func() { c.Close() })
	return c
}

// gRaw sends inline commands on one connection and returns what came back
// within a short time.
func gRaw(t *testing.T, addr string, cmds ...string) string {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for _, c := range cmds {
		if _, err := conn.Write([]byte(c + "\r\n")); err != nil {
			t.Fatal(err)
		}
	}
	conn.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	var b strings.Builder
	r := bufio.NewReader(conn)
	for {
		line, err := r.ReadString('\n')
		b.WriteString(line)
		if err != nil {
			return b.String()
		}
	}
}

// wantErr checks that err is a Redis error with exactly msg.
func wantErr(t *testing.T, err error, msg string) {
	t.Helper()
	if err == nil || err.Error() != msg {
		t.Fatalf("got error %v, want %q", err, msg)
	}
}

type res[T any] struct {
	v   T
	err error
}

// mr wraps a (value, error) pair; .of(t) fails the test on error.
func mr[T any](v T, err error) res[T] { return res[T]{v, err} }

func (r res[T]) of(t *testing.T) T {
	t.Helper()
	if r.err != nil {
		t.Fatal(r.err)
	}
	return r.v
}

func eq[T comparable](t *testing.T, what string, got, want T) {
	t.Helper()
	if got != want {
		t.Fatalf("%s: got %v, want %v", what, got, want)
	}
}

func TestGenericConnectionCommands(t *testing.T) {
	addr := testserver.Start(t)
	ctx := context.Background()
	for _, proto := range []int{2, 3} {
		r := gClient(t, addr, proto, 0)
		eq(t, "ping", mr(r.Ping(ctx).Result()).of(t), "PONG")
		eq(t, "ping msg", mr(r.Do(ctx, "PING", "hi there").Text()).of(t), "hi there")
		eq(t, "echo", mr(r.Echo(ctx, "x\r\ny").Result()).of(t), "x\r\ny")
		_, err := r.Do(ctx, "PING", "a", "b").Result()
		wantErr(t, err, "ERR wrong number of arguments for 'ping' command")
		tm := mr(r.Time(ctx).Result()).of(t)
		if d := time.Since(tm); d < -time.Second || d > time.Second {
			t.Fatalf("TIME off by %v", d)
		}
	}
	got := gRaw(t, addr, "PING", "PING hello", "ECHO x")
	eq(t, "raw ping", got, "+PONG\r\n$5\r\nhello\r\n$1\r\nx\r\n")
}

func TestGenericSelectAndFlush(t *testing.T) {
	addr := testserver.Start(t)
	ctx := context.Background()
	r0 := gClient(t, addr, 2, 0)
	r5 := gClient(t, addr, 3, 5)
	mr(r0.Set(ctx, "k", "zero", 0).Result()).of(t)
	mr(r5.Set(ctx, "k", "five", 0).Result()).of(t)
	mr(r5.Set(ctx, "k2", "five", 0).Result()).of(t)
	eq(t, "db0", mr(r0.Get(ctx, "k").Result()).of(t), "zero")
	eq(t, "db5", mr(r5.Get(ctx, "k").Result()).of(t), "five")
	eq(t, "dbsize0", mr(r0.DBSize(ctx).Result()).of(t), int64(1))
	eq(t, "dbsize5", mr(r5.DBSize(ctx).Result()).of(t), int64(2))

	conn := r0.Conn()
	defer conn.Close()
	wantErr(t, conn.Select(ctx, 16).Err(), "ERR DB index is out of range")
	wantErr(t, conn.Select(ctx, -1).Err(), "ERR DB index is out of range")
	wantErr(t, conn.Do(ctx, "SELECT", "x").Err(), "ERR value is not an integer or out of range")
	mr(conn.Select(ctx, 5).Result()).of(t)
	eq(t, "after select", mr(conn.Get(ctx, "k").Result()).of(t), "five")
	info := mr(conn.ClientInfo(ctx).Result()).of(t)
	eq(t, "client info db", info.DB, 5)

	// SWAPDB moves the data, not the connections.
	mr(r0.Do(ctx, "SWAPDB", 0, 5).Result()).of(t)
	eq(t, "swapped db0", mr(r0.Get(ctx, "k").Result()).of(t), "five")
	eq(t, "swapped db5", mr(r5.Get(ctx, "k").Result()).of(t), "zero")
	wantErr(t, r0.Do(ctx, "SWAPDB", 0, 99).Err(), "ERR DB index is out of range")
	wantErr(t, r0.Do(ctx, "SWAPDB", "a", "1").Err(), "ERR invalid first DB index")

	// FLUSHDB empties only the selected database.
	eq(t, "flushdb", mr(r0.FlushDB(ctx).Result()).of(t), "OK")
	eq(t, "flushed", mr(r0.DBSize(ctx).Result()).of(t), int64(0))
	eq(t, "other kept", mr(r5.DBSize(ctx).Result()).of(t), int64(1))
	wantErr(t, r0.Do(ctx, "FLUSHDB", "NOW").Err(), "ERR syntax error")
	eq(t, "flushdb async", mr(r0.FlushDBAsync(ctx).Result()).of(t), "OK")
	eq(t, "flushall sync", mr(r0.Do(ctx, "FLUSHALL", "SYNC").Text()).of(t), "OK")
	eq(t, "all flushed", mr(r5.DBSize(ctx).Result()).of(t), int64(0))
}

func TestGenericKeyspace(t *testing.T) {
	addr := testserver.Start(t)
	ctx := context.Background()
	r := gClient(t, addr, 2, 0)
	mr(r.MSet(ctx, "a", "1", "b", "2", "c", "3").Result()).of(t)
	mr(r.XAdd(ctx, &redis.XAddArgs{Stream: "s", Values: []string{"f", "v"}}).Result()).of(t)

	eq(t, "exists repeats", mr(r.Exists(ctx, "a", "a", "nope", "s").Result()).of(t), int64(3))
	eq(t, "type string", mr(r.Type(ctx, "a").Result()).of(t), "string")
	eq(t, "type stream", mr(r.Type(ctx, "s").Result()).of(t), "stream")
	eq(t, "type none", mr(r.Type(ctx, "nope").Result()).of(t), "none")
	keys := mr(r.Keys(ctx, "*").Result()).of(t)
	sort.Strings(keys)
	eq(t, "keys", strings.Join(keys, ","), "a,b,c,s")
	keys = mr(r.Keys(ctx, "[ab]").Result()).of(t)
	sort.Strings(keys)
	eq(t, "keys pattern", strings.Join(keys, ","), "a,b")
	rk := mr(r.RandomKey(ctx).Result()).of(t)
	if !strings.Contains("abcs", rk) {
		t.Fatalf("randomkey %q", rk)
	}
	eq(t, "del", mr(r.Del(ctx, "a", "a", "nope").Result()).of(t), int64(1))
	eq(t, "unlink", mr(r.Unlink(ctx, "b", "s").Result()).of(t), int64(2))
	eq(t, "touch", mr(r.Touch(ctx, "c", "b").Result()).of(t), int64(1))

	// RENAME / RENAMENX, with the expiry moving along.
	wantErr(t, r.Rename(ctx, "nope", "x").Err(), "ERR no such key")
	wantErr(t, r.RenameNX(ctx, "nope", "x").Err(), "ERR no such key")
	mr(r.Expire(ctx, "c", time.Hour).Result()).of(t)
	mr(r.Rename(ctx, "c", "d").Result()).of(t)
	eq(t, "renamed", mr(r.Get(ctx, "d").Result()).of(t), "3")
	if ttl := mr(r.TTL(ctx, "d").Result()).of(t); ttl < time.Hour-2*time.Second {
		t.Fatalf("ttl after rename: %v", ttl)
	}
	eq(t, "rename onto itself", mr(r.Rename(ctx, "d", "d").Result()).of(t), "OK")
	eq(t, "renamenx onto itself", mr(r.RenameNX(ctx, "d", "d").Result()).of(t), false)
	mr(r.Set(ctx, "e", "5", 0).Result()).of(t)
	eq(t, "renamenx exists", mr(r.RenameNX(ctx, "d", "e").Result()).of(t), false)
	eq(t, "renamenx", mr(r.RenameNX(ctx, "d", "f").Result()).of(t), true)
	mr(r.Rename(ctx, "f", "e").Result()).of(t)
	eq(t, "rename overwrote", mr(r.Get(ctx, "e").Result()).of(t), "3")

	// COPY, including a stream with a group and another database.
	mr(r.XAdd(ctx, &redis.XAddArgs{Stream: "s", ID: "1-1", Values: []string{"f", "v"}}).Result()).of(t)
	mr(r.XGroupCreate(ctx, "s", "g", "0").Result()).of(t)
	mr(r.XReadGroup(ctx, &redis.XReadGroupArgs{Group: "g", Consumer: "c1", Streams: []string{"s", ">"}}).Result()).of(t)
	eq(t, "copy", mr(r.Copy(ctx, "s", "s2", 0, false).Result()).of(t), int64(1))
	eq(t, "copy exists", mr(r.Copy(ctx, "s", "s2", 0, false).Result()).of(t), int64(0))
	eq(t, "copy replace", mr(r.Copy(ctx, "s", "s2", 0, true).Result()).of(t), int64(1))
	mr(r.XAdd(ctx, &redis.XAddArgs{Stream: "s", ID: "2-1", Values: []string{"f", "w"}}).Result()).of(t)
	eq(t, "copy independent", mr(r.XLen(ctx, "s2").Result()).of(t), int64(1))
	p := mr(r.XPending(ctx, "s2", "g").Result()).of(t)
	eq(t, "copied pending", p.Count, int64(1))
	eq(t, "copy db", mr(r.Copy(ctx, "e", "e", 3, false).Result()).of(t), int64(1))
	eq(t, "copied to db3", mr(gClient(t, addr, 2, 3).Get(ctx, "e").Result()).of(t), "3")
	wantErr(t, r.Copy(ctx, "e", "e", 0, false).Err(), "ERR source and destination objects are the same")
	wantErr(t, r.Copy(ctx, "e", "x", 99, false).Err(), "ERR DB index is out of range")
	eq(t, "copy missing", mr(r.Copy(ctx, "nope", "x", 0, false).Result()).of(t), int64(0))
}

func TestGenericExpire(t *testing.T) {
	addr := testserver.Start(t)
	ctx := context.Background()
	r := gClient(t, addr, 2, 0)
	mr(r.Set(ctx, "k", "v", 0).Result()).of(t)
	eq(t, "ttl none", mr(r.Do(ctx, "TTL", "k").Int()).of(t), -1)
	eq(t, "ttl missing", mr(r.Do(ctx, "TTL", "nope").Int()).of(t), -2)
	eq(t, "pttl missing", mr(r.Do(ctx, "PTTL", "nope").Int()).of(t), -2)
	eq(t, "expiretime none", mr(r.Do(ctx, "EXPIRETIME", "k").Int()).of(t), -1)
	eq(t, "expire missing", mr(r.Expire(ctx, "nope", time.Minute).Result()).of(t), false)

	// NX / XX / GT / LT
	eq(t, "xx without ttl", mr(r.ExpireXX(ctx, "k", time.Minute).Result()).of(t), false)
	eq(t, "gt without ttl", mr(r.ExpireGT(ctx, "k", time.Minute).Result()).of(t), false)
	eq(t, "nx", mr(r.ExpireNX(ctx, "k", 100*time.Second).Result()).of(t), true)
	eq(t, "nx again", mr(r.ExpireNX(ctx, "k", time.Minute).Result()).of(t), false)
	eq(t, "lt bigger", mr(r.ExpireLT(ctx, "k", 200*time.Second).Result()).of(t), false)
	eq(t, "lt smaller", mr(r.ExpireLT(ctx, "k", 50*time.Second).Result()).of(t), true)
	eq(t, "gt smaller", mr(r.ExpireGT(ctx, "k", 10*time.Second).Result()).of(t), false)
	eq(t, "gt bigger", mr(r.ExpireGT(ctx, "k", 300*time.Second).Result()).of(t), true)
	eq(t, "ttl", mr(r.Do(ctx, "TTL", "k").Int()).of(t), 300)
	if pt := mr(r.Do(ctx, "PTTL", "k").Int()).of(t); pt <= 298000 || pt > 300000 {
		t.Fatalf("pttl %d", pt)
	}
	wantErr(t, r.Do(ctx, "EXPIRE", "k", "10", "NX", "XX").Err(), "ERR NX and XX, GT or LT options at the same time are not compatible")
	wantErr(t, r.Do(ctx, "EXPIRE", "k", "10", "GT", "LT").Err(), "ERR GT and LT options at the same time are not compatible")
	wantErr(t, r.Do(ctx, "EXPIRE", "k", "10", "FOO").Err(), "ERR Unsupported option FOO")
	wantErr(t, r.Do(ctx, "EXPIRE", "k", "ten").Err(), "ERR value is not an integer or out of range")
	wantErr(t, r.Do(ctx, "EXPIRE", "k", "9223372036854775807").Err(), "ERR invalid expire time in 'expire' command")
	wantErr(t, r.Do(ctx, "PEXPIRE", "k", "9223372036854775807").Err(), "ERR invalid expire time in 'pexpire' command")

	at := time.Now().Add(time.Hour).Truncate(time.Second)
	eq(t, "expireat", mr(r.ExpireAt(ctx, "k", at).Result()).of(t), true)
	eq(t, "expiretime", mr(r.Do(ctx, "EXPIRETIME", "k").Int64()).of(t), at.Unix())
	eq(t, "pexpiretime", mr(r.Do(ctx, "PEXPIRETIME", "k").Int64()).of(t), at.UnixMilli())
	eq(t, "pexpireat", mr(r.PExpireAt(ctx, "k", at.Add(500*time.Millisecond)).Result()).of(t), true)
	eq(t, "pexpiretime2", mr(r.Do(ctx, "PEXPIRETIME", "k").Int64()).of(t), at.UnixMilli()+500)
	eq(t, "persist", mr(r.Persist(ctx, "k").Result()).of(t), true)
	eq(t, "persist again", mr(r.Persist(ctx, "k").Result()).of(t), false)
	eq(t, "persist missing", mr(r.Persist(ctx, "nope").Result()).of(t), false)

	// An expiry in the past deletes at once.
	eq(t, "expire past", mr(r.Do(ctx, "EXPIRE", "k", "-1").Int()).of(t), 1)
	eq(t, "deleted", mr(r.Exists(ctx, "k").Result()).of(t), int64(0))

	// Lazy expiry: an expired key reads as missing everywhere.
	mr(r.Set(ctx, "short", "v", 50*time.Millisecond).Result()).of(t)
	mr(r.XAdd(ctx, &redis.XAddArgs{Stream: "st", Values: []string{"f", "v"}}).Result()).of(t)
	mr(r.PExpire(ctx, "st", 50*time.Millisecond).Result()).of(t)
	time.Sleep(120 * time.Millisecond)
	if err := r.Get(ctx, "short").Err(); err != redis.Nil {
		t.Fatalf("expired GET: %v", err)
	}
	eq(t, "expired exists", mr(r.Exists(ctx, "short", "st").Result()).of(t), int64(0))
	eq(t, "expired type", mr(r.Type(ctx, "st").Result()).of(t), "none")
	eq(t, "expired xlen", mr(r.XLen(ctx, "st").Result()).of(t), int64(0))
	eq(t, "expired ttl", mr(r.Do(ctx, "TTL", "short").Int()).of(t), -2)
	eq(t, "expired setnx", mr(r.SetNX(ctx, "short", "new", 0).Result()).of(t), true)
	eq(t, "no stale ttl", mr(r.Do(ctx, "TTL", "short").Int()).of(t), -1)

}

// TestGenericActiveExpiry needs the broker to run the engine's active
// expiry cycle (Engine.StartExpiry).
func TestGenericActiveExpiry(t *testing.T) {
	addr := testserver.Start(t)
	ctx := context.Background()
	r := gClient(t, addr, 2, 0)
	// Active expiry: keys nobody reads go away by themselves.
	mr(r.FlushAll(ctx).Result()).of(t)
	for i := 0; i < 50; i++ {
		mr(r.Set(ctx, "act"+strconv.Itoa(i), "v", 30*time.Millisecond).Result()).of(t)
	}
	mr(r.Set(ctx, "keep", "v", 0).Result()).of(t)
	deadline := time.Now().Add(3 * time.Second)
	for mr(r.DBSize(ctx).Result()).of(t) != 1 {
		if time.Now().After(deadline) {
			t.Fatalf("active expiry did not remove keys: dbsize %d", mr(r.DBSize(ctx).Result()).of(t))
		}
		time.Sleep(50 * time.Millisecond)
	}
	info := mr(r.InfoMap(ctx, "stats").Result()).of(t)
	if n, _ := strconv.Atoi(info["Stats"]["expired_keys"]); n < 50 {
		t.Fatalf("expired_keys %q", info["Stats"]["expired_keys"])
	}
}

func TestGenericScan(t *testing.T) {
	addr := testserver.Start(t)
	ctx := context.Background()
	r := gClient(t, addr, 3, 0)
	for i := 0; i < 500; i++ {
		mr(r.Set(ctx, fmt.Sprintf("k:%d", i), "v", 0).Result()).of(t)
	}
	mr(r.XAdd(ctx, &redis.XAddArgs{Stream: "stream:1", Values: []string{"f", "v"}}).Result()).of(t)

	// Full iteration, with MATCH and TYPE.
	scanAll := func(match, typ string, count int64) []string {
		var out []string
		var cursor uint64
		for {
			var keys []string
			var err error
			if typ != "" {
				keys, cursor, err = r.ScanType(ctx, cursor, match, count, typ).Result()
			} else {
				keys, cursor, err = r.Scan(ctx, cursor, match, count).Result()
			}
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, keys...)
			if cursor == 0 {
				return out
			}
		}
	}
	eq(t, "scan all", len(scanAll("", "", 10)), 501)
	eq(t, "scan match", len(scanAll("k:1*", "", 7)), 111)
	eq(t, "scan type", strings.Join(scanAll("*", "stream", 50), ","), "stream:1")
	eq(t, "scan type string", len(scanAll("", "string", 1000)), 500)
	wantErr(t, r.Do(ctx, "SCAN", "x").Err(), "ERR invalid cursor")
	wantErr(t, r.Do(ctx, "SCAN", "0", "COUNT", "0").Err(), "ERR syntax error")
	wantErr(t, r.Do(ctx, "SCAN", "0", "TYPE", "blob").Err(), "ERR unknown type name 'blob'")
	wantErr(t, r.Do(ctx, "SCAN", "0", "FOO").Err(), "ERR syntax error")

	// Keys present for the whole scan come back exactly once while others
	// are added and removed concurrently.
	w := gClient(t, addr, 2, 0)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			w.Set(ctx, fmt.Sprintf("tmp:%d", i), "v", 0)
			if i >= 20 {
				w.Del(ctx, fmt.Sprintf("tmp:%d", i-20))
			}
		}
	}()
	seen := map[string]int{}
	var cursor uint64
	for {
		keys, next, err := r.Scan(ctx, cursor, "k:*", 5).Result()
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range keys {
			seen[k]++
		}
		cursor = next
		if cursor == 0 {
			break
		}
	}
	close(stop)
	wg.Wait()
	eq(t, "stable keys seen", len(seen), 500)
	for k, n := range seen {
		if n != 1 {
			t.Fatalf("%s returned %d times", k, n)
		}
	}
}

func TestGenericStrings(t *testing.T) {
	addr := testserver.Start(t)
	ctx := context.Background()
	r := gClient(t, addr, 2, 0)

	eq(t, "set", mr(r.Set(ctx, "k", "v1", 0).Result()).of(t), "OK")
	eq(t, "get", mr(r.Get(ctx, "k").Result()).of(t), "v1")
	if err := r.Get(ctx, "nope").Err(); err != redis.Nil {
		t.Fatalf("get missing: %v", err)
	}
	// NX / XX / GET / KEEPTTL / EX / PX / EXAT / PXAT
	if err := r.SetArgs(ctx, "k", "v2", redis.SetArgs{Mode: "NX"}).Err(); err != redis.Nil {
		t.Fatalf("set nx on existing: %v", err)
	}
	eq(t, "set xx", mr(r.SetArgs(ctx, "k", "v2", redis.SetArgs{Mode: "XX"}).Result()).of(t), "OK")
	if err := r.SetArgs(ctx, "nope", "v", redis.SetArgs{Mode: "XX"}).Err(); err != redis.Nil {
		t.Fatalf("set xx on missing: %v", err)
	}
	eq(t, "set get", mr(r.SetArgs(ctx, "k", "v3", redis.SetArgs{Get: true}).Result()).of(t), "v2")
	eq(t, "set nx get existing", mr(r.Do(ctx, "SET", "k", "v4", "NX", "GET").Text()).of(t), "v3")
	eq(t, "not set", mr(r.Get(ctx, "k").Result()).of(t), "v3")
	if err := r.Do(ctx, "SET", "new", "v", "GET").Err(); err != redis.Nil {
		t.Fatalf("set get on missing: %v", err)
	}
	mr(r.Set(ctx, "k", "v", 100*time.Second).Result()).of(t)
	mr(r.SetArgs(ctx, "k", "w", redis.SetArgs{KeepTTL: true}).Result()).of(t)
	eq(t, "keepttl", mr(r.Do(ctx, "TTL", "k").Int()).of(t), 100)
	mr(r.Set(ctx, "k", "w", 0).Result()).of(t)
	eq(t, "set clears ttl", mr(r.Do(ctx, "TTL", "k").Int()).of(t), -1)
	mr(r.Do(ctx, "SET", "k", "v", "PX", "5000").Result()).of(t)
	if pt := mr(r.Do(ctx, "PTTL", "k").Int()).of(t); pt <= 4000 || pt > 5000 {
		t.Fatalf("px: %d", pt)
	}
	at := time.Now().Add(time.Hour).Unix()
	mr(r.Do(ctx, "SET", "k", "v", "EXAT", at).Result()).of(t)
	eq(t, "exat", mr(r.Do(ctx, "EXPIRETIME", "k").Int64()).of(t), at)
	mr(r.Do(ctx, "SET", "k", "v", "PXAT", at*1000+7).Result()).of(t)
	eq(t, "pxat", mr(r.Do(ctx, "PEXPIRETIME", "k").Int64()).of(t), at*1000+7)
	for _, c := range []struct {
		args []any
		err  string
	}{
		{[]any{"SET", "k", "v", "EX", "0"}, "ERR invalid expire time in 'set' command"},
		{[]any{"SET", "k", "v", "PX", "-5"}, "ERR invalid expire time in 'set' command"},
		{[]any{"SET", "k", "v", "EX", "9223372036854775807"}, "ERR invalid expire time in 'set' command"},
		{[]any{"SET", "k", "v", "EX", "x"}, "ERR value is not an integer or out of range"},
		{[]any{"SET", "k", "v", "NX", "XX"}, "ERR syntax error"},
		{[]any{"SET", "k", "v", "EX", "1", "PX", "1"}, "ERR syntax error"},
		{[]any{"SET", "k", "v", "KEEPTTL", "EX", "1"}, "ERR syntax error"},
		{[]any{"SET", "k", "v", "EX"}, "ERR syntax error"},
		{[]any{"SET", "k", "v", "FOO"}, "ERR syntax error"},
		{[]any{"SETEX", "k", "0", "v"}, "ERR invalid expire time in 'setex' command"},
		{[]any{"PSETEX", "k", "-1", "v"}, "ERR invalid expire time in 'psetex' command"},
		{[]any{"GETEX", "k", "EX", "0"}, "ERR invalid expire time in 'getex' command"},
		{[]any{"GETEX", "k", "PERSIST", "EX", "5"}, "ERR syntax error"},
		{[]any{"MSET", "a", "1", "b"}, "ERR wrong number of arguments for 'mset' command"},
		{[]any{"MSETNX", "a"}, "ERR wrong number of arguments for 'msetnx' command"},
	} {
		wantErr(t, r.Do(ctx, c.args...).Err(), c.err)
	}

	// GETDEL, GETEX, SETNX, SETEX, PSETEX, GETSET
	mr(r.Set(ctx, "g", "x", 0).Result()).of(t)
	eq(t, "getex ex", mr(r.GetEx(ctx, "g", 10*time.Second).Result()).of(t), "x")
	eq(t, "getex ttl", mr(r.Do(ctx, "TTL", "g").Int()).of(t), 10)
	eq(t, "getex persist", mr(r.Do(ctx, "GETEX", "g", "PERSIST").Text()).of(t), "x")
	eq(t, "persisted", mr(r.Do(ctx, "TTL", "g").Int()).of(t), -1)
	eq(t, "getex plain", mr(r.Do(ctx, "GETEX", "g").Text()).of(t), "x")
	eq(t, "getdel", mr(r.GetDel(ctx, "g").Result()).of(t), "x")
	if err := r.GetDel(ctx, "g").Err(); err != redis.Nil {
		t.Fatalf("getdel missing: %v", err)
	}
	eq(t, "setnx", mr(r.SetNX(ctx, "n", "1", 0).Result()).of(t), true)
	eq(t, "setnx again", mr(r.SetNX(ctx, "n", "2", 0).Result()).of(t), false)
	eq(t, "setex", mr(r.SetEx(ctx, "e", "v", 20*time.Second).Result()).of(t), "OK")
	eq(t, "setex ttl", mr(r.Do(ctx, "TTL", "e").Int()).of(t), 20)
	eq(t, "psetex", mr(r.Do(ctx, "PSETEX", "e", "20000", "w").Text()).of(t), "OK")
	eq(t, "getset", mr(r.GetSet(ctx, "e", "z").Result()).of(t), "w")
	eq(t, "getset clears ttl", mr(r.Do(ctx, "TTL", "e").Int()).of(t), -1)

	// MGET / MSET / MSETNX
	mr(r.MSet(ctx, "m1", "a", "m2", "b").Result()).of(t)
	mr(r.XAdd(ctx, &redis.XAddArgs{Stream: "s", Values: []string{"f", "v"}}).Result()).of(t)
	vals := mr(r.MGet(ctx, "m1", "nope", "m2", "s").Result()).of(t)
	eq(t, "mget", fmt.Sprint(vals), "[a <nil> b <nil>]")
	eq(t, "msetnx blocked", mr(r.MSetNX(ctx, "m3", "c", "m1", "z").Result()).of(t), false)
	eq(t, "msetnx no partial", mr(r.Exists(ctx, "m3").Result()).of(t), int64(0))
	eq(t, "msetnx", mr(r.MSetNX(ctx, "m3", "c", "m4", "d").Result()).of(t), true)

	// INCR family
	eq(t, "incr new", mr(r.Incr(ctx, "i").Result()).of(t), int64(1))
	eq(t, "incrby", mr(r.IncrBy(ctx, "i", 10).Result()).of(t), int64(11))
	eq(t, "decr", mr(r.Decr(ctx, "i").Result()).of(t), int64(10))
	eq(t, "decrby", mr(r.DecrBy(ctx, "i", 15).Result()).of(t), int64(-5))
	mr(r.Set(ctx, "i", "100", time.Minute).Result()).of(t)
	mr(r.Incr(ctx, "i").Result()).of(t)
	eq(t, "incr keeps ttl", mr(r.Do(ctx, "TTL", "i").Int()).of(t), 60)
	for _, bad := range []string{"abc", " 1", "1 ", "+1", "01", "1.5", ""} {
		mr(r.Set(ctx, "bad", bad, 0).Result()).of(t)
		wantErr(t, r.Incr(ctx, "bad").Err(), "ERR value is not an integer or out of range")
	}
	wantErr(t, r.Do(ctx, "INCRBY", "i", "x").Err(), "ERR value is not an integer or out of range")
	mr(r.Set(ctx, "big", "9223372036854775807", 0).Result()).of(t)
	wantErr(t, r.Incr(ctx, "big").Err(), "ERR increment or decrement would overflow")
	mr(r.Set(ctx, "small", "-9223372036854775808", 0).Result()).of(t)
	wantErr(t, r.Decr(ctx, "small").Err(), "ERR increment or decrement would overflow")
	wantErr(t, r.Do(ctx, "DECRBY", "i", "-9223372036854775808").Err(), "ERR decrement would overflow")

	// APPEND / STRLEN
	eq(t, "append new", mr(r.Append(ctx, "ap", "Hello").Result()).of(t), int64(5))
	eq(t, "append", mr(r.Append(ctx, "ap", " World").Result()).of(t), int64(11))
	eq(t, "strlen", mr(r.StrLen(ctx, "ap").Result()).of(t), int64(11))
	eq(t, "strlen missing", mr(r.StrLen(ctx, "nope").Result()).of(t), int64(0))

	// WRONGTYPE across types.
	const wt = "WRONGTYPE Operation against a key holding the wrong kind of value"
	wantErr(t, r.Get(ctx, "s").Err(), wt)
	wantErr(t, r.Incr(ctx, "s").Err(), wt)
	wantErr(t, r.Append(ctx, "s", "x").Err(), wt)
	wantErr(t, r.StrLen(ctx, "s").Err(), wt)
	wantErr(t, r.GetDel(ctx, "s").Err(), wt)
	wantErr(t, r.Do(ctx, "SET", "s", "v", "GET").Err(), wt)
	wantErr(t, r.XAdd(ctx, &redis.XAddArgs{Stream: "ap", Values: []string{"f", "v"}}).Err(), wt)
	wantErr(t, r.XLen(ctx, "ap").Err(), wt)
	eq(t, "set overwrites stream", mr(r.Set(ctx, "s", "now a string", 0).Result()).of(t), "OK")
	eq(t, "type after overwrite", mr(r.Type(ctx, "s").Result()).of(t), "string")

	// OBJECT ENCODING / MEMORY USAGE
	mr(r.Set(ctx, "int", "12345", 0).Result()).of(t)
	mr(r.Set(ctx, "emb", "hello", 0).Result()).of(t)
	mr(r.Set(ctx, "raw", strings.Repeat("x", 100), 0).Result()).of(t)
	mr(r.XAdd(ctx, &redis.XAddArgs{Stream: "st", Values: []string{"f", "v"}}).Result()).of(t)
	for k, enc := range map[string]string{"int": "int", "emb": "embstr", "raw": "raw", "st": "stream"} {
		eq(t, "encoding "+k, mr(r.ObjectEncoding(ctx, k).Result()).of(t), enc)
	}
	if err := r.ObjectEncoding(ctx, "nope").Err(); err != redis.Nil {
		t.Fatalf("object encoding missing: %v", err)
	}
	eq(t, "refcount", mr(r.ObjectRefCount(ctx, "int").Result()).of(t), int64(1))
	eq(t, "idletime", mr(r.ObjectIdleTime(ctx, "int").Result()).of(t), time.Duration(0))
	if n := mr(r.MemoryUsage(ctx, "raw").Result()).of(t); n < 100 {
		t.Fatalf("memory usage %d", n)
	}
	if err := r.MemoryUsage(ctx, "nope").Err(); err != redis.Nil {
		t.Fatalf("memory usage missing: %v", err)
	}
}

func TestGenericTransactions(t *testing.T) {
	addr := testserver.Start(t)
	ctx := context.Background()
	r := gClient(t, addr, 2, 0)
	other := gClient(t, addr, 3, 0)

	// MULTI/EXEC of SET/INCR is atomic against concurrent increments.
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				_, err := r.TxPipelined(ctx, func(p redis.Pipeliner) error {
					p.Incr(ctx, "ctr")
					p.Set(ctx, "last", "x", 0)
					p.IncrBy(ctx, "ctr", 2)
					return nil
				})
				if err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	eq(t, "counter", mr(r.Get(ctx, "ctr").Int()).of(t), 600)

	// Each transaction's results come back in order.
	cmds := mr(r.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Set(ctx, "a", "10", 0)
		p.Incr(ctx, "a")
		p.Get(ctx, "a")
		return nil
	})).of(t)
	eq(t, "exec results", cmds[2].(*redis.StringCmd).Val(), "11")

	// WATCH aborts after another client's write.
	err := r.Watch(ctx, func(tx *redis.Tx) error {
		v, err := tx.Get(ctx, "a").Int()
		if err != nil {
			return err
		}
		if err := other.Set(ctx, "a", "99", 0).Err(); err != nil {
			return err
		}
		_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.Set(ctx, "a", strconv.Itoa(v+1), 0)
			return nil
		})
		return err
	}, "a")
	if !errors.Is(err, redis.TxFailedErr) {
		t.Fatalf("watch: %v", err)
	}
	eq(t, "watched kept", mr(r.Get(ctx, "a").Result()).of(t), "99")
	// ... and on expiry, DEL and FLUSHDB of the watched key.
	for _, breaker := range []func(){
		func() { other.Del(ctx, "a") },
		func() { other.FlushDB(ctx) },
		func() { other.Expire(ctx, "a", time.Hour) },
	} {
		mr(r.Set(ctx, "a", "1", 0).Result()).of(t)
		err := r.Watch(ctx, func(tx *redis.Tx) error {
			breaker()
			_, err := tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
				p.Incr(ctx, "a")
				return nil
			})
			return err
		}, "a")
		if !errors.Is(err, redis.TxFailedErr) {
			t.Fatalf("watch: %v", err)
		}
	}
	// Unchanged watched keys let EXEC run.
	mr(r.Set(ctx, "a", "1", 0).Result()).of(t)
	err = r.Watch(ctx, func(tx *redis.Tx) error {
		_, err := tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.Incr(ctx, "a")
			return nil
		})
		return err
	}, "a")
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "watch ok", mr(r.Get(ctx, "a").Result()).of(t), "2")
}

func TestGenericInfo(t *testing.T) {
	addr := testserver.Start(t)
	ctx := context.Background()
	r2 := gClient(t, addr, 2, 0)
	r3 := gClient(t, addr, 3, 0)
	// commandstats live in the command table, shared by every server in
	// this test process: start from zero.
	mr(r2.ConfigResetStat(ctx).Result()).of(t)
	mr(r2.Set(ctx, "k", "v", time.Hour).Result()).of(t)
	mr(r2.Set(ctx, "k2", "v", 0).Result()).of(t)
	r2.Get(ctx, "nope")
	r2.Do(ctx, "INCR", "k") // an error

	for _, r := range []*redis.Client{r2, r3} {
		text := mr(r.Info(ctx).Result()).of(t)
		if !strings.HasPrefix(text, "# Server\r\n") || !strings.Contains(text, "\r\n\r\n# Clients\r\n") {
			t.Fatalf("info layout: %q", text[:min(len(text), 200)])
		}
		if strings.Contains(text, "# Commandstats") {
			t.Fatal("commandstats in default INFO")
		}
		m := mr(r.InfoMap(ctx, "server", "keyspace", "stats", "clients", "commandstats", "errorstats", "memory", "persistence").Result()).of(t)
		eq(t, "version", m["Server"]["redis_version"], "8.10.0")
		if m["Server"]["process_id"] == "" || m["Server"]["uptime_in_seconds"] == "" {
			t.Fatalf("server: %v", m["Server"])
		}
		eq(t, "keyspace", m["Keyspace"]["db0"], "keys=2,expires=1,avg_ttl=0,subexpiry=0")
		eq(t, "blocked", m["Clients"]["blocked_clients"], "0")
		if !strings.HasPrefix(m["Commandstats"]["cmdstat_set"], "calls=2,usec=") ||
			!strings.HasSuffix(m["Commandstats"]["cmdstat_set"], ",rejected_calls=0,failed_calls=0") {
			t.Fatalf("cmdstat_set %q", m["Commandstats"]["cmdstat_set"])
		}
		if !strings.HasSuffix(m["Commandstats"]["cmdstat_incr"], "failed_calls=1") {
			t.Fatalf("cmdstat_incr %q", m["Commandstats"]["cmdstat_incr"])
		}
		if m["Errorstats"]["errorstat_ERR"] == "" || m["Stats"]["total_error_replies"] == "0" {
			t.Fatalf("errorstats %v / %v", m["Errorstats"], m["Stats"]["total_error_replies"])
		}
		if m["Memory"]["used_memory"] == "" || m["Stats"]["total_commands_processed"] == "" {
			t.Fatal("memory/stats fields missing")
		}
	}
	// RESP3: a verbatim string on the wire.
	got := gRaw(t, addr, "HELLO 3", "INFO keyspace")
	if !strings.Contains(got, "=") || !strings.Contains(got, "txt:# Keyspace\r\ndb0:keys=2") {
		t.Fatalf("resp3 info: %q", got)
	}
	got = gRaw(t, addr, "INFO nosuchsection")
	eq(t, "unknown section", got, "$0\r\n\r\n")
	all := mr(r2.Info(ctx, "everything").Result()).of(t)
	for _, s := range []string{"# Commandstats", "# Errorstats", "# Keyspace", "# Modules"} {
		if !strings.Contains(all, s) {
			t.Fatalf("INFO everything lacks %s", s)
		}
	}
	// CONFIG RESETSTAT clears the counters.
	mr(r2.ConfigResetStat(ctx).Result()).of(t)
	m := mr(r2.InfoMap(ctx, "commandstats", "errorstats").Result()).of(t)
	if len(m["Errorstats"]) != 0 || m["Commandstats"]["cmdstat_set"] != "" {
		t.Fatalf("after resetstat: %v", m)
	}
}

func TestGenericConfig(t *testing.T) {
	addr := testserver.Start(t)
	ctx := context.Background()
	r2 := gClient(t, addr, 2, 0)
	r3 := gClient(t, addr, 3, 0)
	for _, r := range []*redis.Client{r2, r3} {
		all := mr(r.ConfigGet(ctx, "*").Result()).of(t)
		for k, v := range map[string]string{"appendonly": "yes", "save": "", "maxmemory": "0", "databases": "16",
			"stream-node-max-entries": "100", "appendfsync": "everysec"} {
			if got, ok := all[k]; !ok || (k != "appendfsync" && got != v) {
				t.Fatalf("CONFIG GET * %s = %q (%v), want %q", k, got, ok, v)
			}
		}
		m := mr(r.ConfigGet(ctx, "maxmemory*").Result()).of(t)
		if _, ok := m["maxmemory-policy"]; !ok || len(m) < 2 {
			t.Fatalf("maxmemory*: %v", m)
		}
	}
	// multiple patterns, RESP2 flat array and RESP3 map on the wire
	eq(t, "resp2 shape", gRaw(t, addr, "CONFIG GET maxmemory databases"), "*4\r\n$9\r\nmaxmemory\r\n$1\r\n0\r\n$9\r\ndatabases\r\n$2\r\n16\r\n")
	eq(t, "resp3 shape", strings.SplitN(gRaw(t, addr, "HELLO 3", "CONFIG GET maxmemory"), "%1\r\n", 2)[1], "$9\r\nmaxmemory\r\n$1\r\n0\r\n")

	mr(r2.ConfigSet(ctx, "stream-node-max-entries", "50").Result()).of(t)
	eq(t, "set", mr(r2.ConfigGet(ctx, "stream-node-max-entries").Result()).of(t)["stream-node-max-entries"], "50")
	mr(r2.Do(ctx, "CONFIG", "SET", "maxmemory", "1mb", "hz", "20").Result()).of(t)
	eq(t, "memory unit", mr(r2.ConfigGet(ctx, "maxmemory").Result()).of(t)["maxmemory"], "1048576")
	for _, c := range []struct {
		args []any
		err  string
	}{
		{[]any{"CONFIG", "SET", "foo", "1"}, "ERR Unknown option or number of arguments for CONFIG SET - 'foo'"},
		{[]any{"CONFIG", "SET", "hz", "x"}, "ERR CONFIG SET failed (possibly related to argument 'hz') - argument couldn't be parsed into an integer"},
		{[]any{"CONFIG", "SET", "databases", "3"}, "ERR CONFIG SET failed (possibly related to argument 'databases') - can't set immutable config"},
		{[]any{"CONFIG", "SET", "hz", "5", "hz", "6"}, "ERR CONFIG SET failed (possibly related to argument 'hz') - duplicate parameter"},
		{[]any{"CONFIG", "SET", "hz", "5", "maxmemory"}, "ERR wrong number of arguments for 'config|set' command"},
		{[]any{"CONFIG", "SET", "appendfsync", "maybe"}, "ERR CONFIG SET failed (possibly related to argument 'appendfsync') - argument(s) must be one of the following: everysec, always, no"},
		{[]any{"CONFIG", "SET", "protected-mode", "maybe"}, "ERR CONFIG SET failed (possibly related to argument 'protected-mode') - argument must be 'yes' or 'no'"},
		{[]any{"CONFIG", "GET"}, "ERR wrong number of arguments for 'config|get' command"},
		{[]any{"CONFIG", "FOO"}, "ERR unknown subcommand 'FOO'. Try CONFIG HELP."},
		{[]any{"CONFIG", "REWRITE"}, "ERR The server is running without a config file"},
	} {
		wantErr(t, r2.Do(ctx, c.args...).Err(), c.err)
	}
	// A failed multi-set changes nothing.
	wantErr(t, r2.Do(ctx, "CONFIG", "SET", "hz", "30", "maxmemory", "lots").Err(),
		"ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value")
	eq(t, "atomic", mr(r2.ConfigGet(ctx, "hz").Result()).of(t)["hz"], "20")
	help := mr(r2.Do(ctx, "CONFIG", "HELP").StringSlice()).of(t)
	if len(help) < 4 || !strings.HasPrefix(help[0], "CONFIG <subcommand>") {
		t.Fatalf("help %v", help)
	}
}

func TestGenericCommand(t *testing.T) {
	addr := testserver.Start(t)
	ctx := context.Background()
	for _, proto := range []int{2, 3} {
		r := gClient(t, addr, proto, 0)
		infos := mr(r.Command(ctx).Result()).of(t)
		n := mr(r.Do(ctx, "COMMAND", "COUNT").Int()).of(t)
		eq(t, "count", len(infos), n)
		get := infos["get"]
		if get == nil || get.Arity != 2 || get.FirstKeyPos != 1 || get.LastKeyPos != 1 || get.StepCount != 1 || !get.ReadOnly {
			t.Fatalf("get: %+v", get)
		}
		if strings.Join(get.Flags, ",") != "readonly,fast" || strings.Join(get.ACLFlags, ",") != "@read,@string,@fast" {
			t.Fatalf("get flags %v %v", get.Flags, get.ACLFlags)
		}
		set := infos["set"]
		if strings.Join(set.Flags, ",") != "write,denyoom" {
			t.Fatalf("set flags %v", set.Flags)
		}
		for _, name := range []string{"xadd", "xread", "del", "scan", "config", "client", "hello", "command", "info"} {
			if infos[name] == nil {
				t.Fatalf("COMMAND lacks %s", name)
			}
		}
		if !strings.Contains(strings.Join(infos["xread"].Flags, ","), "movablekeys") {
			t.Fatalf("xread flags %v", infos["xread"].Flags)
		}
		list := mr(r.CommandList(ctx, nil).Result()).of(t)
		if len(list) <= n || !contains(list, "config|get") || !contains(list, "xadd") {
			t.Fatalf("command list %d", len(list))
		}
		pat := mr(r.CommandList(ctx, &redis.FilterBy{Pattern: "x*"}).Result()).of(t)
		for _, c := range pat {
			if !strings.HasPrefix(c, "x") {
				t.Fatalf("pattern filter %v", pat)
			}
		}
		cat := mr(r.CommandList(ctx, &redis.FilterBy{ACLCat: "stream"}).Result()).of(t)
		if !contains(cat, "xadd") || contains(cat, "get") {
			t.Fatalf("aclcat filter %v", cat)
		}
		keys := mr(r.CommandGetKeys(ctx, "MSET", "a", "1", "b", "2").Result()).of(t)
		eq(t, "getkeys", strings.Join(keys, ","), "a,b")
		keys = mr(r.CommandGetKeys(ctx, "XREAD", "COUNT", "2", "STREAMS", "s1", "s2", "0", "0").Result()).of(t)
		eq(t, "getkeys xread", strings.Join(keys, ","), "s1,s2")
		wantErr(t, r.CommandGetKeys(ctx, "NOPE", "a").Err(), "ERR Invalid command specified")
		wantErr(t, r.CommandGetKeys(ctx, "GET").Err(), "ERR Invalid number of arguments specified for command")
		wantErr(t, r.CommandGetKeys(ctx, "PING").Err(), "ERR The command has no key arguments")

		// COMMAND INFO with subcommands and unknown names
		res := mr(r.Do(ctx, "COMMAND", "INFO", "config", "nope", "config|get").Slice()).of(t)
		eq(t, "info entries", len(res), 3)
		if res[1] != nil {
			t.Fatalf("unknown command info %v", res[1])
		}
		cfg := res[0].([]any)
		eq(t, "config subcommands", len(cfg[9].([]any)) >= 4, true)
		sub := res[2].([]any)
		eq(t, "sub name", sub[0], any("config|get"))
		eq(t, "sub arity", sub[1], any(int64(-3)))

		// COMMAND DOCS carries what redis-cli's hints need.
		docs := mr(r.Do(ctx, "COMMAND", "DOCS", "set", "config").Result()).of(t)
		var setDoc map[any]any
		switch d := docs.(type) {
		case map[any]any:
			setDoc = d["set"].(map[any]any)
		case []any:
			eq(t, "docs name", d[0], any("set"))
			setDoc = map[any]any{}
			kv := d[1].([]any)
			for i := 0; i < len(kv); i += 2 {
				setDoc[kv[i]] = kv[i+1]
			}
		}
		eq(t, "docs group", setDoc["group"], any("string"))
		eq(t, "docs since", setDoc["since"], any("1.0.0"))
		if args, ok := setDoc["arguments"].([]any); !ok || len(args) < 4 {
			t.Fatalf("set arguments %v", setDoc["arguments"])
		}
		all := mr(r.Do(ctx, "COMMAND", "DOCS").Result()).of(t)
		switch d := all.(type) {
		case map[any]any:
			eq(t, "docs all", len(d), n)
		case []any:
			eq(t, "docs all", len(d), 2*n)
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestGenericAdmin(t *testing.T) {
	addr := testserver.Start(t)
	ctx := context.Background()
	r := gClient(t, addr, 2, 0)
	eq(t, "function flush", mr(r.FunctionFlush(ctx).Result()).of(t), "OK")
	eq(t, "script flush", mr(r.ScriptFlush(ctx).Result()).of(t), "OK")
	eq(t, "function flush async", mr(r.Do(ctx, "FUNCTION", "FLUSH", "ASYNC").Text()).of(t), "OK")
	wantErr(t, r.Do(ctx, "FUNCTION", "FLUSH", "NOW").Err(), "ERR syntax error")
	if err := r.Do(ctx, "DEBUG", "SLEEP", "0").Err(); err == nil || !strings.HasPrefix(err.Error(), "ERR DEBUG command not allowed") {
		t.Fatalf("debug: %v", err)
	}
	mr(r.Set(ctx, "k", "v", 0).Result()).of(t)
	if err := r.ObjectFreq(ctx, "k").Err(); err == nil || !strings.HasPrefix(err.Error(), "ERR An LFU maxmemory policy is not selected") {
		t.Fatalf("object freq: %v", err)
	}
	wantErr(t, r.Do(ctx, "OBJECT", "NOPE", "k").Err(), "ERR unknown subcommand 'NOPE'. Try OBJECT HELP.")
	wantErr(t, r.Do(ctx, "OBJECT", "ENCODING").Err(), "ERR wrong number of arguments for 'object|encoding' command")
	if s := mr(r.Do(ctx, "MEMORY", "DOCTOR").Text()).of(t); s == "" {
		t.Fatal("memory doctor empty")
	}
	// Lists, hashes, sets and sorted sets stay unknown.
	for _, c := range []string{"LPUSH", "HSET", "SADD", "ZADD"} {
		if err := r.Do(ctx, c, "k", "v").Err(); err == nil || !strings.HasPrefix(err.Error(), "ERR unknown command '"+c+"'") {
			t.Fatalf("%s: %v", c, err)
		}
	}
}

func TestGenericClient(t *testing.T) {
	addr := testserver.Start(t)
	ctx := context.Background()
	r := gClient(t, addr, 2, 0)
	conn := r.Conn()
	defer conn.Close()
	id := mr(conn.ClientID(ctx).Result()).of(t)
	if err := conn.ClientGetName(ctx).Err(); err != redis.Nil {
		t.Fatalf("getname: %v", err)
	}
	mr(conn.ClientSetName(ctx, "worker-1").Result()).of(t)
	eq(t, "getname", mr(conn.ClientGetName(ctx).Result()).of(t), "worker-1")
	wantErr(t, conn.Do(ctx, "CLIENT", "SETNAME", "a b").Err(), "ERR Client names cannot contain spaces, newlines or special characters.")
	eq(t, "setinfo", mr(conn.Do(ctx, "CLIENT", "SETINFO", "LIB-NAME", "mylib").Text()).of(t), "OK")
	eq(t, "setinfo ver", mr(conn.Do(ctx, "CLIENT", "SETINFO", "lib-ver", "1.2.3").Text()).of(t), "OK")
	wantErr(t, conn.Do(ctx, "CLIENT", "SETINFO", "foo", "bar").Err(), "ERR Unrecognized option 'foo'")
	wantErr(t, conn.Do(ctx, "CLIENT", "SETINFO", "lib-name", "a b").Err(), "ERR lib-name cannot contain spaces, newlines or special characters.")
	wantErr(t, conn.Do(ctx, "CLIENT", "SETINFO", "lib-name").Err(), "ERR wrong number of arguments for 'client|setinfo' command")
	wantErr(t, conn.Do(ctx, "CLIENT", "NOPE").Err(), "ERR unknown subcommand 'NOPE'. Try CLIENT HELP.")
	for _, sub := range [][]any{{"NO-EVICT", "on"}, {"NO-EVICT", "OFF"}, {"NO-TOUCH", "on"}, {"REPLY", "ON"}} {
		eq(t, fmt.Sprint(sub), mr(conn.Do(ctx, append([]any{"CLIENT"}, sub...)...).Text()).of(t), "OK")
	}
	wantErr(t, conn.Do(ctx, "CLIENT", "NO-EVICT", "maybe").Err(), "ERR syntax error")

	info := mr(conn.ClientInfo(ctx).Result()).of(t)
	if info.ID != id || info.Name != "worker-1" || info.LibName != "mylib" || info.LibVer != "1.2.3" ||
		info.User != "default" || info.Resp != 2 || info.Multi != -1 || info.LastCmd != "client|info" {
		t.Fatalf("client info %+v", info)
	}
	r3 := gClient(t, addr, 3, 4)
	mr(r3.Ping(ctx).Result()).of(t)
	list := mr(conn.ClientList(ctx).Result()).of(t)
	lines := strings.Split(strings.TrimSuffix(list, "\n"), "\n")
	if len(lines) < 2 {
		t.Fatalf("client list %q", list)
	}
	var mine string
	for _, l := range lines {
		if strings.HasPrefix(l, "id="+strconv.FormatInt(id, 10)+" ") {
			mine = l
		}
		if strings.Contains(l, "lib-name=go-redis") && !strings.Contains(l, " resp=3 ") && strings.Contains(l, " db=4 ") {
			t.Fatalf("resp3 client shown as resp2: %q", l)
		}
	}
	for _, f := range []string{"addr=", "laddr=", "fd=", "name=worker-1", "age=", "idle=", "flags=N", "db=0", "sub=0", "psub=0",
		"multi=-1", "watch=0", "qbuf=", "events=r", "cmd=client|list", "user=default", "redir=-1", "resp=2", "lib-name=mylib", "lib-ver=1.2.3"} {
		if !strings.Contains(mine, " "+f) && !strings.HasPrefix(mine, f) {
			t.Fatalf("CLIENT LIST line lacks %s: %q", f, mine)
		}
	}
	one := mr(conn.Do(ctx, "CLIENT", "LIST", "ID", id).Text()).of(t)
	eq(t, "list by id", strings.Count(one, "\n"), 1)
	none := mr(conn.Do(ctx, "CLIENT", "LIST", "TYPE", "pubsub").Text()).of(t)
	eq(t, "list pubsub", none, "")
	wantErr(t, conn.Do(ctx, "CLIENT", "LIST", "TYPE", "foo").Err(), "ERR Unknown client type 'foo'")
	wantErr(t, conn.Do(ctx, "CLIENT", "LIST", "ID", "x").Err(), "ERR Invalid client ID")

	// KILL: new form by ID, old form by address, errors.
	victim := gClient(t, addr, 2, 0)
	vconn := victim.Conn()
	defer vconn.Close()
	vid := mr(vconn.ClientID(ctx).Result()).of(t)
	eq(t, "kill by id", mr(conn.ClientKillByFilter(ctx, "ID", strconv.FormatInt(vid, 10)).Result()).of(t), int64(1))
	if err := vconn.Ping(ctx).Err(); err == nil {
		t.Fatal("killed connection still answers")
	}
	eq(t, "kill none", mr(conn.ClientKillByFilter(ctx, "ID", "999999").Result()).of(t), int64(0))
	wantErr(t, conn.Do(ctx, "CLIENT", "KILL", "1.2.3.4:5").Err(), "ERR No such client")
	wantErr(t, conn.Do(ctx, "CLIENT", "KILL", "FOO", "bar").Err(), "ERR syntax error")
	wantErr(t, conn.Do(ctx, "CLIENT", "KILL", "ID", "x").Err(), "ERR client-id should be greater than 0")
	victim2 := gClient(t, addr, 2, 0)
	v2 := victim2.Conn()
	defer v2.Close()
	v2info := mr(v2.ClientInfo(ctx).Result()).of(t)
	eq(t, "kill by addr", mr(conn.ClientKill(ctx, v2info.Addr).Result()).of(t), "OK")
	// SKIPME no kills the caller too, after its reply.
	self := gClient(t, addr, 2, 0).Conn()
	defer self.Close()
	sid := mr(self.ClientID(ctx).Result()).of(t)
	eq(t, "kill self", mr(self.ClientKillByFilter(ctx, "ID", strconv.FormatInt(sid, 10), "SKIPME", "no").Result()).of(t), int64(1))
	if err := self.Ping(ctx).Err(); err == nil {
		t.Fatal("self-killed connection still answers")
	}
	help := mr(conn.Do(ctx, "CLIENT", "HELP").StringSlice()).of(t)
	if !strings.HasPrefix(help[0], "CLIENT <subcommand>") {
		t.Fatalf("help %q", help[0])
	}
}

func TestGenericRestart(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	addr, stop := testserver.StartDir(t, dir, wal.Always)
	r := gClient(t, addr, 2, 0)
	mr(r.Set(ctx, "keep", "v", 0).Result()).of(t)
	mr(r.Set(ctx, "ttl", "v", time.Hour).Result()).of(t)
	mr(r.Set(ctx, "gone", "v", 0).Result()).of(t)
	mr(r.Del(ctx, "gone").Result()).of(t)
	mr(r.Set(ctx, "short", "v", 0).Result()).of(t)
	mr(r.PExpire(ctx, "short", 30*time.Millisecond).Result()).of(t)
	mr(r.Incr(ctx, "ctr").Result()).of(t)
	mr(r.IncrBy(ctx, "ctr", 41).Result()).of(t)
	mr(r.Append(ctx, "ap", "ab").Result()).of(t)
	mr(r.Append(ctx, "ap", "cd").Result()).of(t)
	mr(r.Rename(ctx, "ttl", "ttl2").Result()).of(t)
	mr(r.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Set(ctx, "tx1", "1", 0)
		p.Set(ctx, "tx2", "2", 0)
		return nil
	})).of(t)
	r7 := gClient(t, addr, 2, 7)
	mr(r7.Set(ctx, "db7", "x", 0).Result()).of(t)
	mr(r7.Copy(ctx, "db7", "copied", 8, false).Result()).of(t)
	r9 := gClient(t, addr, 2, 9)
	mr(r9.Set(ctx, "flushed", "x", 0).Result()).of(t)
	mr(r9.FlushDB(ctx).Result()).of(t)
	mr(r.XAdd(ctx, &redis.XAddArgs{Stream: "s", ID: "1-1", Values: []string{"f", "v"}}).Result()).of(t)
	time.Sleep(300 * time.Millisecond) // let "short" expire (actively, if running)
	ttlBefore := mr(r.PTTL(ctx, "ttl2").Result()).of(t)
	stop()

	addr, stop = testserver.StartDir(t, dir, wal.Always)
	r = gClient(t, addr, 2, 0)
	eq(t, "keep", mr(r.Get(ctx, "keep").Result()).of(t), "v")
	eq(t, "gone", mr(r.Exists(ctx, "gone", "short", "ttl").Result()).of(t), int64(0))
	eq(t, "ctr", mr(r.Get(ctx, "ctr").Result()).of(t), "42")
	eq(t, "append", mr(r.Get(ctx, "ap").Result()).of(t), "abcd")
	eq(t, "tx", fmt.Sprint(mr(r.MGet(ctx, "tx1", "tx2").Result()).of(t)), "[1 2]")
	if ttl := mr(r.PTTL(ctx, "ttl2").Result()).of(t); ttl > ttlBefore || ttl < ttlBefore-10*time.Second {
		t.Fatalf("ttl after restart %v (before %v)", ttl, ttlBefore)
	}
	eq(t, "db7", mr(gClient(t, addr, 2, 7).Get(ctx, "db7").Result()).of(t), "x")
	eq(t, "db8", mr(gClient(t, addr, 2, 8).Get(ctx, "copied").Result()).of(t), "x")
	eq(t, "db9", mr(gClient(t, addr, 2, 9).DBSize(ctx).Result()).of(t), int64(0))
	eq(t, "stream", mr(r.XLen(ctx, "s").Result()).of(t), int64(1))

	mr(r.FlushAll(ctx).Result()).of(t)
	mr(r.Set(ctx, "after", "flush", 0).Result()).of(t)
	stop()
	addr, _ = testserver.StartDir(t, dir, wal.Always)
	r = gClient(t, addr, 2, 0)
	keys := mr(r.Keys(ctx, "*").Result()).of(t)
	eq(t, "after flushall", strings.Join(keys, ","), "after")
	eq(t, "db7 flushed", mr(gClient(t, addr, 2, 7).DBSize(ctx).Result()).of(t), int64(0))
}
