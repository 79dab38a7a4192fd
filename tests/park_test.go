package tests

import (
	"context"
	"crypto/tls"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"sluice/broker"
	"sluice/internal/testserver"
)

// Commands pipelined behind a blocked one wait for it and run after it,
// whether a write serves it or it times out.
func TestPipelinedAfterBlocked(t *testing.T) {
	addr := testserver.Start(t)
	ctx := context.Background()
	c := gClient(t, addr, 2, 0)
	got := gRaw(t, addr, "XREAD BLOCK 100 STREAMS s $", "PING")
	eq(t, "timed out, then PING", got, "*-1\r\n+PONG\r\n")

	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.Write([]byte("XREAD BLOCK 0 STREAMS s $\r\n"))
	waitBlocked(t, c, 1)
	conn.Write([]byte("PING\r\n")) // arrives while it waits
	time.Sleep(50 * time.Millisecond)
	c.XAdd(ctx, &redis.XAddArgs{Stream: "s", ID: "1-1", Values: []string{"f", "v"}})
	want := "*1\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n+PONG\r\n"
	buf := make([]byte, len(want))
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := readFullConn(conn, buf); err != nil || string(buf) != want {
		t.Fatalf("got %q, %v", buf, err)
	}
}

func readFullConn(c net.Conn, b []byte) (int, error) {
	n := 0
	for n < len(b) {
		m, err := c.Read(b[n:])
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// A consumer that pipelined more behind its blocked read, then died, is
// noticed as well (Redis reads the end of its connection).
func TestBlockedClientHangupWithPipeline(t *testing.T) {
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
	waitBlocked(t, c, 1)
	conn.Write([]byte("PING\r\n"))
	time.Sleep(20 * time.Millisecond)
	conn.Close()
	waitBlocked(t, c, 0)
	c.XAdd(ctx, &redis.XAddArgs{Stream: "jobs", Values: []string{"k", "v"}})
	time.Sleep(50 * time.Millisecond)
	if p := c.XPending(ctx, "jobs", "g").Val(); p.Count != 0 {
		t.Fatalf("entry delivered to a closed connection: %+v", p)
	}
}

// A TLS consumer that dies while blocked is noticed too.
func TestBlockedTLSClientHangup(t *testing.T) {
	p := newPKI(t)
	addr, tlsAddr, _ := testserver.StartTLS(t, broker.Config{Dir: t.TempDir(), TLS: p.config("yes")})
	ctx := context.Background()
	c := gClient(t, addr, 2, 0)
	if err := c.XGroupCreateMkStream(ctx, "jobs", "g", "$").Err(); err != nil {
		t.Fatal(err)
	}
	conn, err := tls.Dial("tcp", tlsAddr, p.clientTLS(true))
	if err != nil {
		t.Fatal(err)
	}
	conn.Write([]byte("XREADGROUP GROUP g dead BLOCK 0 STREAMS jobs >\r\n"))
	waitBlocked(t, c, 1)
	conn.Close()
	waitBlocked(t, c, 0)
	c.XAdd(ctx, &redis.XAddArgs{Stream: "jobs", Values: []string{"k", "v"}})
	time.Sleep(50 * time.Millisecond)
	if p := c.XPending(ctx, "jobs", "g").Val(); p.Count != 0 {
		t.Fatalf("entry delivered to a closed connection: %+v", p)
	}
	if strings.Contains(c.ClientList(ctx).Val(), "cmd=xreadgroup") {
		t.Fatal("the dead consumer is still listed")
	}
}
