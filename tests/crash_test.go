package tests

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"sluice/blockstore"
	"sluice/broker"
	"sluice/internal/testserver"
	"sluice/wal"
)

// crashChildEnv names the data directory of a crash child.
const crashChildEnv = "SLUICE_TEST_CRASH_DIR"

// crashChild serves sluice (appendfsync always, frequent snapshots, small
// block files) on the directory crashChildEnv names, writing its address
// next to it, until its first write to a block file after the test asks
// for the crash (a file next to the directory): that write reaches the
// file, its last record is cut in half as a crash in mid-write leaves it,
// and the process dies by SIGKILL before any fsync or report.
func crashChild() {
	dir := os.Getenv(crashChildEnv)
	faults := &blockstore.Faults{Write: func(write func() error) error {
		if _, err := os.Stat(dir + ".crash"); err != nil {
			return write()
		}
		write()
		tearNewest(filepath.Join(dir, "blocks"))
		syscall.Kill(os.Getpid(), syscall.SIGKILL)
		select {}
	}}
	b, err := broker.Open(broker.Config{Dir: dir, Fsync: wal.Always, Databases: 16, SnapshotAfterChanges: 2000,
		BlockFileSize: 256 << 10, BlockFaults: faults, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		fmt.Fprintln(os.Stderr, "crash child:", err)
		os.Exit(2)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, "crash child:", err)
		os.Exit(2)
	}
	if err := os.WriteFile(dir+".addr", []byte(ln.Addr().String()), 0o644); err != nil {
		os.Exit(2)
	}
	b.Serve(ln)
}

// tearNewest cuts the newest block file in the middle of its last record.
func tearNewest(dir string) {
	entries, _ := os.ReadDir(dir)
	var newest string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".blk") && e.Name() > newest {
			newest = e.Name()
		}
	}
	path := filepath.Join(dir, newest)
	if fi, err := os.Stat(path); err == nil && fi.Size() > 200 {
		os.Truncate(path, fi.Size()-100)
	}
}

// A crash in the middle of a block file write, after snapshots have cut
// the log behind blocks already in their files, loses nothing acknowledged:
// the torn blocks were never referenced, and their entries come back from
// the snapshot and the log.
func TestCrashInBlockWrite(t *testing.T) {
	if testserver.Cold() {
		t.Skip("runs its own server")
	}
	dir := filepath.Join(t.TempDir(), "data")
	child := exec.Command(os.Args[0], "-test.run=^$")
	child.Env = append(os.Environ(), crashChildEnv+"="+dir)
	child.Stderr = os.Stderr
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	var addr []byte
	for deadline := time.Now().Add(10 * time.Second); len(addr) == 0; {
		addr, _ = os.ReadFile(dir + ".addr")
		if time.Now().After(deadline) {
			child.Process.Kill()
			t.Fatal("the crash child did not start")
		}
		time.Sleep(10 * time.Millisecond)
	}
	ctx := context.Background()
	c := redis.NewClient(&redis.Options{Addr: string(addr), MaxRetries: -1})
	value := strings.Repeat("v", 100)
	var acked []string
	crash := false
	for i, done := 0, false; !done; i++ {
		if i%20 == 19 && !crash {
			// Snapshots cut the log behind the blocks in files; once
			// they have, the next block write crashes.
			if strings.Contains(c.Info(ctx, "persistence").Val(), "sluice_log_first_lsn:1\r") {
				c.BgSave(ctx)
			} else if err := os.WriteFile(dir+".crash", nil, 0o644); err != nil {
				t.Fatal(err)
			} else {
				crash = true
			}
		}
		cmds, _ := c.Pipelined(ctx, func(p redis.Pipeliner) error {
			for range 50 {
				p.XAdd(ctx, &redis.XAddArgs{Stream: "s", Values: []any{"f", value}})
			}
			return nil
		})
		for _, cmd := range cmds {
			if id, err := cmd.(*redis.StringCmd).Result(); err == nil {
				acked = append(acked, id)
			} else {
				done = true
			}
		}
	}
	c.Close()
	err := child.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("the child did not die by SIGKILL: %v", err)
	}
	reps, err := blockstore.Scan(filepath.Join(dir, "blocks"))
	torn := false
	for _, r := range reps {
		torn = torn || r.Torn
	}
	if err != nil || !torn {
		t.Fatalf("no torn block file after the crash: %+v %v", reps, err)
	}

	addr2, _ := testserver.StartDir(t, dir, wal.Always)
	c = redis.NewClient(&redis.Options{Addr: addr2, Protocol: 2})
	defer c.Close()
	have := map[string]bool{}
	for _, m := range c.XRange(ctx, "s", "-", "+").Val() {
		have[m.ID] = true
	}
	for _, id := range acked {
		if !have[id] {
			t.Fatalf("acknowledged entry %s lost (%d acknowledged, %d back)", id, len(acked), len(have))
		}
	}
	info := c.Info(ctx, "persistence").Val()
	if !strings.Contains(info, "sluice_log_first_lsn:") || strings.Contains(info, "sluice_log_first_lsn:1\r") {
		t.Fatalf("the log was never cut behind a snapshot; the test proves little:\n%s", info)
	}
	if x := c.Do(ctx, "XINFO", "STREAM", "s").Val().([]any); fmt.Sprint(x[len(x)-1]) == "0" {
		t.Fatalf("no block of the stream is cold after the restart: %v", x)
	}
	t.Logf("%d entries acknowledged before the crash, %d back", len(acked), len(have))
}
