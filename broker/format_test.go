package broker

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"testing"

	"sluice/kernel"
	"sluice/wal"
)

// testData copies a test data directory, so a test may change it.
func testData(t *testing.T, from string) string {
	t.Helper()
	to := filepath.Join(t.TempDir(), "data")
	copyDir(t, from, to)
	return to
}

// A data directory that the release before the effect log stopped cleanly
// (a snapshot, and log records it covers) loads with everything in it.
func TestFormat1CleanDirectoryLoads(t *testing.T) {
	s := start(t, testData(t, "testdata/format1-clean"))
	defer s.stop(t)
	for _, c := range []struct {
		args []any
		want string
	}{
		{[]any{"XRANGE", "orders", "-", "+"}, "[[1-0 [item book qty 1]] [2-0 [item pen qty 3]] [3-0 [item ink qty 2]]]"},
		{[]any{"XPENDING", "orders", "shipping"}, "[1 2-0 2-0 [[alice 1]]]"},
		{[]any{"XLEN", "events"}, "1"},
		{[]any{"PEXPIRETIME", "marker"}, "4102444800000"},
	} {
		if got := fmt.Sprint(s.do(t, c.args...)); got != c.want {
			t.Errorf("%v: %s, want %s", c.args, got, c.want)
		}
	}
	// The IDMP memory came through (its iid has long expired).
	info := s.do(t, "XINFO", "STREAM", "events").([]any)
	for i := 0; i+1 < len(info); i += 2 {
		if info[i] == "iids-added" && info[i+1] != int64(1) {
			t.Errorf("iids-added = %v, want 1", info[i+1])
		}
	}
}

// A directory whose log holds records in format 1 after its snapshot (the
// old release was killed) is refused with a message that says what to do.
func TestFormat1LogRefused(t *testing.T) {
	_, err := Open(Config{Dir: testData(t, "testdata/format1-crash"), Fsync: wal.Always, Databases: 16,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if !errors.Is(err, kernel.ErrOldFormat) {
		t.Fatalf("open: %v, want the log format 1 error", err)
	}
}

// A data directory written by the release whose log went through
// github.com/tidwall/wal (a snapshot at LSN 5, then XADDs, an XACK, a
// delivery and a SET under appendfsync always, then kill -9) loads with
// everything acknowledged, and its log goes on.
func TestTidwallDirectoryLoads(t *testing.T) {
	dir := testData(t, "testdata/tidwall-crash")
	want := []struct {
		args []any
		want string
	}{
		{[]any{"XLEN", "orders"}, "7"},
		{[]any{"XRANGE", "orders", "7-0", "+"}, "[[7-0 [item a7 qty 7]]]"},
		{[]any{"XPENDING", "orders", "shipping"}, "[2 2-0 3-0 [[alice 1] [bob 1]]]"},
		{[]any{"GET", "marker"}, "v"},
	}
	s := start(t, dir)
	for _, c := range want {
		if got := fmt.Sprint(s.do(t, c.args...)); got != c.want {
			t.Errorf("%v: %s, want %s", c.args, got, c.want)
		}
	}
	s.do(t, "XADD", "orders", "8-0", "item", "a8", "qty", "8")
	s.stop(t)

	s = start(t, dir)
	defer s.stop(t)
	if got := fmt.Sprint(s.do(t, "XRANGE", "orders", "7-0", "+")); got != "[[7-0 [item a7 qty 7]] [8-0 [item a8 qty 8]]]" {
		t.Errorf("after a restart: %s", got)
	}
}
