package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

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
	l, err := wal.Open(wal.Options{Dir: filepath.Join(dir, "wal"), Fsync: wal.Always})
	if err != nil {
		t.Fatal(err)
	}
	for range 10 {
		if _, err := l.Append(1, []byte("record")); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Sync(); err != nil {
		t.Fatal(err)
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
