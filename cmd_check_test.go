package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"

	"sluice/broker"
	"sluice/internal/testserver"
	"sluice/snapshot"
	"sluice/wal"
)

func check(t *testing.T, dir string, wantOK bool, want string) {
	t.Helper()
	var out strings.Builder
	if ok := checkDir(&out, dir); ok != wantOK || !strings.Contains(out.String(), want) {
		t.Fatalf("check: ok=%v, want %v and %q in:\n%s", ok, wantOK, want, out.String())
	}
}

func TestCheckDir(t *testing.T) {
	dir := t.TempDir()
	// Tiny segments, one record each: the log drops whole segments only.
	l, err := wal.Open(wal.Options{Dir: filepath.Join(dir, "wal"), Fsync: wal.Always, SegmentSize: 1})
	if err != nil {
		t.Fatal(err)
	}
	for range 10 {
		lsn, err := l.Append(1, []byte("record"))
		if err == nil {
			err = l.Wait(lsn)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	check(t, dir, true, "recovery: from LSN 0, replaying 10 records")

	tmp := snapshot.TempPath(dir, 5)
	if _, err := snapshot.Write(tmp, &snapshot.State{LSN: 5, Keys: []snapshot.Key{{Name: "k", String: []byte("v")}}}); err != nil {
		t.Fatal(err)
	}
	path, err := snapshot.Commit(tmp)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.TruncateFront(5); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	check(t, dir, true, "recovery: from LSN 5, replaying 5 records")

	// The only snapshot damaged: the log no longer reaches back far enough.
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	data[len(data)-10] ^= 1
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	check(t, dir, false, "DAMAGED")
	check(t, dir, false, "GAP: the log starts at LSN 6")
}

// lastBody is the offset of the last record's body in the segment at path.
func lastBody(t *testing.T, path string) int {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var last int
	for off := 0; off < len(data); {
		size, n := binary.Uvarint(data[off:])
		last = off + n
		off += n + int(size)
	}
	return last + 5 // past the type byte and the CRC
}

// TestCheckDamagedLastRecord: a complete last record whose CRC fails is
// damage, not a torn tail: check fails, unless the snapshot covers it.
func TestCheckDamagedLastRecord(t *testing.T) {
	dir := t.TempDir()
	l, err := wal.Open(wal.Options{Dir: filepath.Join(dir, "wal"), Fsync: wal.Always})
	if err != nil {
		t.Fatal(err)
	}
	for range 10 {
		if _, err := l.Append(1, []byte("record")); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	seg := filepath.Join(dir, "wal", "00000000000000000001")
	data, err := os.ReadFile(seg)
	if err != nil {
		t.Fatal(err)
	}
	data[lastBody(t, seg)] ^= 0x40
	if err := os.WriteFile(seg, data, 0o644); err != nil {
		t.Fatal(err)
	}
	check(t, dir, false, "CORRUPT: wal: corrupt log: segment "+seg+" at LSN 10: checksum mismatch")

	tmp := snapshot.TempPath(dir, 10)
	if _, err := snapshot.Write(tmp, &snapshot.State{LSN: 10}); err != nil {
		t.Fatal(err)
	}
	if _, err := snapshot.Commit(tmp); err != nil {
		t.Fatal(err)
	}
	check(t, dir, true, "log: damaged records the snapshot at LSN 10 covers (recovery passes over them): segment "+seg+" LSN [10]")
}

// check names the file and offset of a damaged block, and tells damage a
// snapshot references (lost data: it fails) from a torn tail (harmless).
func TestCheckBlocks(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	addr, stop := testserver.StartConfig(t, broker.Config{Dir: dir, Fsync: wal.Always, ColdSync: true, BlockCache: -1})
	c := redis.NewClient(&redis.Options{Addr: addr})
	if err := c.ConfigSet(ctx, "stream-node-max-entries", "10").Err(); err != nil {
		t.Fatal(err)
	}
	for i := range 500 {
		if err := c.XAdd(ctx, &redis.XAddArgs{Stream: "s", Values: []any{"i", i}}).Err(); err != nil {
			t.Fatal(err)
		}
	}
	c.Close()
	stop() // the shutdown snapshot references every sealed block
	check(t, dir, true, "blocks: the 49 blocks the snapshot references read back intact")

	path := filepath.Join(dir, "blocks", "00000001.blk")
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	fi, _ := f.Stat()
	f.Write(bytes.Repeat([]byte{1}, 60)) // half a record: a crash in a write
	f.Close()
	check(t, dir, true, fmt.Sprintf("blocks: 00000001.blk: torn tail at offset %d, 60 bytes", fi.Size()))

	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	data[3000] ^= 1
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	check(t, dir, false, "(the snapshot references it)")
	check(t, dir, false, "blocks: DAMAGED: a block the snapshot references does not read back: blockstore: 00000001.blk offset")
	check(t, dir, false, "blocks: 1 of the 49 blocks the snapshot references are lost")
}
