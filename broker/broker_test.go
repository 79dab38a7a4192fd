package broker

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"sluice/blockstore"
	"sluice/groups"
	"sluice/kernel"
	"sluice/snapshot"
	"sluice/streams"
	"sluice/wal"
)

// server is a broker under test with its log output.
type server struct {
	b    *Broker
	rdb  *redis.Client
	logs *syncBuffer
	done chan struct{}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func start(t *testing.T, dir string) *server {
	t.Helper()
	return startConfig(t, Config{Dir: dir, Fsync: wal.Always})
}

// startConfig starts cfg with 16 databases and the logs captured.
func startConfig(t *testing.T, cfg Config) *server {
	t.Helper()
	s := &server{logs: &syncBuffer{}, done: make(chan struct{})}
	cfg.Databases = 16
	cfg.Logger = slog.New(slog.NewTextHandler(s.logs, nil))
	b, err := Open(cfg)
	if err != nil {
		t.Fatalf("open: %v\n%s", err, s.logs)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.b = b
	go func() {
		defer close(s.done)
		b.Serve(ln)
	}()
	s.rdb = redis.NewClient(&redis.Options{Addr: ln.Addr().String(), Protocol: 2})
	return s
}

func (s *server) stop(t *testing.T) {
	t.Helper()
	s.rdb.Close()
	if err := s.b.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	<-s.done
}

func (s *server) do(t *testing.T, args ...any) any {
	t.Helper()
	v, err := s.rdb.Do(context.Background(), args...).Result()
	if err != nil {
		t.Fatalf("%v: %v", args, err)
	}
	return v
}

// xadds appends n entries to key with values from first on.
func (s *server) xadds(t *testing.T, key string, first, n int) {
	for i := first; i < first+n; i++ {
		s.do(t, "XADD", key, "*", "n", i)
	}
}

func (s *server) xlen(t *testing.T, key string) int64 {
	return s.do(t, "XLEN", key).(int64)
}

func TestShutdownSnapshotReplaysNothing(t *testing.T) {
	dir := t.TempDir()
	s := start(t, dir)
	s.xadds(t, "s", 0, 300)
	s.do(t, "XGROUP", "CREATE", "s", "g", "0")
	s.do(t, "XREADGROUP", "GROUP", "g", "c", "COUNT", "10", "STREAMS", "s", ">")
	s.do(t, "SET", "k", "v", "PX", "100000")
	s.stop(t)

	s = start(t, dir)
	defer s.stop(t)
	if !strings.Contains(s.logs.String(), "records_replayed=0") {
		t.Fatalf("restart after a clean shutdown replayed records:\n%s", s.logs)
	}
	if n := s.xlen(t, "s"); n != 300 {
		t.Fatalf("XLEN %d after restart", n)
	}
	if p := s.do(t, "XPENDING", "s", "g").([]any); p[0].(int64) != 10 {
		t.Fatalf("XPENDING %v", p)
	}
	if ttl := s.do(t, "PTTL", "k").(int64); ttl <= 0 || ttl > 100000 {
		t.Fatalf("PTTL %d", ttl)
	}
}

// The newest snapshot damaged: it is set aside and the one before it, with
// the longer log kept for this case, recovers everything.
func TestDamagedSnapshotFallsBack(t *testing.T) {
	dir := t.TempDir()
	s := start(t, dir)
	s.xadds(t, "s", 0, 100)
	s.do(t, "SAVE")
	s.xadds(t, "s", 100, 100)
	s.do(t, "SAVE")
	s.xadds(t, "s", 200, 100)
	s.stop(t)

	files, err := snapshot.List(dir)
	if err != nil || len(files) != 2 {
		t.Fatalf("snapshots %v %v: want the newest and the one before", files, err)
	}
	flipByte(t, files[0].Path, 200)

	s = start(t, dir)
	defer s.stop(t)
	if !strings.Contains(s.logs.String(), "SNAPSHOT DAMAGED") {
		t.Fatalf("no loud error about the damaged snapshot:\n%s", s.logs)
	}
	if _, err := os.Stat(files[0].Path + ".broken"); err != nil {
		t.Fatalf("damaged snapshot not set aside: %v", err)
	}
	if n := s.xlen(t, "s"); n != 300 {
		t.Fatalf("XLEN %d after falling back, want 300", n)
	}
	if got := s.do(t, "XREVRANGE", "s", "+", "-", "COUNT", 1).([]any); fmt.Sprint(got[0].([]any)[1]) != "[n 299]" {
		t.Fatalf("last entry %v", got)
	}
}

// Without a snapshot that the log continues, recovery refuses to start.
func TestLogGapRefused(t *testing.T) {
	dir := t.TempDir()
	s := start(t, dir)
	s.xadds(t, "s", 0, 50)
	s.do(t, "SAVE")
	s.xadds(t, "s", 50, 50)
	s.do(t, "SAVE")
	s.xadds(t, "s", 100, 10)
	s.stop(t)
	// Snapshots only drop whole log segments; cut this small log by hand so
	// that it starts after the oldest snapshot, as a long-running one does.
	files, _ := snapshot.List(dir)
	if err := truncateLog(dir, files[len(files)-1].LSN); err != nil {
		t.Fatal(err)
	}
	files, _ = snapshot.List(dir)
	for _, f := range files {
		if err := os.Rename(f.Path, f.Path+".moved"); err != nil {
			t.Fatal(err)
		}
	}
	_, err := Open(Config{Dir: dir, Fsync: wal.Always, Logger: slog.New(slog.DiscardHandler)})
	if err == nil || !strings.Contains(err.Error(), "missing") {
		t.Fatalf("open with a log gap: %v", err)
	}
}

func TestSaveCommands(t *testing.T) {
	s := start(t, t.TempDir())
	defer s.stop(t)
	before := s.do(t, "LASTSAVE").(int64)
	s.xadds(t, "s", 0, 10)
	if v := s.do(t, "BGSAVE"); v != "Background saving started" {
		t.Fatalf("BGSAVE: %v", v)
	}
	// Until it finishes, another BGSAVE is refused and SCHEDULE queues.
	for s.b.snap.running.Load() {
		err := s.rdb.Do(context.Background(), "BGSAVE").Err()
		if err != nil && err.Error() != "ERR Background save already in progress" {
			t.Fatalf("second BGSAVE: %v", err)
		}
	}
	if v := s.do(t, "BGSAVE", "SCHEDULE"); v != "Background saving started" && v != "Background saving scheduled" {
		t.Fatalf("BGSAVE SCHEDULE: %v", v)
	}
	if err := s.rdb.Do(context.Background(), "BGSAVE", "NOW").Err(); err == nil || !strings.Contains(err.Error(), "syntax") {
		t.Fatalf("BGSAVE NOW: %v", err)
	}
	waitIdle(s)
	s.do(t, "SAVE")
	if after := s.do(t, "LASTSAVE").(int64); after < before {
		t.Fatalf("LASTSAVE went from %d to %d", before, after)
	}
	info := s.do(t, "INFO", "persistence").(string)
	for _, want := range []string{"rdb_changes_since_last_save:0", "aof_enabled:1", "rdb_last_bgsave_status:ok", "rdb_bgsave_in_progress:"} {
		if !strings.Contains(info, want) {
			t.Fatalf("INFO persistence lacks %q:\n%s", want, info)
		}
	}
}

// A snapshot taken while writers run holds exactly the state that the log
// up to its LSN produces.
func TestSnapshotWhileWriting(t *testing.T) {
	dir := t.TempDir()
	s := start(t, dir)
	s.do(t, "XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ctx.Err() == nil; i++ {
				s.rdb.Do(ctx, "XADD", "s", "*", "w", w, "i", i)
				s.rdb.Do(ctx, "SET", fmt.Sprint("k", w), i)
				if i%5 == 0 {
					s.rdb.Do(ctx, "XREADGROUP", "GROUP", "g", fmt.Sprint("c", w), "COUNT", 3, "STREAMS", "s", ">")
				}
				if i%7 == 0 {
					s.rdb.Do(ctx, "XTRIM", "s", "MAXLEN", "~", 500)
				}
			}
		}()
	}
	for s.xlen(t, "s") < 300 {
		time.Sleep(time.Millisecond)
	}
	s.do(t, "BGSAVE")
	for s.b.snap.lastLSN.Load() == 0 {
		waitIdle(s)
	}
	files, _ := snapshot.List(dir)
	cancel()
	wg.Wait()
	snap, _, err := snapshot.Load(files[0].Path)
	if err != nil {
		t.Fatal(err)
	}
	walCopy := filepath.Join(t.TempDir(), "wal")
	copyDir(t, filepath.Join(dir, "wal"), walCopy)
	s.stop(t)
	blocks, err := blockstore.Open(blockstore.Options{Dir: filepath.Join(dir, "blocks")})
	if err != nil {
		t.Fatal(err)
	}
	defer blocks.Close()

	// Replay the log up to the snapshot's LSN into a fresh kernel.
	eng := kernel.New(kernel.Options{Logger: slog.New(slog.DiscardHandler)})
	l, err := wal.Open(wal.Options{Dir: walCopy, Fsync: wal.No})
	if err != nil {
		t.Fatal(err)
	}
	errStop := errors.New("stop")
	err = l.Replay(0, func(r wal.Record) error {
		if r.LSN > snap.LSN {
			return errStop
		}
		return eng.Replay(r.LSN, r.Type, r.Body)
	})
	l.Close()
	if !errors.Is(err, errStop) {
		t.Fatalf("replay: %v", err)
	}
	replayed, _, err := eng.Capture()
	if err != nil {
		t.Fatal(err)
	}
	if a, b := describe(t, snap, blocks), describe(t, replayed, nil); a != b {
		t.Fatalf("snapshot at LSN %d differs from the log replayed to it:\n%s\n%s", snap.LSN, a, b)
	}
}

