package tests

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"sluice/blockstore"
	"sluice/broker"
	"sluice/internal/testserver"
	"sluice/wal"
)

// coldConfig is a server whose sealed blocks all go cold at once and are
// read back from their files at each use, whatever the test mode.
func coldConfig(dir string) broker.Config {
	return broker.Config{Dir: dir, Fsync: wal.Always, ColdSync: true, BlockCache: -1}
}

// fill adds n entries to key, 100 at a time, and returns their IDs.
func fill(t *testing.T, c *redis.Client, key string, n, size int) []string {
	t.Helper()
	ctx := context.Background()
	var ids []string
	for len(ids) < n {
		cmds, err := c.Pipelined(ctx, func(p redis.Pipeliner) error {
			for i := len(ids); i < min(n, len(ids)+100); i++ {
				p.XAdd(ctx, &redis.XAddArgs{Stream: key, Values: []any{"n", i, "v", strings.Repeat("x", size)}})
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, cmd := range cmds {
			ids = append(ids, cmd.(*redis.StringCmd).Val())
		}
	}
	return ids
}

// tierFields returns XINFO STREAM's hot-bytes and cold-bytes.
func tierFields(t *testing.T, c *redis.Client, key string) (hot, cold int64) {
	t.Helper()
	kv := c.Do(context.Background(), "XINFO", "STREAM", key).Val().([]any)
	for i := 0; i+1 < len(kv); i += 2 {
		switch kv[i] {
		case "hot-bytes":
			hot = kv[i+1].(int64)
		case "cold-bytes":
			cold = kv[i+1].(int64)
		}
	}
	return hot, cold
}

// coldState renders what the stream-reading commands answer about s and
// its group g (idle times aside).
func coldState(t *testing.T, c *redis.Client) string {
	t.Helper()
	ctx := context.Background()
	p := c.XPendingExt(ctx, &redis.XPendingExtArgs{Stream: "s", Group: "g", Start: "-", End: "+", Count: 10000}).Val()
	for i := range p {
		p[i].Idle = 0
	}
	return fmt.Sprint(c.XLen(ctx, "s").Val(), c.XRange(ctx, "s", "-", "+").Val(), c.XRevRangeN(ctx, "s", "+", "-", 50).Val(),
		p, withoutTiers(c.Do(ctx, "XINFO", "STREAM", "s", "FULL", "COUNT", 0).Val()),
		c.XRead(ctx, &redis.XReadArgs{Streams: []string{"s", "0"}, Count: 777}).Val())
}

// A stream whose blocks are cold (pending entries, deletions and a trim
// within them) reads the same after restarts, with or without a block
// cache; memory holds a small part of it.
func TestColdStreamAcrossRestart(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	addr, stop := testserver.StartConfig(t, coldConfig(dir))
	c := gClient(t, addr, 2, 0)
	mr(c.ConfigSet(ctx, "stream-node-max-entries", "10").Result()).of(t)
	ids := fill(t, c, "s", 3000, 60)
	mr(c.XGroupCreate(ctx, "s", "g", "0").Result()).of(t)
	mr(c.XReadGroup(ctx, &redis.XReadGroupArgs{Group: "g", Consumer: "alice", Streams: []string{"s", ">"}, Count: 500}).Result()).of(t)
	eq(t, "xdel", c.XDel(ctx, "s", ids[10:20]...).Val(), int64(10))
	eq(t, "xtrim", c.XTrimMinID(ctx, "s", ids[105]).Val(), int64(95))
	want := coldState(t, c)
	hot, cold := tierFields(t, c, "s")
	if cold < 100000 || hot > cold/100 {
		t.Fatalf("hot-bytes %d, cold-bytes %d: the blocks did not go cold", hot, cold)
	}
	if mem := c.MemoryUsage(ctx, "s").Val(); mem > cold/2 {
		t.Fatalf("MEMORY USAGE %d counts cold bytes (%d)", mem, cold)
	}
	c.Close()
	stop()

	for _, cfg := range []broker.Config{coldConfig(dir), {Dir: dir, Fsync: wal.Always}} {
		addr, stop = testserver.StartConfig(t, cfg)
		c = gClient(t, addr, 2, 0)
		if got := coldState(t, c); got != want {
			t.Fatalf("cache %d: the stream reads differently after a restart:\n%s\nwant\n%s", cfg.BlockCache, got, want)
		}
		c.Close()
		stop()
	}

	addr, _ = testserver.StartConfig(t, broker.Config{Dir: dir, Fsync: wal.Always})
	c = gClient(t, addr, 2, 0)
	mr(c.ConfigSet(ctx, "block-cache", "1mb").Result()).of(t)
	eq(t, "block-cache", c.ConfigGet(ctx, "block-cache").Val()["block-cache"], "1048576")
	coldState(t, c)
	if got := coldState(t, c); got != want {
		t.Fatal("the stream reads differently with a 1 MB cache")
	}
	info := c.Info(ctx, "memory").Val()
	if !strings.Contains(info, "block_cache_max:1048576") || strings.Contains(info, "block_cache_hits:0\r") {
		t.Fatalf("INFO memory after reading twice through a 1 MB cache:\n%s", info)
	}
	// Pending entries in cold blocks are claimed with their fields.
	msgs := c.XClaim(ctx, &redis.XClaimArgs{Stream: "s", Group: "g", Consumer: "bob", Messages: []string{ids[300]}}).Val()
	if len(msgs) != 1 || msgs[0].Values["n"] != "300" {
		t.Fatalf("XCLAIM from a cold block: %v", msgs)
	}
}

// bgsave takes a background snapshot at a new LSN and waits for it, and
// for the block copies it may have started. (A snapshot at the LSN of the
// last one replaces it; the one before it stays, with what it references.)
func bgsave(t *testing.T, c *redis.Client) {
	t.Helper()
	mr(c.Incr(context.Background(), "snapshots").Result()).of(t)
	mr(c.BgSave(context.Background()).Result()).of(t)
	waitInfo(t, c, "rdb_bgsave_in_progress", "0")
	waitInfo(t, c, "blocks_queued", "0")
	time.Sleep(50 * time.Millisecond) // the last batch's report
}

// Block files whose blocks are all gone are deleted once no kept snapshot
// references them; files mostly dead have their live blocks copied
// forward first. The streams read the same throughout.
func TestBlockFilesSweptAndCompacted(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	cfg := broker.Config{Dir: dir, Fsync: wal.EverySec, ColdSync: true, BlockFileSize: 64 << 10,
		SnapshotInterval: -1, SnapshotAfterChanges: -1}
	addr, stop := testserver.StartConfig(t, cfg)
	c := gClient(t, addr, 2, 0)
	mr(c.ConfigSet(ctx, "stream-node-max-entries", "20").Result()).of(t)
	for range 10 { // the two streams share every file, keep a third of it
		fill(t, c, "keep", 200, 100)
		fill(t, c, "drop", 400, 100)
	}
	files := infoInt(t, c, "persistence", "block_files")
	if files < 10 {
		t.Fatalf("%d block files", files)
	}
	want := fmt.Sprint(c.XRange(ctx, "keep", "-", "+").Val())
	mr(c.Del(ctx, "drop").Result()).of(t)
	// Each snapshot compacts a couple of files; one is swept two
	// snapshots after its blocks moved.
	var copied, removed int64
	for i := 0; i < 20 && removed < files/2; i++ {
		bgsave(t, c)
		copied, removed = infoInt(t, c, "persistence", "blocks_copied"), infoInt(t, c, "persistence", "block_files_removed")
	}
	if copied == 0 || removed < files/2 {
		t.Fatalf("after dropping half of every file: %d blocks copied, %d of %d files removed", copied, removed, files)
	}
	if got := fmt.Sprint(c.XRange(ctx, "keep", "-", "+").Val()); got != want {
		t.Fatal("the stream reads differently after compaction")
	}
	mr(c.XTrimMaxLen(ctx, "keep", 10).Result()).of(t)
	for range 3 {
		bgsave(t, c)
	}
	if left := infoInt(t, c, "persistence", "block_files"); left > 2 {
		t.Fatalf("%d block files left for a stream of 10 entries", left)
	}
	want = fmt.Sprint(c.XRange(ctx, "keep", "-", "+").Val())
	c.Close()
	stop()
	addr, _ = testserver.StartConfig(t, cfg)
	c = gClient(t, addr, 2, 0)
	if got := fmt.Sprint(c.XRange(ctx, "keep", "-", "+").Val()); got != want {
		t.Fatal("the stream reads differently after a restart")
	}
}

// A damaged block is found when a command needs it: the command gets an
// error, the log names the file and offset, and everything else goes on.
func TestDamagedBlock(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	addr, stop := testserver.StartConfig(t, coldConfig(dir))
	c := gClient(t, addr, 2, 0)
	mr(c.ConfigSet(ctx, "stream-node-max-entries", "10").Result()).of(t)
	fill(t, c, "s", 1000, 50)
	c.Close()
	stop()
	path := filepath.Join(dir, "blocks", "00000001.blk")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b[2000] ^= 0x40 // in the third block or so, far from the file's tail
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	addr, _ = testserver.StartConfig(t, coldConfig(dir))
	c = gClient(t, addr, 2, 0)
	if err := c.XRange(ctx, "s", "-", "+").Err(); err == nil || err.Error() != "ERR internal error" {
		t.Fatalf("XRANGE over a damaged block: %v", err)
	}
	eq(t, "xlen", c.XLen(ctx, "s").Val(), int64(1000))
	if n := len(c.XRevRangeN(ctx, "s", "+", "-", 100).Val()); n != 100 {
		t.Fatalf("the blocks after the damage: %d entries", n)
	}
	mr(c.XAdd(ctx, &redis.XAddArgs{Stream: "s", Values: []any{"f", "v"}}).Result()).of(t)
}

// When block files cannot be written (a full disk), writes get MISCONF as
// when the log cannot be, reads go on, and once the disk takes them again
// everything resumes; nothing acknowledged is lost.
func TestBlockWriteFailure(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	var failing atomic.Bool
	faults := &blockstore.Faults{Write: func(write func() error) error {
		if failing.Load() {
			return syscall.ENOSPC
		}
		return write()
	}}
	addr, stop := testserver.StartConfig(t, broker.Config{Dir: dir, Fsync: wal.Always, BlockFaults: faults})
	c := gClient(t, addr, 2, 0)
	mr(c.ConfigSet(ctx, "stream-node-max-entries", "10").Result()).of(t)
	acked := fill(t, c, "s", 500, 50)
	failing.Store(true)
	var err error
	for deadline := time.Now().Add(5 * time.Second); err == nil; {
		var id string
		if id, err = c.XAdd(ctx, &redis.XAddArgs{Stream: "s", Values: []any{"f", "v"}}).Result(); err == nil {
			acked = append(acked, id)
		}
		if time.Now().After(deadline) {
			t.Fatal("writes still accepted while block files cannot be written")
		}
	}
	wantErr(t, err, "MISCONF Errors writing to the AOF file: No space left on device")
	eq(t, "status", infoField(t, c, "block_last_write_status"), "err")
	if e := infoField(t, c, "aof_last_write_error"); !strings.Contains(e, "no space left on device") {
		t.Fatalf("aof_last_write_error = %q", e)
	}
	eq(t, "xlen", c.XLen(ctx, "s").Val(), int64(len(acked)))
	failing.Store(false)
	waitInfo(t, c, "block_last_write_status", "ok")
	id := mr(c.XAdd(ctx, &redis.XAddArgs{Stream: "s", Values: []any{"f", "after"}}).Result()).of(t)
	acked = append(acked, id)
	c.Close()
	stop()
	addr, _ = testserver.StartDir(t, dir, wal.Always)
	c = gClient(t, addr, 2, 0)
	have := map[string]bool{}
	for _, m := range c.XRange(ctx, "s", "-", "+").Val() {
		have[m.ID] = true
	}
	for _, id := range acked {
		if !have[id] {
			t.Fatalf("acknowledged entry %s lost", id)
		}
	}
}
