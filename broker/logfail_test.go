package broker

import (
	"context"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"sluice/wal"
)

// TestCloseWhileLogFailing: a shutdown while the disk refuses writes ends
// the reply held for an unwritten XADD with the connection (never a
// success), says how many records were never written, does not claim the
// log holds everything, and keeps every acknowledged write.
func TestCloseWhileLogFailing(t *testing.T) {
	for _, policy := range []wal.Policy{wal.Always, wal.EverySec} {
		t.Run(policy.String(), func(t *testing.T) {
			dir := t.TempDir()
			var failing atomic.Bool
			s := startConfig(t, Config{Dir: dir, Fsync: policy, Faults: &wal.Faults{Write: func(write func() error) error {
				if failing.Load() {
					return syscall.ENOSPC
				}
				return write()
			}}})
			s.xadds(t, "s", 0, 3)
			failing.Store(true)
			c := redis.NewClient(&redis.Options{Addr: s.rdb.Options().Addr, MaxRetries: -1})
			defer c.Close()
			held := make(chan error, 1)
			go func() { held <- c.Do(context.Background(), "XADD", "s", "*", "n", "held").Err() }()
			deadline := time.Now().Add(5 * time.Second)
			for s.b.Ready() == nil {
				if time.Now().After(deadline) {
					t.Fatal("the log did not fail")
				}
				time.Sleep(5 * time.Millisecond)
			}
			if err := s.b.Ready(); !strings.Contains(err.Error(), "no space left on device") {
				t.Fatalf("Ready = %v", err)
			}

			err := s.b.Close()
			<-s.done
			if err == nil || !strings.Contains(err.Error(), "1 records (LSN 4-4) were never written") {
				t.Fatalf("Close = %v, want 1 record never written", err)
			}
			if err := <-held; err == nil {
				t.Fatal("the XADD that was never written got a success reply")
			}
			logs := s.logs.String()
			for _, want := range []string{"WRITE-AHEAD LOG FAILED", "records were never written (none was acknowledged)", "records=1"} {
				if !strings.Contains(logs, want) {
					t.Errorf("logs lack %q:\n%s", want, logs)
				}
			}
			for _, lie := range []string{"still holds everything", "replies will carry the error"} {
				if strings.Contains(logs, lie) {
					t.Errorf("logs claim %q:\n%s", lie, logs)
				}
			}

			s = start(t, dir)
			defer s.stop(t)
			if n := s.xlen(t, "s"); n != 3 {
				t.Fatalf("XLEN after restart = %d, want the 3 acknowledged", n)
			}
		})
	}
}
