package redcon

import (
	"bufio"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"
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

// failingListener fails its first Accepts as a process out of file
// descriptors does.
type failingListener struct {
	net.Listener
	fails int
}

func (l *failingListener) Accept() (net.Conn, error) {
	if l.fails > 0 {
		l.fails--
		return nil, syscall.EMFILE
	}
	return l.Listener.Accept()
}

// A run of failed accepts is reported once, with a pause between tries,
// and its end once.
func TestServerAcceptFailuresReportedOnce(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := NewServer(func(c Conn, cmd Command) { c.WriteRaw([]byte("+OK\r\n")) }, nil, nil)
	var errs []error
	resumed := make(chan int, 1)
	s.AcceptError = func(err error) { errs = append(errs, err) }
	s.AcceptResumed = func(n int) { resumed <- n }
	done := make(chan struct{})
	start := time.Now()
	go func() {
		defer close(done)
		s.Serve(&failingListener{Listener: ln, fails: 5})
	}()
	defer func() { s.Close(); <-done }()
	if got := exchangeOpen(t, ln.Addr().String(), "PING\r\n"); got != "+OK\r\n" {
		t.Fatalf("got %q", got)
	}
	if n := <-resumed; n != 5 || len(errs) != 1 || !errors.Is(errs[0], syscall.EMFILE) {
		t.Fatalf("resumed after %d, errors %v", n, errs)
	}
	// 5+10+20+40+80 ms of pauses: no spinning.
	if d := time.Since(start); d < 150*time.Millisecond {
		t.Fatalf("five failures took only %v", d)
	}
}

// exchangeOpen sends in and returns the first reply line.
func exchangeOpen(t *testing.T, addr, in string) string {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	c.Write([]byte(in))
	line, _ := bufio.NewReader(c).ReadString('\n')
	return line
}

// An idle connection holds no read buffer; one whose client does not read
// waits in Send, with what is left to send in its stats.
func TestConnBuffersFollowTheClient(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	big := make([]byte, 64<<20)
	conns := make(chan Conn, 1)
	s := NewServer(func(c Conn, cmd Command) {
		select {
		case conns <- c:
		default:
		}
		if string(cmd.Args[0]) == "big" {
			c.Send(big)
		}
	}, nil, nil)
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.Serve(ln)
	}()
	defer func() { s.Close(); <-done }()
	client, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	client.Write([]byte("ping\r\n"))
	c := <-conns
	st := c.Stats()
	waitUntil(t, func() bool { return st.QueryBufCap.Load() == 0 })
	client.Write([]byte("big\r\n"))
	// 64 MB cannot all fit in the socket buffers: Send waits.
	waitUntil(t, func() bool { return st.OutPending.Load() > 0 })
	time.Sleep(50 * time.Millisecond)
	if p := st.OutPending.Load(); p <= 0 || p > int64(len(big)) {
		t.Fatalf("pending %d", p)
	}
}

func waitUntil(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 5s")
		}
	}
}