// waitIdle waits for a background snapshot to end.
func waitIdle(s *server) {
	for s.b.snap.running.Load() {
		time.Sleep(time.Millisecond)
	}
}

// encode serializes a state canonically: keys sorted, time zeroed.
// describe renders what a state holds, reading cold stream blocks from
// src: a snapshot and a replay agree on it whichever blocks went cold.
func describe(t *testing.T, st *snapshot.State, src streams.Source) string {
	t.Helper()
	slices.SortFunc(st.Keys, func(a, b snapshot.Key) int {
		if a.DB != b.DB {
			return a.DB - b.DB
		}
		return strings.Compare(a.Name, b.Name)
	})
	var b strings.Builder
	fmt.Fprintf(&b, "lsn=%d config=%v\n", st.LSN, st.Config)
	for _, k := range st.Keys {
		fmt.Fprintf(&b, "%d %q expire=%d", k.DB, k.Name, k.Expire)
		if k.Stream == nil {
			fmt.Fprintf(&b, " %q\n", k.String)
			continue
		}
		s := k.Stream
		s.SetSource(src)
		fmt.Fprintf(&b, " len=%d first=%v last=%v maxdel=%v added=%d bytes=%d idmp=%+v\n",
			s.Len(), s.FirstID(), s.LastID(), s.MaxDeletedID(), s.EntriesAdded(), s.Bytes(), s.IDMP)
		s.EachBlock(func(x streams.Block) bool {
			fmt.Fprintf(&b, "[%v %v %d %d %d]", x.First, x.Last, x.Live, x.Deleted, x.LPBytes)
			return true
		})
		s.Range(streams.MinID, streams.MaxID, false, func(id streams.ID, fv [][]byte) bool {
			fmt.Fprintf(&b, " %v%q", id, fv)
			return true
		})
		for _, g := range s.Groups {
			fmt.Fprintf(&b, "\ngroup %s %v %d", g.Name(), g.LastID(), g.EntriesRead())
			g.Consumers(func(c *groups.Consumer) bool {
				fmt.Fprintf(&b, " %s %d %d %d", c.Name(), c.SeenTime(), c.ActiveTime(), c.PendingLen())
				return true
			})
			g.ScanByID(func(n groups.NACK) bool {
				owner := "-"
				if o := g.Owner(n); o != nil {
					owner = o.Name()
				}
				fmt.Fprintf(&b, " %v %s %d %d %d", n.ID, owner, n.DeliveryTime, n.DeliveryCount, n.Order())
				return true
			})
		}
		b.WriteString("\n")
	}
	return b.String()
}

