package redcon

import (
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

// startServer serves on a free port: each request is answered with its
// arguments joined, "close" closes the connection after answering, and
// "panic" panics. closed errors arrive on the returned channel.
func startServer(t *testing.T) (string, <-chan error) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ended := make(chan error, 16)
	s := NewServer(func(c Conn, cmd Command) {
		arg := string(cmd.Args[0])
		if arg == "panic" {
			panic("injected")
		}
		c.WriteRaw([]byte("+" + strings.Join(strs(cmd.Args), " ") + "\r\n"))
		if arg == "close" {
			c.Close()
		}
	}, nil, func(c Conn, err error) { ended <- err })
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.Serve(ln)
	}()
	t.Cleanup(func() {
		s.Close()
		<-done
	})
	return ln.Addr().String(), ended
}

// exchange sends in and returns everything the server sent until it
// closed the connection.
func exchange(t *testing.T, addr, in string) string {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.Write([]byte(in)); err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(c)
	if err != nil {
		t.Fatalf("not closed: %v (got %q)", err, out)
	}
	return string(out)
}

func TestServerRepliesBeforeProtocolError(t *testing.T) {
	addr, ended := startServer(t)
	if got := exchange(t, addr, "a\r\nb c\r\n*1\r\n$-5\r\nd\r\n"); got != "+a\r\n+b c\r\n-ERR Protocol error: invalid bulk length\r\n" {
		t.Fatalf("got %q", got)
	}
	var perr *ProtocolError
	if err := <-ended; !errors.As(err, &perr) {
		t.Fatalf("closed with %v", err)
	}
	// Redis's reply text has no CR or LF in it.
	if got := exchange(t, addr, "*1\r\n\r\n"); got != "-ERR Protocol error: expected '$', got ' '\r\n" {
		t.Fatalf("got %q", got)
	}
}

func TestServerDropsRequestsAfterClose(t *testing.T) {
	addr, _ := startServer(t)
	if got := exchange(t, addr, "a\r\nclose\r\nb\r\n"); got != "+a\r\n+close\r\n" {
		t.Fatalf("got %q", got)
	}
}

func TestServerSurvivesPanic(t *testing.T) {
	addr, ended := startServer(t)
	if got := exchange(t, addr, "a\r\npanic\r\nb\r\n"); got != "" {
		t.Fatalf("got %q", got)
	}
	var perr *PanicError
	if err := <-ended; !errors.As(err, &perr) || perr.Value != "injected" || !strings.Contains(string(perr.Stack), "server_test.go") {
		t.Fatalf("closed with %v", err)
	}
	if got := exchange(t, addr, "a\r\nclose\r\n"); got != "+a\r\n+close\r\n" {
		t.Fatalf("after the panic: %q", got)
	}
}
