package tests

import (
	"context"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"sluice/broker"
	"sluice/internal/testserver"
	"sluice/wal"
)

const misconfEIO = "MISCONF Errors writing to the AOF file: Input/output error"

// infoField reads one field of INFO persistence.
func infoField(t *testing.T, c *redis.Client, name string) string {
	t.Helper()
	info, err := c.Info(context.Background(), "persistence").Result()
	if err != nil {
		t.Fatalf("INFO persistence: %v", err)
	}
	for _, line := range strings.Split(info, "\r\n") {
		if v, ok := strings.CutPrefix(line, name+":"); ok {
			return v
		}
	}
	t.Fatalf("INFO persistence has no %s:\n%s", name, info)
	return ""
}

func waitInfo(t *testing.T, c *redis.Client, name, want string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for infoField(t, c, name) != want {
		if time.Now().After(deadline) {
			t.Fatalf("INFO %s is not %q within 5s", name, want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

type xaddResult struct {
	id  string
	err error
}

// TestLogFailureIsFailStop: from the moment a write or fsync of the log
// fails, write commands get MISCONF before anything is applied, reads, PING
// and INFO go on, a write already applied waits for the recovery, and once
// the disk works again writes resume; every acknowledged write is there
// after a restart.
func TestLogFailureIsFailStop(t *testing.T) {
	for _, tc := range []struct {
		policy wal.Policy
		fault  string
	}{{wal.Always, "write"}, {wal.Always, "fsync"}, {wal.EverySec, "write"}, {wal.EverySec, "fsync"}} {
		t.Run(tc.policy.String()+"/"+tc.fault, func(t *testing.T) {
			ctx := context.Background()
			dir := t.TempDir()
			var failing atomic.Bool
			hook := func(op func() error) error {
				if failing.Load() {
					return syscall.EIO
				}
				return op()
			}
			faults := &wal.Faults{Write: hook}
			if tc.fault == "fsync" {
				faults = &wal.Faults{Sync: hook}
			}
			addr, stop := testserver.StartConfig(t, broker.Config{Dir: dir, Fsync: tc.policy, Faults: faults})
			// a's held XADD waits for the recovery, longer than go-redis's
			// read timeout on a loaded machine; a retry on another
			// connection would get MISCONF and hide the held reply.
			a := redis.NewClient(&redis.Options{Addr: addr, ReadTimeout: -1, MaxRetries: -1})
			b := redis.NewClient(&redis.Options{Addr: addr})
			tx := redis.NewClient(&redis.Options{Addr: addr, PoolSize: 1})
			defer a.Close()
			defer b.Close()
			defer tx.Close()

			var acked []string
			for i := range 4 {
				acked = append(acked, a.XAdd(ctx, &redis.XAddArgs{Stream: "s", Values: []any{"n", i}}).Val())
			}
			if err := tx.Do(ctx, "MULTI").Err(); err != nil {
				t.Fatal(err)
			}
			if v := tx.Do(ctx, "XADD", "s", "*", "n", "tx").Val(); v != "QUEUED" {
				t.Fatalf("XADD in MULTI = %v", v)
			}

			failing.Store(true)
			held := make(chan xaddResult, 1)
			go func() {
				id, err := a.XAdd(ctx, &redis.XAddArgs{Stream: "s", Values: []any{"n", "held"}}).Result()
				held <- xaddResult{id, err}
			}()
			if tc.policy == wal.EverySec && tc.fault == "fsync" {
				// written, so acknowledged; the next background fsync fails
				r := <-held
				if r.err != nil {
					t.Fatalf("XADD before the background fsync failed: %v", r.err)
				}
				acked = append(acked, r.id)
			}
			waitInfo(t, b, "aof_last_write_status", "err")
			if e := infoField(t, b, "aof_last_write_error"); !strings.Contains(e, "input/output error") {
				t.Fatalf("aof_last_write_error = %q", e)
			}

			length := b.XLen(ctx, "s").Val()
			if err := b.XAdd(ctx, &redis.XAddArgs{Stream: "s", Values: []any{"n", "refused"}}).Err(); err == nil || err.Error() != misconfEIO {
				t.Fatalf("XADD while failing: %v, want %q", err, misconfEIO)
			}
			if err := b.XGroupCreateMkStream(ctx, "s", "g", "0").Err(); err == nil || err.Error() != misconfEIO {
				t.Fatalf("XGROUP CREATE while failing: %v", err)
			}
			if err := tx.Do(ctx, "EXEC").Err(); err == nil || err.Error() != "EXECABORT Transaction discarded because of: "+misconfEIO {
				t.Fatalf("EXEC of a queued write while failing: %v", err)
			}
			tx.Do(ctx, "MULTI")
			if err := tx.Do(ctx, "SET", "k", "v").Err(); err == nil || err.Error() != misconfEIO {
				t.Fatalf("SET queued in MULTI while failing: %v", err)
			}
			if err := tx.Do(ctx, "EXEC").Err(); err == nil || !strings.HasPrefix(err.Error(), "EXECABORT Transaction discarded because of previous errors") {
				t.Fatalf("EXEC after a refused write: %v", err)
			}
			if got := b.XLen(ctx, "s").Val(); got != length {
				t.Fatalf("XLEN %d after refused writes, was %d", got, length)
			}
			if err := b.Ping(ctx).Err(); err != nil {
				t.Fatalf("PING while failing: %v", err)
			}
			if n := len(b.XRange(ctx, "s", "-", "+").Val()); n < len(acked) {
				t.Fatalf("XRANGE while failing: %d entries, want at least %d", n, len(acked))
			}
			if !strings.Contains(b.Info(ctx, "errorstats").Val(), "errorstat_MISCONF:count=") {
				t.Fatal("errorstats does not count MISCONF")
			}
			if tc.policy == wal.Always || tc.fault == "write" {
				select {
				case r := <-held:
					t.Fatalf("the write applied as the log failed was answered before the recovery: %v %v", r.id, r.err)
				case <-time.After(100 * time.Millisecond):
				}
			}

			failing.Store(false)
			if tc.policy == wal.Always || tc.fault == "write" {
				r := <-held
				if r.err != nil {
					t.Fatalf("held XADD after the recovery: %v", r.err)
				}
				acked = append(acked, r.id)
			}
			waitInfo(t, b, "aof_last_write_status", "ok")
			id, err := b.XAdd(ctx, &redis.XAddArgs{Stream: "s", Values: []any{"n", "after"}}).Result()
			if err != nil {
				t.Fatalf("XADD after the recovery: %v", err)
			}
			acked = append(acked, id)
			a.Close()
			b.Close()
			tx.Close()
			stop()

			addr, _ = testserver.StartDir(t, dir, tc.policy)
			c := redis.NewClient(&redis.Options{Addr: addr})
			defer c.Close()
			var got []string
			for _, m := range c.XRange(ctx, "s", "-", "+").Val() {
				got = append(got, m.ID)
			}
			if strings.Join(got, " ") != strings.Join(acked, " ") {
				t.Fatalf("after restart the stream holds\n%v\nwant the acknowledged\n%v", got, acked)
			}
		})
	}
}
