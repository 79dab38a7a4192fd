package tests

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"sluice/broker"
	"sluice/internal/testserver"
	"sluice/wal"
)

// logBuffer collects a server's log.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startFaulty starts a server on dir whose ECHO panics while armed.
func startFaulty(t *testing.T, dir string) (addr string, armed *atomic.Bool, log *logBuffer, stop func()) {
	t.Helper()
	armed, log = &atomic.Bool{}, &logBuffer{}
	armed.Store(true)
	addr, stop = testserver.StartConfig(t, broker.Config{Dir: dir, Fsync: wal.Always,
		Logger: slog.New(slog.NewTextHandler(log, nil)),
		BeforeCommand: func(name string) {
			if name == "echo" && armed.Load() {
				panic("injected fault")
			}
		}})
	return addr, armed, log, stop
}

// A panicking command costs its client the connection, nothing more.
func TestPanicInCommandDisconnectsOnlyItsClient(t *testing.T) {
	addr, _, log, _ := startFaulty(t, t.TempDir())
	ctx := context.Background()
	other := gClient(t, addr, 2, 0)
	if err := other.Ping(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	// Replies before the panic are sent, the panicking command gets an
	// error, and what was pipelined after it does not run.
	wantClosedWith(t, addr, "SET k v\r\nECHO secret-argument\r\nSET k w\r\n", "+OK\r\n-ERR internal error\r\n")
	if got := other.Get(ctx, "k").Val(); got != "v" {
		t.Fatalf("GET k: %q", got)
	}
	if !strings.Contains(other.Info(ctx).Val(), "connected_clients:") {
		t.Fatal("INFO does not answer")
	}
	// A transaction that panicked before changing anything, too.
	wantClosedWith(t, addr, "MULTI\r\nGET k\r\nECHO x\r\nEXEC\r\n", "+OK\r\n+QUEUED\r\n+QUEUED\r\n-ERR internal error\r\n")
	if got := other.Get(ctx, "k").Val(); got != "v" {
		t.Fatalf("GET k after the transaction: %q", got)
	}
	out := log.String()
	if !strings.Contains(out, "level=ERROR msg=\"command panicked; client disconnected\" cmd=echo") ||
		!strings.Contains(out, "panic=\"injected fault\"") || !strings.Contains(out, "kernel.(*Engine).run") {
		t.Fatalf("log: %s", out)
	}
	if strings.Contains(out, "secret-argument") {
		t.Fatal("the log shows a command's arguments")
	}
	if strings.Contains(out, "stopping without a snapshot") {
		t.Fatal("the server stopped")
	}
}

// A command that panics after changing state stops the server without a
// snapshot of that state; the next start recovers from the log.
func TestPanicAfterChangeStopsServer(t *testing.T) {
	dir := t.TempDir()
	addr, _, log, stop := startFaulty(t, dir)
	ctx := context.Background()
	c := gClient(t, addr, 2, 0)
	if err := c.XAdd(ctx, &redis.XAddArgs{Stream: "s", ID: "1-1", Values: []string{"f", "v"}}).Err(); err != nil {
		t.Fatal(err)
	}
	// The shutdown this starts closes every connection at once, so the
	// replies may or may not leave before the close.
	got, closed := rawSend(t, addr, "MULTI\r\nXADD s 2-1 f v\r\nECHO x\r\nEXEC\r\n", 5*time.Second)
	if want := "+OK\r\n+QUEUED\r\n+QUEUED\r\n-ERR internal error\r\n"; !closed || got != want && got != "" {
		t.Fatalf("EXEC: %q (closed %v), want %q or nothing, and a close", got, closed, want)
	}
	// The server stops serving: the listener closes.
	waitFor(t, func() bool {
		conn, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			conn.Close()
		}
		return err != nil
	})
	if !strings.Contains(log.String(), "stopping without a snapshot") || !strings.Contains(log.String(), "echo panicked and may have left state half changed") {
		t.Fatalf("log: %s", log.String())
	}
	stop()
	if snaps := snapshotFiles(t, dir); len(snaps) != 0 {
		t.Fatalf("snapshot written after the panic: %v", snaps)
	}
	addr, _ = testserver.StartDir(t, dir, wal.Always)
	entries, err := gClient(t, addr, 2, 0).XRange(ctx, "s", "-", "+").Result()
	if err != nil || len(entries) != 1 || entries[0].ID != "1-1" {
		t.Fatalf("after restart: %v, %v", entries, err)
	}
}

// snapshotFiles lists a data directory's snapshots.
func snapshotFiles(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		if strings.HasSuffix(e.Name(), ".snap") {
			out = append(out, e.Name())
		}
	}
	return out
}