func flipByte(t *testing.T, path string, off int64) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b[off] ^= 0x40
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func copyDir(t *testing.T, from, to string) {
	t.Helper()
	if err := os.CopyFS(to, os.DirFS(from)); err != nil {
		t.Fatal(err)
	}
}

func TestConfigParams(t *testing.T) {
	s := start(t, t.TempDir())
	defer s.stop(t)
	s.do(t, "CONFIG", "SET", "appendfsync", "no")
	if got := s.do(t, "CONFIG", "GET", "appendfsync"); fmt.Sprint(got) != "[appendfsync no]" || s.b.wal.Policy() != wal.No {
		t.Fatalf("after CONFIG SET appendfsync no: %v, log policy %v", got, s.b.wal.Policy())
	}
	if err := s.rdb.Do(context.Background(), "CONFIG", "SET", "appendfsync", "sometimes").Err(); err == nil {
		t.Fatal("invalid appendfsync accepted")
	}
	if got := fmt.Sprint(s.do(t, "CONFIG", "GET", "dir")); !strings.HasPrefix(got, "[dir /") {
		t.Fatalf("CONFIG GET dir: %v", got)
	}
	s.do(t, "CONFIG", "SET", "requirepass", "secret")
	other := redis.NewClient(&redis.Options{Addr: s.rdb.Options().Addr, Protocol: 2})
	defer other.Close()
	if err := other.Do(context.Background(), "XLEN", "s").Err(); err == nil || !strings.HasPrefix(err.Error(), "NOAUTH") {
		t.Fatalf("new connection without AUTH after CONFIG SET requirepass: %v", err)
	}
}

