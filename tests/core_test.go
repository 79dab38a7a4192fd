package tests

import (
	"bufio"
	"context"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"sluice/broker"
	"sluice/internal/testserver"
	"sluice/wal"
)

func TestUnknownCommandKeepsConnection(t *testing.T) {
	addr := testserver.Start(t)
	got := gRaw(t, addr, "FOO bar baz", "PING")
	want := "-ERR unknown command 'FOO', with args beginning with: 'bar' 'baz' \r\n+PONG\r\n"
	if got != want {
		t.Fatalf("got %q want %q", got, want)
	}
	if got := gRaw(t, addr, "XADD s", "XLEN"); got != "-ERR wrong number of arguments for 'xadd' command\r\n-ERR wrong number of arguments for 'xlen' command\r\n" {
		t.Fatalf("arity: %q", got)
	}
}

func TestRESP2AndRESP3Shapes(t *testing.T) {
	addr := testserver.Start(t)
	// RESP2: XREAD timeout is a null array, XREAD is an array of [key, entries].
	got := gRaw(t, addr, "XADD s 1-1 f v", "XREAD STREAMS s 0", "XREAD BLOCK 10 STREAMS s $")
	want := "$3\r\n1-1\r\n*1\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n*-1\r\n"
	if got != want {
		t.Fatalf("resp2 got %q", got)
	}
	// RESP3: a map keyed by stream, and a null.
	got = gRaw(t, addr, "HELLO 3", "XREAD STREAMS s 0", "XREAD BLOCK 10 STREAMS s $")
	i := strings.Index(got, "%1\r\n$1\r\ns\r\n")
	if i < 0 || !strings.HasSuffix(got, "_\r\n") || !strings.HasPrefix(got, "%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n") {
		t.Fatalf("resp3 got %q", got)
	}
}

