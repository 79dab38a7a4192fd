package tests

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"sluice/broker"
	"sluice/internal/testserver"
	"sluice/wal"
)

// TestDiskFull fills a real, small filesystem with XADDs: writes then get
// MISCONF while reads work, the XADD that hit the full disk waits, and once
// space is freed writes resume; nothing acknowledged is lost across a
// restart. It mounts a tmpfs, so it needs root.
func TestDiskFull(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to mount a size-limited tmpfs")
	}
	for _, policy := range []wal.Policy{wal.EverySec, wal.Always} {
		t.Run(policy.String(), func(t *testing.T) {
			ctx := context.Background()
			mnt := t.TempDir()
			if err := syscall.Mount("tmpfs", mnt, "tmpfs", 0, "size=8m"); err != nil {
				t.Skipf("cannot mount a tmpfs: %v", err)
			}
			// registered first, so it runs after the server's cleanup
			t.Cleanup(func() {
				if err := syscall.Unmount(mnt, 0); err != nil {
					t.Errorf("unmount %s: %v", mnt, err)
				}
			})
			// The filler leaves about 3 MB for the log; freeing it leaves
			// room for the shutdown snapshot.
			filler := filepath.Join(mnt, "filler")
			if err := os.WriteFile(filler, make([]byte, 5<<20), 0o600); err != nil {
				t.Fatal(err)
			}
			dir := filepath.Join(mnt, "data")
			addr, stop := testserver.StartConfig(t, broker.Config{Dir: dir, Fsync: policy,
				SnapshotInterval: -1, SnapshotAfterChanges: -1})
			w := redis.NewClient(&redis.Options{Addr: addr})
			r := redis.NewClient(&redis.Options{Addr: addr})
			defer w.Close()
			defer r.Close()

			// The writer adds until a write is refused or the last one
			// hangs on the full disk; results come back in order.
			results := make(chan xaddResult)
			value := strings.Repeat("x", 4000)
			go func() {
				defer close(results)
				for i := 0; ; i++ {
					id, err := w.XAdd(ctx, &redis.XAddArgs{Stream: "s", Values: []any{"n", i, "v", value}}).Result()
					results <- xaddResult{id, err}
					if err != nil {
						return
					}
				}
			}()
			var acked []string
			full := time.After(30 * time.Second)
		filling:
			for {
				select {
				case res := <-results:
					if res.err != nil {
						if res.err.Error() != "MISCONF Errors writing to the AOF file: No space left on device" {
							t.Fatalf("XADD on a full disk: %v", res.err)
						}
						break filling
					}
					acked = append(acked, res.id)
				case <-time.After(200 * time.Millisecond):
					if infoField(t, r, "aof_last_write_status") == "err" {
						break filling // the writer waits on its held XADD
					}
				case <-full:
					t.Fatalf("the disk did not fill: %d entries acknowledged", len(acked))
				}
			}
			if len(acked) < 100 {
				t.Fatalf("only %d entries before the disk was full", len(acked))
			}
			t.Logf("%d entries acknowledged before the disk filled", len(acked))
			waitInfo(t, r, "aof_last_write_status", "err")
			if e := infoField(t, r, "aof_last_write_error"); !strings.Contains(e, "no space left on device") {
				t.Fatalf("aof_last_write_error = %q", e)
			}
			if err := r.XAdd(ctx, &redis.XAddArgs{Stream: "s", Values: []any{"n", "refused"}}).Err(); err == nil || !strings.HasPrefix(err.Error(), "MISCONF ") {
				t.Fatalf("XADD on a full disk: %v", err)
			}
			if err := r.Ping(ctx).Err(); err != nil {
				t.Fatalf("PING on a full disk: %v", err)
			}
			if n := r.XLen(ctx, "s").Val(); n < int64(len(acked)) {
				t.Fatalf("XLEN %d on a full disk, %d acknowledged", n, len(acked))
			}
			if got := r.XRange(ctx, "s", acked[0], acked[0]).Val(); len(got) != 1 {
				t.Fatalf("XRANGE on a full disk: %v", got)
			}

			if err := os.Remove(filler); err != nil {
				t.Fatal(err)
			}
			waitInfo(t, r, "aof_last_write_status", "ok")
			for res := range results {
				// the XADD held since the disk filled is answered now
				if res.err != nil {
					if strings.HasPrefix(res.err.Error(), "MISCONF ") {
						continue
					}
					t.Fatalf("held XADD after space was freed: %v", res.err)
				}
				acked = append(acked, res.id)
				break
			}
			id, err := r.XAdd(ctx, &redis.XAddArgs{Stream: "s", Values: []any{"n", "after"}}).Result()
			if err != nil {
				t.Fatalf("XADD after space was freed: %v", err)
			}
			acked = append(acked, id)
			w.Close()
			for range results {
			}
			r.Close()
			stop()

			addr, _ = testserver.StartDir(t, dir, policy)
			c := redis.NewClient(&redis.Options{Addr: addr})
			defer c.Close()
			have := map[string]bool{}
			for _, m := range c.XRange(ctx, "s", "-", "+").Val() {
				have[m.ID] = true
			}
			for _, id := range acked {
				if !have[id] {
					t.Fatalf("acknowledged entry %s lost across the restart (%d acknowledged, %d there)", id, len(acked), len(have))
				}
			}
		})
	}
}