func TestDataDirLocked(t *testing.T) {
	dir := t.TempDir()
	s := start(t, dir)
	_, err := Open(Config{Dir: dir, Fsync: wal.Always, Logger: slog.New(slog.DiscardHandler)})
	if err == nil || !strings.Contains(err.Error(), "in use") {
		t.Fatalf("second broker on one data dir: %v", err)
	}
	s.stop(t)
	start(t, dir).stop(t)
}

// truncateLog makes a stopped broker's log start after lsn, as a long
// running one's does: a log numbered from lsn+1 gets the records after lsn.
func truncateLog(dir string, lsn uint64) error {
	quiet := slog.New(slog.DiscardHandler)
	from, to := filepath.Join(dir, "wal"), filepath.Join(dir, "wal.new")
	old, err := wal.Open(wal.Options{Dir: from, Fsync: wal.No, Logger: quiet})
	if err != nil {
		return err
	}
	cut, err := wal.Open(wal.Options{Dir: to, Fsync: wal.Always, Logger: quiet})
	if err != nil {
		return errors.Join(err, old.Close())
	}
	err = cut.SetStart(lsn)
	if err == nil {
		err = old.Replay(lsn, func(r wal.Record) error {
			_, err := cut.Append(r.Type, r.Body)
			return err
		})
	}
	if err := errors.Join(err, cut.Close(), old.Close()); err != nil {
		return err
	}
	if err := os.RemoveAll(from); err != nil {
		return err
	}
	return os.Rename(to, from)
}

// A snapshot is due once the log has grown logGrowth times the last
// snapshot's size since that snapshot, not counting the records its
// truncation keeps (those since the snapshot before it): otherwise each
// snapshot of a long stream would make the next one due at once.
func TestSnapshotDueAfterLogGrowth(t *testing.T) {
	s := startConfig(t, Config{Dir: t.TempDir(), Fsync: wal.No, SnapshotInterval: -1, SnapshotAfterChanges: 1, ColdSync: true})
	defer s.stop(t)
	pipe := func(n int) {
		p := s.rdb.Pipeline()
		for i := range n {
			p.Do(context.Background(), "XADD", "s", "*", "f", strings.Repeat("x", 100), "i", i)
		}
		if _, err := p.Exec(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	for range 2 { // two snapshots, so that truncation keeps a log
		pipe(20000)
		s.do(t, "SAVE")
	}
	kept, size := s.b.wal.Size(), s.b.snap.lastSize.Load()
	if kept < logGrowth*size {
		t.Fatalf("the kept log (%d bytes) is less than %d times the snapshot (%d): the test proves nothing", kept, logGrowth, size)
	}
	// The background loop snapshots as soon as one is due: a new LSN
	// counts as due.
	saved := s.b.snap.lastLSN.Load()
	due := func() bool { return s.b.snap.due() || s.b.snap.lastLSN.Load() != saved }
	pipe(100)
	if due() {
		t.Fatalf("due after 100 XADDs: log %d bytes, %d kept, snapshot %d", s.b.wal.Size(), kept, size)
	}
	for !due() {
		pipe(1000)
		if grown := s.b.wal.Size() - kept; grown > 2*logGrowth*size {
			t.Fatalf("not due after the log grew %d bytes; snapshot %d bytes", grown, size)
		}
	}
}