func TestBlockingXRead(t *testing.T) {
	addr := testserver.Start(t)
	ctx := context.Background()
	c := gClient(t, addr, 2, 0)
	res := make(chan []redis.XStream, 1)
	go func() {
		b := gClient(t, addr, 3, 0)
		s, err := b.XRead(ctx, &redis.XReadArgs{Streams: []string{"q", "$"}, Block: 0}).Result()
		if err != nil {
			t.Error(err)
		}
		res <- s
	}()
	// the reader must be blocked, and others served meanwhile
	deadline := time.Now().Add(2 * time.Second)
	for {
		info := c.Do(ctx, "XLEN", "q").Val()
		if time.Now().After(deadline) || info == int64(0) {
			break
		}
	}
	time.Sleep(50 * time.Millisecond)
	id := c.XAdd(ctx, &redis.XAddArgs{Stream: "q", Values: []string{"k", "v"}}).Val()
	select {
	case s := <-res:
		if len(s) != 1 || s[0].Stream != "q" || len(s[0].Messages) != 1 || s[0].Messages[0].ID != id {
			t.Fatalf("woken with %v", s)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("blocked XREAD not woken by XADD")
	}
	// timeout gives redis.Nil
	_, err := c.XRead(ctx, &redis.XReadArgs{Streams: []string{"q", "$"}, Block: 20 * time.Millisecond}).Result()
	if err != redis.Nil {
		t.Fatalf("timeout: %v", err)
	}
}

func TestMultiExec(t *testing.T) {
	addr := testserver.Start(t)
	got := gRaw(t, addr, "MULTI", "XADD t 1-1 a 1", "XADD t 2-1 b 2", "XLEN t", "EXEC")
	want := "+OK\r\n+QUEUED\r\n+QUEUED\r\n+QUEUED\r\n*3\r\n$3\r\n1-1\r\n$3\r\n2-1\r\n:2\r\n"
	if got != want {
		t.Fatalf("multi: %q", got)
	}
	got = gRaw(t, addr, "MULTI", "XADD t", "XLEN t", "EXEC", "EXEC", "DISCARD")
	want = "+OK\r\n-ERR wrong number of arguments for 'xadd' command\r\n+QUEUED\r\n" +
		"-EXECABORT Transaction discarded because of previous errors.\r\n-ERR EXEC without MULTI\r\n-ERR DISCARD without MULTI\r\n"
	if got != want {
		t.Fatalf("execabort: %q", got)
	}
	// WATCH: another client's write aborts EXEC with a null array.
	ctx := context.Background()
	c := gClient(t, addr, 2, 0)
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	r := bufio.NewReader(conn)
	send := func(cmd string) string {
		conn.Write([]byte(cmd + "\r\n"))
		l, _ := r.ReadString('\n')
		return l
	}
	send("WATCH t")
	c.XAdd(ctx, &redis.XAddArgs{Stream: "t", ID: "3-1", Values: []string{"c", "3"}})
	send("MULTI")
	send("XADD t 4-1 d 4")
	if l := send("EXEC"); l != "*-1\r\n" {
		t.Fatalf("watched exec: %q", l)
	}
	if n := c.XLen(ctx, "t").Val(); n != 3 {
		t.Fatalf("xlen after aborted exec = %d", n)
	}
}

func TestAuth(t *testing.T) {
	addr, _ := testserver.StartConfig(t, broker.Config{Dir: t.TempDir(), RequirePass: "s3cret"})
	got := gRaw(t, addr, "XLEN s", "AUTH nope", "AUTH default s3cret", "XLEN s")
	want := "-NOAUTH Authentication required.\r\n-WRONGPASS invalid username-password pair or user is disabled.\r\n+OK\r\n:0\r\n"
	if got != want {
		t.Fatalf("auth: %q", got)
	}
	ctx := context.Background()
	c := redis.NewClient(&redis.Options{Addr: addr, Password: "s3cret", Protocol: 3})
	defer c.Close()
	if err := c.XAdd(ctx, &redis.XAddArgs{Stream: "s", Values: []string{"a", "b"}}).Err(); err != nil {
		t.Fatalf("HELLO 3 AUTH: %v", err)
	}
}

func TestRestartReplaysLog(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	addr, stop := testserver.StartDir(t, dir, wal.Always)
	c := redis.NewClient(&redis.Options{Addr: addr})
	pipe := c.Pipeline()
	for i := 0; i < 500; i++ {
		pipe.XAdd(ctx, &redis.XAddArgs{Stream: "s", Values: []string{"n", "x"}})
	}
	if _, err := pipe.Exec(ctx); err != nil {
		t.Fatal(err)
	}
	before := c.XRange(ctx, "s", "-", "+").Val()
	c.Close()
	stop()
	addr, _ = testserver.StartDir(t, dir, wal.Always)
	c = gClient(t, addr, 2, 0)
	after := c.XRange(ctx, "s", "-", "+").Val()
	if len(after) != 500 || after[0].ID != before[0].ID || after[499].ID != before[499].ID {
		t.Fatalf("after restart: %d entries", len(after))
	}
}

// A consumer that dies while blocked must not be handed entries: its
// connection is noticed closed and its wait ends, as in Redis.
func TestBlockedClientHangup(t *testing.T) {
	addr := testserver.Start(t)
	ctx := context.Background()
	c := gClient(t, addr, 2, 0)
	if err := c.XGroupCreateMkStream(ctx, "jobs", "g", "$").Err(); err != nil {
		t.Fatal(err)
	}
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	conn.Write([]byte("XREADGROUP GROUP g dead BLOCK 0 STREAMS jobs >\r\n"))
	waitFor(t, func() bool { return strings.Contains(c.Info(ctx, "clients").Val(), "blocked_clients:1") })
	conn.Close()
	waitFor(t, func() bool { return strings.Contains(c.Info(ctx, "clients").Val(), "blocked_clients:0") })
	c.XAdd(ctx, &redis.XAddArgs{Stream: "jobs", Values: []string{"k", "v"}})
	time.Sleep(50 * time.Millisecond)
	if p := c.XPending(ctx, "jobs", "g").Val(); p.Count != 0 {
		t.Fatalf("entry delivered to a closed connection: %+v", p)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatal("condition not met within 3s")
}

// A blocked XREADGROUP that finds nothing records its consumer's seen time;
// that change must not wake it (or the other waiters) again, or blocked
// readers spin instead of sleeping.
func TestBlockedReadersSleep(t *testing.T) {
	addr := testserver.Start(t)
	ctx := context.Background()
	c := gClient(t, addr, 2, 0)
	if err := c.XGroupCreateMkStream(ctx, "q", "g", "$").Err(); err != nil {
		t.Fatal(err)
	}
	changes := func() int64 {
		for _, line := range strings.Split(c.Info(ctx, "persistence").Val(), "\r\n") {
			if v, ok := strings.CutPrefix(line, "rdb_changes_since_last_save:"); ok {
				n, _ := strconv.ParseInt(v, 10, 64)
				return n
			}
		}
		t.Fatal("no rdb_changes_since_last_save in INFO")
		return 0
	}
	before := changes()
	done := make(chan struct{})
	for i := 0; i < 3; i++ {
		go func() {
			defer func() { done <- struct{}{} }()
			gClient(t, addr, 2, 0).XReadGroup(ctx, &redis.XReadGroupArgs{Group: "g", Consumer: "c" + strconv.Itoa(i),
				Streams: []string{"q", ">"}, Block: 300 * time.Millisecond})
		}()
	}
	for i := 0; i < 3; i++ {
		<-done
	}
	if n := changes() - before; n > 12 {
		t.Fatalf("3 blocked readers made %d changes in 300 ms: they spin", n)
	}
}
