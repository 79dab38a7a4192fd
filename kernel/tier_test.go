package kernel_test

import (
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sluice/blockstore"
	"sluice/commands"
	"sluice/kernel"
	"sluice/snapshot"
)

// coldEngine is an engine whose sealed blocks all go cold before each
// reply, read back from their files every time (no cache).
func coldEngine(t *testing.T, clock *int64) (*kernel.Engine, *blockstore.Store) {
	t.Helper()
	st, err := blockstore.Open(blockstore.Options{Dir: t.TempDir(), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	e := kernel.New(kernel.Options{Commands: commands.Table(), Params: commands.Params(),
		Clock: func() int64 { return *clock }, Blocks: st, ColdSync: true})
	return e, st
}

// streamBytes is the data of every stream and the part of it in memory.
func streamBytes(e *kernel.Engine) (total, hot uint64) {
	e.Locked(func(c *kernel.Ctx) { total, hot = c.StreamBytes() })
	return total, hot
}

// Every command replies the same on streams whose sealed blocks are all
// cold (read back from disk for each use) as on streams kept in memory,
// and leaves the same state.
func TestColdRepliesEqualHot(t *testing.T) {
	for seed := range uint64(8) {
		clock := int64(1_700_000_000_000)
		hot := newEngine(&clock)
		cold, st := coldEngine(t, &clock)
		var hotLog, coldLog memLog
		hot.SetLog(&hotLog)
		cold.SetLog(&coldLog)
		r := rand.New(rand.NewPCG(seed, 5))
		runRandom(t, []*kernel.Engine{hot, cold}, &clock, r, 3000, true)
		if total, inMemory := streamBytes(cold); total > 2000 && inMemory*2 > total {
			t.Fatalf("seed %d: %d of %d stream bytes still in memory", seed, inMemory, total)
		}
		if s := st.Stats(); s.Misses < 100 {
			t.Fatalf("seed %d: only %d blocks read back", seed, s.Misses)
		}
		// Same effects logged: hot or cold is not a logical change.
		if len(hotLog.recs) != len(coldLog.recs) {
			t.Fatalf("seed %d: %d records hot, %d cold", seed, len(hotLog.recs), len(coldLog.recs))
		}
		for i := range hotLog.recs {
			if string(hotLog.recs[i].body) != string(coldLog.recs[i].body) {
				for j := max(0, i-3); j < min(len(hotLog.recs), i+3); j++ {
					t.Logf("%d\n%q\n%q", j+1, hotLog.recs[j].body, coldLog.recs[j].body)
				}
				t.Fatalf("seed %d: record %d differs", seed, i+1)
			}
		}
	}
}

// Replay of a cold run's log reaches the state the run left, cold blocks,
// their places and their deletion sets included.
func TestReplayEqualsLiveCold(t *testing.T) {
	for seed := range uint64(6) {
		clock := int64(1_700_000_000_000)
		live, _ := coldEngine(t, &clock)
		log := &memLog{}
		live.SetLog(log)
		runRandom(t, []*kernel.Engine{live}, &clock, rand.New(rand.NewPCG(seed, 7)), 2000, true)
		want := dump(t, live)

		replayed, _ := coldEngine(t, &clock)
		for i, rec := range log.recs {
			if err := replayed.Replay(uint64(i+1), rec.typ, rec.body); err != nil {
				t.Fatalf("seed %d: %v", seed, err)
			}
		}
		if got := dump(t, replayed); got != want {
			t.Fatalf("seed %d: replayed state differs from the live one (%d records)", seed, len(log.recs))
		}
		if total, inMemory := streamBytes(live); total > 2000 && inMemory*2 > total {
			t.Fatalf("seed %d: %d of %d stream bytes in memory: the test proves little", seed, inMemory, total)
		}
	}
}

// Compaction copies a file's live blocks forward: afterwards no block of
// the stream is in the files it compacted, and the stream reads the same.
func TestCompactMovesLiveBlocks(t *testing.T) {
	clock := int64(1_700_000_000_000)
	st, err := blockstore.Open(blockstore.Options{Dir: t.TempDir(), FileSize: 32 << 10,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	e := kernel.New(kernel.Options{Commands: commands.Table(), Params: commands.Params(),
		Clock: func() int64 { return clock }, Blocks: st, ColdSync: true})
	st.Start(e.BlocksWritten)
	cl := e.NewClient()
	run := func(args ...string) string {
		argv := make([][]byte, len(args))
		for i, a := range args {
			argv[i] = []byte(a)
		}
		cmd, msg := e.Commands().Check(argv)
		if cmd == nil {
			t.Fatal(msg)
		}
		var w recorder
		e.Exec(cl, cmd, argv, &w)
		return w.String()
	}
	run("CONFIG", "SET", "stream-node-max-entries", "10")
	for i := range 3000 {
		clock++
		run("XADD", "a", "*", "v", fmt.Sprint(i))
		run("XADD", "b", "*", "v", strings.Repeat("x", 40))
	}
	run("DEL", "b")
	want := run("XRANGE", "a", "-", "+")
	refs := func() map[uint32]int64 {
		snap, _, err := e.Capture()
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(t.TempDir(), "snap")
		info, err := snapshot.Write(path, snap)
		if err != nil {
			t.Fatal(err)
		}
		return info.Refs
	}
	before := refs()
	cands := st.Candidates(st.Pin(), before, 100)
	if len(cands) < 3 {
		t.Fatalf("compaction candidates %v of files %v", cands, before)
	}
	if n := e.Compact(cands); n == 0 {
		t.Fatal("nothing to copy")
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		after := refs()
		moved := true
		for _, f := range cands {
			moved = moved && after[f] == 0
		}
		if moved {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("blocks still in compacted files: %v (compacted %v)", after, cands)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if got := run("XRANGE", "a", "-", "+"); got != want {
		t.Fatal("the stream reads differently after compaction")
	}
}
