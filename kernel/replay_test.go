package kernel_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"sluice/commands"
	"sluice/kernel"
	"sluice/snapshot"
)

// memLog keeps records in memory, as the write-ahead log would.
type memLog struct {
	recs []memRec
}

type memRec struct {
	typ  byte
	body []byte
}

func (l *memLog) Append(typ byte, body []byte) (uint64, error) {
	l.recs = append(l.recs, memRec{typ, append([]byte(nil), body...)})
	return uint64(len(l.recs)), nil
}

func newEngine(clock *int64) *kernel.Engine {
	return kernel.New(kernel.Options{Commands: commands.Table(), Params: commands.Params(),
		Clock: func() int64 { return *clock }})
}

// dump renders an engine's whole state as its snapshot bytes.
func dump(t *testing.T, e *kernel.Engine) string {
	t.Helper()
	st, _, err := e.Capture()
	if err != nil {
		t.Fatal(err)
	}
	st.Time = 0
	slices.SortFunc(st.Keys, func(a, b snapshot.Key) int {
		return strings.Compare(fmt.Sprint(a.DB, a.Name), fmt.Sprint(b.DB, b.Name))
	})
	path := filepath.Join(t.TempDir(), "dump")
	if _, err := snapshot.Write(path, st); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// load reads back a state dump wrote.
func load(t *testing.T, dumped string) *snapshot.State {
	t.Helper()
	path := filepath.Join(t.TempDir(), "load")
	if err := os.WriteFile(path, []byte(dumped), 0o600); err != nil {
		t.Fatal(err)
	}
	st, _, err := snapshot.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// randomCommands runs n random commands from every family that changes
// state, including blocked readers served by later writes and config
// changes that decide how later commands behave.
func randomCommands(t testing.TB, e *kernel.Engine, clock *int64, r *rand.Rand, n int) {
	t.Helper()
	runRandom(t, []*kernel.Engine{e}, clock, r, n, false)
}

// runRandom runs the same n random commands on every engine, which must
// give the same replies to each (reads too, with reads set).
func runRandom(t testing.TB, es []*kernel.Engine, clock *int64, r *rand.Rand, n int, reads bool) {
	t.Helper()
	table := es[0].Commands()
	keys := []string{"s0", "s1", "s2"}
	groups := []string{"g0", "g1"}
	consumers := []string{"c0", "c1", "c2"}
	var ids []string
	pick := func(xs []string) string { return xs[r.IntN(len(xs))] }
	anyID := func() string {
		if len(ids) == 0 || r.IntN(8) == 0 {
			return fmt.Sprintf("%d-%d", r.IntN(int(*clock)+1), r.IntN(3))
		}
		return ids[r.IntN(len(ids))]
	}
	clients := make([][]*kernel.Client, len(es))
	for i, e := range es {
		clients[i] = make([]*kernel.Client, 6)
		for j := range clients[i] {
			clients[i][j] = e.NewClient()
		}
	}
	kinds := 36
	if reads {
		kinds = 46
	}
	for range n {
		*clock += int64(r.IntN(40))
		s, g, cn := pick(keys), pick(groups), pick(consumers)
		var args []string
		switch r.IntN(kinds) {
		case 0, 1, 2, 3:
			args = []string{"XADD", s, "*", "f", fmt.Sprint(r.IntN(8))}
		case 4:
			args = []string{"XADD", s, "MAXLEN", "~", fmt.Sprint(r.IntN(30)), "*", "f", "x", "g", "y"}
		case 5:
			args = []string{"XADD", s, pick([]string{"KEEPREF", "DELREF", "ACKED"}), "MINID", pick([]string{"=", "~"}), anyID(), "*", "f", "v"}
		case 6:
			args = []string{"XADD", s, "IDMP", cn, fmt.Sprint(r.IntN(6)), "*", "f", "v"}
		case 7:
			args = []string{"XDEL", s, anyID(), anyID()}
		case 8:
			args = []string{"XTRIM", s, "MAXLEN", pick([]string{"=", "~"}), fmt.Sprint(r.IntN(20)), pick([]string{"KEEPREF", "DELREF", "ACKED"})}
		case 9:
			args = []string{"XGROUP", "CREATE", s, g, pick([]string{"0", "$"}), "MKSTREAM"}
		case 10, 11, 12:
			args = []string{"XREADGROUP", "GROUP", g, cn, "COUNT", fmt.Sprint(1 + r.IntN(4)), "STREAMS", s, ">"}
		case 13:
			args = []string{"XREADGROUP", "GROUP", g, cn, "BLOCK", "0", "STREAMS", s, ">"}
		case 14:
			args = []string{"XREADGROUP", "GROUP", g, cn, "COUNT", "3", "CLAIM", fmt.Sprint(r.IntN(50)), "STREAMS", s, ">"}
		case 15:
			args = []string{"XREADGROUP", "GROUP", g, cn, "STREAMS", s, "0"}
		case 16:
			args = []string{"XACK", s, g, anyID(), anyID()}
		case 17:
			args = []string{"XCLAIM", s, g, cn, fmt.Sprint(r.IntN(30)), anyID(), anyID(), pick([]string{"FORCE", "JUSTID", "LASTID"}), anyID()}
		case 18:
			args = []string{"XAUTOCLAIM", s, g, cn, fmt.Sprint(r.IntN(30)), "0", "COUNT", "2"}
		case 19:
			args = []string{"XNACK", s, g, pick([]string{"SILENT", "FAIL", "FATAL"}), "IDS", "2", anyID(), anyID(), "FORCE"}
		case 20:
			args = []string{"XACKDEL", s, g, pick([]string{"KEEPREF", "DELREF", "ACKED"}), "IDS", "1", anyID()}
		case 21:
			args = []string{"XDELEX", s, pick([]string{"KEEPREF", "DELREF", "ACKED"}), "IDS", "1", anyID()}
		case 22:
			args = []string{"XGROUP", pick([]string{"SETID", "DELCONSUMER", "CREATECONSUMER", "SETID"}), s, g}
			switch args[1] {
			case "SETID":
				args = append(args, anyID())
			case "DELCONSUMER", "CREATECONSUMER":
				args = append(args, cn)
			}
		case 23:
			args = []string{"XCFGSET", s, "IDMP-MAXSIZE", fmt.Sprint(1 + r.IntN(4))}
		case 24:
			args = []string{"CONFIG", "SET", pick([]string{"stream-node-max-entries", "stream-idmp-maxsize"}), fmt.Sprint(2 + r.IntN(6))}
		case 25:
			args = []string{"XSETID", s, fmt.Sprintf("%d-9", *clock+int64(r.IntN(9)))}
		case 26:
			args = []string{pick([]string{"SET", "APPEND"}), pick([]string{"k0", "k1", "s2"}), fmt.Sprint(r.IntN(9))}
		case 27:
			args = []string{pick([]string{"EXPIRE", "PERSIST", "DEL"}), pick([]string{"k0", "s2"})}
			if args[0] == "EXPIRE" {
				args = append(args, fmt.Sprint(1+r.IntN(100)))
			}
		case 28:
			// Keys s0 and s1 keep their groups; s2 is the one that goes.
			args = []string{pick([]string{"RENAME", "COPY", "XGROUPDESTROY"}), pick(keys), "s2"}
			if args[0] == "XGROUPDESTROY" {
				args = []string{"XGROUP", "DESTROY", "s2", g}
			}
		case 29:
			args = []string{"INCR", "k2"}
		case 30:
			args = []string{"XCFGSET", s, "MAXLEN", fmt.Sprint(r.IntN(40)), "DISCARD", pick([]string{"OLD", "NEW", "ACKED"}),
				"MAXAGE", pick([]string{"0", "0", "500"})}
		case 31:
			args = []string{"XGROUP", "CONFIG", s, g, "MAXDELIVER", fmt.Sprint(r.IntN(4)), "ACKWAIT", pick([]string{"0", "20"})}
		case 32:
			args = []string{"XGROUP", "REDRIVE", s, g, "COUNT", fmt.Sprint(1 + r.IntN(3))}
		case 33:
			args = []string{"XNACK", s, g, "FATAL", "IDS", "1", anyID()}
		case 34, 35:
			// Entries held for their key's turn, and ORDERBY off to drain
			// them (a change of field while some are held is refused).
			args = []string{"XGROUP", "CONFIG", s, g, "ORDERBY", pick([]string{"f", "f", "g", ""})}
		case 36, 37:
			args = []string{pick([]string{"XRANGE", "XREVRANGE"}), s, pick([]string{"-", anyID()}), pick([]string{"+", anyID()}),
				"COUNT", fmt.Sprint(1 + r.IntN(40))}
			if args[0] == "XREVRANGE" {
				args[2], args[3] = args[3], args[2]
			}
		case 38:
			args = []string{"XREAD", "COUNT", fmt.Sprint(1 + r.IntN(20)), "STREAMS", s, pick([]string{"0", "+", anyID()})}
		case 39:
			args = []string{"XPENDING", s, g, "-", "+", "10", pick(consumers)}
		case 40:
			args = []string{"XINFO", "STREAM", s, "FULL", "COUNT", fmt.Sprint(r.IntN(5))}
		case 41:
			args = []string{"XINFO", "STREAM", s}
		case 42:
			args = []string{"XCLAIM", s, g, cn, "0", anyID(), anyID()}
		case 43:
			args = []string{"XAUTOCLAIM", s, g, cn, "0", "0", "COUNT", "5"}
		case 44:
			args = []string{"XLEN", s}
		case 45:
			args = []string{"XREADGROUP", "GROUP", g, cn, "COUNT", "5", "STREAMS", s, anyID()}
		}
		argv := make([][]byte, len(args))
		for i, a := range args {
			argv[i] = []byte(a)
		}
		cmd, msg := table.Check(argv)
		if cmd == nil {
			t.Fatalf("%v: %s", args, msg)
		}
		ci := r.IntN(6)
		var want string
		for i, e := range es {
			cl := clients[i][ci]
			if cl.Blocked() {
				break // still waiting for an entry: a write will serve it
			}
			var b recorder
			e.Exec(cl, cmd, argv, &b)
			e.ServeReady()
			if i == 0 {
				want = b.String()
				if args[0] == "XADD" && len(b.bulks) == 1 {
					ids = append(ids, b.bulks[0])
				}
			} else if got := b.String(); got != want {
				t.Fatalf("%v: engine %d replied\n%s\nengine 0\n%s", args, i, got, want)
			}
		}
	}
}

// recorder renders every call of a reply, so that two replies compare,
// and keeps its bulk strings (IDs, to aim later commands at). The values
// of XINFO STREAM's hot-bytes and cold-bytes are left out: they say where
// the entries are, which is all that differs between hot and cold.
type recorder struct {
	strings.Builder
	bulks []string
	marks int
	at    map[int]int // where each mark's part begins, for Truncate
	tier  bool        // the next Int is a hot-bytes or cold-bytes value
}

func (w *recorder) Array(n int)     { fmt.Fprintf(w, "*%d ", n) }
func (w *recorder) Map(n int)       { fmt.Fprintf(w, "%%%d ", n) }
func (w *recorder) Set(n int)       { fmt.Fprintf(w, "~%d ", n) }
func (w *recorder) Bulk(x []byte)   { w.BulkString(string(x)) }
func (w *recorder) Status(s string) { fmt.Fprintf(w, "+%s ", s) }
func (w *recorder) Error(s string)  { fmt.Fprintf(w, "-%s ", s) }
func (w *recorder) Int(n int64) {
	if w.tier {
		w.tier = false
		return
	}
	fmt.Fprintf(w, ":%d ", n)
}
func (w *recorder) Double(f float64) { fmt.Fprintf(w, ",%v ", f) }
func (w *recorder) Null()            { w.WriteString("_ ") }
func (w *recorder) NullArray()       { w.WriteString("*-1 ") }
func (w *recorder) Verbatim(f, s string) {
	fmt.Fprintf(w, "=%s:%s ", f, s)
}
func (w *recorder) DeferArray() int {
	w.marks++
	if w.at == nil {
		w.at = map[int]int{}
	}
	w.at[w.marks] = w.Len()
	fmt.Fprintf(w, "[%d ", w.marks)
	return w.marks
}
func (w *recorder) Truncate(mark int) {
	kept := w.String()[:w.at[mark]]
	w.Reset()
	w.WriteString(kept)
}
func (w *recorder) SetArray(mark, n int) { fmt.Fprintf(w, "]%d=*%d ", mark, n) }
func (w *recorder) SetMap(mark, n int)   { fmt.Fprintf(w, "]%d=%%%d ", mark, n) }
func (w *recorder) Resp3() bool          { return false }
func (w *recorder) BulkString(s string) {
	w.bulks = append(w.bulks, s)
	w.tier = s == "hot-bytes" || s == "cold-bytes"
	fmt.Fprintf(w, "$%q ", s)
}

// Replay of the records a run wrote reaches exactly the state the run
// left, byte for byte, config changes and served blocked readers included.
func TestReplayEqualsLive(t *testing.T) {
	withPending := 0
	for seed := range uint64(40) {
		clock := int64(1_700_000_000_000)
		live := newEngine(&clock)
		log := &memLog{}
		live.SetLog(log)
		randomCommands(t, live, &clock, rand.New(rand.NewPCG(seed, 7)), 1500)
		want := dump(t, live)

		replayed := newEngine(&clock)
		for i, rec := range log.recs {
			if err := replayed.Replay(uint64(i+1), rec.typ, rec.body); err != nil {
				t.Fatalf("seed %d: %v", seed, err)
			}
		}
		if got := dump(t, replayed); got != want {
			t.Fatalf("seed %d: replayed state differs from the live one (%d records)", seed, len(log.recs))
		}
		// A snapshot of the state loads back to it, and what follows runs
		// the same on it as on the replayed engine (ORDERBY's held entries
		// and keys included).
		restored := newEngine(&clock)
		if err := restored.Restore(load(t, want)); err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		// (The replayed engine, like the restored one, has no clients
		// blocked from before.)
		at := clock
		randomCommands(t, replayed, &clock, rand.New(rand.NewPCG(seed, 8)), 300)
		clock = at
		randomCommands(t, restored, &clock, rand.New(rand.NewPCG(seed, 8)), 300)
		if dump(t, restored) != dump(t, replayed) {
			t.Fatalf("seed %d: an engine restored from a snapshot went another way than one replayed from the log", seed)
		}
		st, _, _ := live.Capture()
		pending := 0
		for _, k := range st.Keys {
			if k.Stream != nil {
				for _, g := range k.Stream.Groups {
					pending += g.PendingLen()
				}
			}
		}
		if pending > 0 {
			withPending++
		}
	}
	if withPending < 10 {
		t.Fatalf("only %d of 20 runs ended with entries pending; the test proves little", withPending)
	}
}

// WATCH versions exist only for watched keys and go when nobody watches.
func TestWatchesGoAway(t *testing.T) {
	clock := int64(1)
	e := newEngine(&clock)
	a, b := e.NewClient(), e.NewClient()
	wa := e.Watch(a, [][]byte{[]byte("k"), []byte("x")})
	wb := e.Watch(b, [][]byte{[]byte("k")})
	count := func() (n int) {
		e.Locked(func(c *kernel.Ctx) { n = c.WatchedKeys() })
		return n
	}
	if n := count(); n != 2 {
		t.Fatalf("%d watched keys, want 2", n)
	}
	e.Unwatch(wa)
	if n := count(); n != 1 {
		t.Fatalf("%d watched keys after one client unwatched, want 1", n)
	}
	e.Unwatch(wb)
	if n := count(); n != 0 {
		t.Fatalf("%d watched keys after all unwatched, want 0", n)
	}
}

func (l *memLog) Err() error { return nil }
