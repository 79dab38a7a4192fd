package tests

import (
	"context"
	"errors"
	"net"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"sluice/broker"
	"sluice/internal/testserver"
)

// rawSend writes payload on a new connection and returns what the server
// sent until it closed the connection (closed) or said nothing for quiet.
func rawSend(t *testing.T, addr, payload string, quiet time.Duration) (reply string, closed bool) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.Write([]byte(payload)); err != nil {
		t.Fatal(err)
	}
	var out []byte
	buf := make([]byte, 4096)
	for {
		conn.SetReadDeadline(time.Now().Add(quiet))
		n, err := conn.Read(buf)
		out = append(out, buf[:n]...)
		var ne net.Error
		switch {
		case errors.As(err, &ne) && ne.Timeout():
			return string(out), false
		case err != nil:
			return string(out), true
		}
	}
}

// wantClosedWith checks that payload gets exactly reply, then a close.
func wantClosedWith(t *testing.T, addr, payload, reply string) {
	t.Helper()
	got, closed := rawSend(t, addr, payload, 5*time.Second)
	if got != reply || !closed {
		t.Fatalf("%.40q: got %q (closed %v), want %q and a close", payload, got, closed, reply)
	}
}

// connectedClients is INFO's connected_clients.
func connectedClients(t *testing.T, c *redis.Client) int {
	t.Helper()
	info := c.Info(context.Background(), "clients").Val()
	m := regexp.MustCompile(`connected_clients:(\d+)`).FindStringSubmatch(info)
	if m == nil {
		t.Fatalf("no connected_clients in %q", info)
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// The 27-byte packet that crashed the process (issue #8): before AUTH it
// gets Redis's error, its connection closes, and the server goes on.
func TestOverflowingBulkLengthBeforeAuth(t *testing.T) {
	addr, _ := testserver.StartConfig(t, broker.Config{Dir: t.TempDir(), RequirePass: "secret"})
	wantClosedWith(t, addr, "*1\r\n$9223372036854775807\r\n", "-ERR Protocol error: invalid bulk length\r\n")
	c := redis.NewClient(&redis.Options{Addr: addr, Password: "secret"})
	defer c.Close()
	if got, err := c.Ping(context.Background()).Result(); got != "PONG" {
		t.Fatalf("PING after the packet: %q, %v", got, err)
	}
}

// The 22-byte packet that pinned a core (issue #8) gets Redis's error and
// a close; a count the limit allows waits for its arguments in a read, and
// its connection ends as soon as the client goes.
func TestHugeCountEndsItsConnection(t *testing.T) {
	addr := testserver.Start(t)
	c := gClient(t, addr, 2, 0)
	wantClosedWith(t, addr, "*9223372036854775807\r\n", "-ERR Protocol error: invalid multibulk length\r\n")
	if got, err := c.Ping(context.Background()).Result(); got != "PONG" {
		t.Fatalf("PING after the packet: %q, %v", got, err)
	}
	if got, closed := rawSend(t, addr, "*1048576\r\n", 300*time.Millisecond); got != "" || closed {
		t.Fatalf("a count of 1048576: %q (closed %v)", got, closed)
	}
	// rawSend hung up: its connection is gone on the server as well.
	waitFor(t, func() bool { return connectedClients(t, c) == 1 })
}

func TestMalformedRequestsAsRedis(t *testing.T) {
	addr := testserver.Start(t)
	for _, tc := range []struct{ in, reply string }{
		{"*1048577\r\n", "-ERR Protocol error: invalid multibulk length\r\n"},
		{"*1\r\n$-1\r\n", "-ERR Protocol error: invalid bulk length\r\n"},
		{"*1\r\n\r\n", "-ERR Protocol error: expected '$', got ' '\r\n"},
		{"PING\r\n*x\r\n", "+PONG\r\n-ERR Protocol error: invalid multibulk length\r\n"},
		{"\"a\r\n", "-ERR Protocol error: unbalanced quotes in request\r\n"},
		{strings.Repeat("A", 65537), "-ERR Protocol error: too big inline request\r\n"},
		{"QUIT\r\nPING\r\n", "+OK\r\n"},
	} {
		wantClosedWith(t, addr, tc.in, tc.reply)
	}
	for _, tc := range []struct{ in, reply string }{
		{"*-10\r\nPING\r\n", "+PONG\r\n"},
		{"*1\r\n$4\r\nPINGxx", "+PONG\r\n"},
		{"ECHO \"a\\x41b\" 'c\\'d'\r\n", "-ERR wrong number of arguments for 'echo' command\r\n"},
		{"foo\"bar\" x\r\n", "-ERR unknown command 'foobar', with args beginning with: 'x' \r\n"},
	} {
		if got, closed := rawSend(t, addr, tc.in, 300*time.Millisecond); got != tc.reply || closed {
			t.Fatalf("%q: got %q (closed %v), want %q", tc.in, got, closed, tc.reply)
		}
	}
}

func TestLimitsBeforeAuth(t *testing.T) {
	addr, _ := testserver.StartConfig(t, broker.Config{Dir: t.TempDir(), RequirePass: "secret"})
	wantClosedWith(t, addr, "*11\r\n", "-ERR Protocol error: unauthenticated multibulk length\r\n")
	wantClosedWith(t, addr, "*1\r\n$16385\r\n", "-ERR Protocol error: unauthenticated bulk length\r\n")
	wantClosedWith(t, addr, "*3000000000\r\n", "-ERR Protocol error: invalid multibulk length\r\n")
	// At the limits the request is read (and refused for want of AUTH).
	ten := "*10\r\n$3\r\nDEL\r\n" + strings.Repeat("$1\r\nk\r\n", 9)
	bulk := "*2\r\n$4\r\nECHO\r\n$16384\r\n" + strings.Repeat("x", 16384) + "\r\n"
	noauth := "-NOAUTH Authentication required.\r\n"
	if got, closed := rawSend(t, addr, ten+bulk, 300*time.Millisecond); got != noauth+noauth || closed {
		t.Fatalf("at the limits: %q (closed %v)", got, closed)
	}
	// AUTH lifts them for the next request of the same pipeline.
	eleven := "*11\r\n$3\r\nDEL\r\n" + strings.Repeat("$1\r\nk\r\n", 10)
	if got, closed := rawSend(t, addr, "AUTH secret\r\n"+eleven, 300*time.Millisecond); got != "+OK\r\n:0\r\n" || closed {
		t.Fatalf("after AUTH: %q (closed %v)", got, closed)
	}
}

func TestProtoMaxBulkLenAtRunTime(t *testing.T) {
	addr := testserver.Start(t)
	ctx := context.Background()
	c := gClient(t, addr, 2, 0)
	eq(t, "default", c.ConfigGet(ctx, "proto-max-bulk-len").Val()["proto-max-bulk-len"], "536870912")
	wantErr(t, c.ConfigSet(ctx, "proto-max-bulk-len", "1000").Err(),
		"ERR CONFIG SET failed (possibly related to argument 'proto-max-bulk-len') - argument must be between 1048576 and 9223372036854775807 inclusive")
	wantErr(t, c.ConfigSet(ctx, "proto-max-bulk-len", "1.5mb").Err(),
		"ERR CONFIG SET failed (possibly related to argument 'proto-max-bulk-len') - argument must be a memory value")
	if err := c.ConfigSet(ctx, "proto-max-bulk-len", "1mb").Err(); err != nil {
		t.Fatal(err)
	}
	eq(t, "after CONFIG SET", c.ConfigGet(ctx, "proto-max-bulk-len").Val()["proto-max-bulk-len"], "1048576")
	wantClosedWith(t, addr, "*2\r\n$4\r\nECHO\r\n$1048577\r\n", "-ERR Protocol error: invalid bulk length\r\n")
	at := strings.Repeat("x", 1<<20)
	if got := c.Echo(ctx, at).Val(); got != at {
		t.Fatalf("ECHO of 1 MB: %d bytes back", len(got))
	}
}

func TestQueryBufferLimitAtRunTime(t *testing.T) {
	addr := testserver.Start(t)
	ctx := context.Background()
	c := gClient(t, addr, 2, 0)
	if err := c.ConfigSet(ctx, "client-query-buffer-limit", "1mb").Err(); err != nil {
		t.Fatal(err)
	}
	if err := c.ConfigSet(ctx, "proto-max-bulk-len", "2mb").Err(); err != nil {
		t.Fatal(err)
	}
	eq(t, "CONFIG GET", c.ConfigGet(ctx, "client-query-buffer-limit").Val()["client-query-buffer-limit"], "1048576")
	// Redis closes such a client without a reply.
	wantClosedWith(t, addr, "*2\r\n$4\r\nECHO\r\n$1500000\r\n"+strings.Repeat("x", 1100000), "")
	// The server counts it as it closes; the client may see the close first.
	waitFor(t, func() bool {
		return strings.Contains(c.Info(ctx, "stats").Val(), "client_query_buffer_limit_disconnections:1\r\n")
	})
	if got := c.Ping(ctx).Val(); got != "PONG" {
		t.Fatalf("PING: %q", got)
	}
}
