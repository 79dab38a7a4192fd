package streams

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"
)

// memSource keeps cold blocks in memory; fail makes every load fail.
type memSource struct {
	m     map[Loc][]byte
	n     uint32
	fail  bool
	loads int
}

func newMemSource() *memSource { return &memSource{m: map[Loc][]byte{}} }

func (m *memSource) Load(loc Loc) ([]byte, error) {
	m.loads++
	d, ok := m.m[loc]
	if !ok || m.fail {
		return nil, errors.New("cannot read")
	}
	return d, nil
}

// put stores data as a writer would: a copy, at a new place.
func (m *memSource) put(data []byte) Loc {
	m.n++
	loc := Loc{File: m.n / 100, Off: m.n % 100 * 4096, Len: uint32(len(data))}
	m.m[loc] = append([]byte(nil), data...)
	return loc
}

// coolAll makes every sealed block of s cold.
func coolAll(s *Stream, src *memSource) {
	s.SealedHot(func(sd Sealed) { s.Cool(sd, src.put(sd.Data)) })
}

// describe renders everything observable about a stream.
func describe(s *Stream) string {
	out := fmt.Sprintf("len=%d first=%v last=%v lastentry=%v maxdel=%v added=%d blocks=%d bytes=%d\n",
		s.Len(), s.FirstID(), s.LastID(), s.LastEntryID(), s.MaxDeletedID(), s.EntriesAdded(), s.Blocks(), s.Bytes())
	s.EachBlock(func(b Block) bool {
		out += fmt.Sprintf("[%v %v %d %d %d]", b.First, b.Last, b.Live, b.Deleted, b.LPBytes)
		return true
	})
	s.Range(MinID, MaxID, false, func(id ID, fv [][]byte) bool {
		out += fmt.Sprintf(" %v%q", id, fv)
		return true
	})
	return out
}

// A stream whose sealed blocks go cold, at any moment after they are
// sealed, reads and changes exactly as one kept in memory: same replies
// to every read, same results of every delete and trim, same blocks.
func TestColdMatchesHot(t *testing.T) {
	for seed := range uint64(30) {
		r := rand.New(rand.NewPCG(seed, 11))
		src := newMemSource()
		hot, cold := New(), New()
		cold.SetSource(src)
		var jobs []Sealed
		var ids []ID
		lim := Limits{MaxEntries: 2 + r.IntN(8), MaxBytes: 300 + r.IntN(400)}
		type frozen struct {
			s    *Stream
			want string
		}
		var clones []frozen
		pick := func() ID {
			if len(ids) == 0 || r.IntN(10) == 0 {
				return ID{Ms: uint64(r.IntN(2000))}
			}
			// mostly recent entries, so that whole tail blocks empty
			if r.IntN(2) == 0 {
				return ids[max(0, len(ids)-1-r.IntN(12))]
			}
			return ids[r.IntN(len(ids))]
		}
		wasCold := false
		for step := range 1500 {
			switch op := r.IntN(20); {
			case op < 9:
				id, _ := NextID(hot.LastID(), uint64(step/3), true, false, 0)
				fv := [][]byte{[]byte("f"), fmt.Appendf(nil, "%d", r.IntN(1e6))}
				if r.IntN(5) == 0 {
					fv = append(fv, []byte("g"), make([]byte, r.IntN(200)))
				}
				hot.Append(id, fv, lim)
				if sd, ok := cold.Append(id, fv, lim); ok {
					jobs = append(jobs, sd)
				}
				ids = append(ids, id)
			case op < 13:
				id := pick()
				if a, b := hot.Delete(id), cold.Delete(id); a != b {
					t.Fatalf("seed %d step %d: delete %v: hot %v, cold %v", seed, step, id, a, b)
				}
			case op < 15:
				tr := Trim{ByMinID: r.IntN(2) == 0, MaxLen: uint64(r.IntN(int(hot.Len()) + 5)), MinID: pick(),
					Approx: r.IntN(2) == 0}
				if r.IntN(3) == 0 {
					tr.Limit = int64(1 + r.IntN(20))
				}
				if r.IntN(3) == 0 {
					keep := pick()
					tr.Keep = func(id ID) bool { return id == keep || id.Ms%7 == 0 }
				}
				var gone [2][]ID
				trimmed := [2]int64{}
				for i, s := range []*Stream{hot, cold} {
					tr.Deleted = func(id ID) { gone[i] = append(gone[i], id) }
					trimmed[i] = s.Trim(tr)
				}
				if trimmed[0] != trimmed[1] || fmt.Sprint(gone[0]) != fmt.Sprint(gone[1]) {
					t.Fatalf("seed %d step %d: trim %+v: hot %d %v, cold %d %v", seed, step, tr, trimmed[0], gone[0], trimmed[1], gone[1])
				}
			case op < 18:
				// The writer reports a few blocks, not always in order.
				r.Shuffle(len(jobs), func(i, j int) { jobs[i], jobs[j] = jobs[j], jobs[i] })
				n := r.IntN(len(jobs) + 1)
				for _, sd := range jobs[:n] {
					cold.Cool(sd, src.put(sd.Data))
				}
				jobs = jobs[n:]
			case op < 19:
				clones = append(clones, frozen{cold.Clone(), describe(hot)})
			default:
				lo, hi := pick(), pick()
				for _, rev := range []bool{false, true} {
					if a, b := fmt.Sprint(collect(hot, lo, hi, rev)), fmt.Sprint(collect(cold, lo, hi, rev)); a != b {
						t.Fatalf("seed %d step %d: range %v %v rev %v: hot %s, cold %s", seed, step, lo, hi, rev, a, b)
					}
				}
				id := pick()
				var a, b string
				hot.Get(id, func(fv [][]byte) { a = fmt.Sprint(fv) })
				cold.Get(id, func(fv [][]byte) { b = fmt.Sprint(fv) })
				if a != b {
					t.Fatalf("seed %d step %d: get %v: hot %q, cold %q", seed, step, id, a, b)
				}
			}
			if a, b := describe(hot), describe(cold); a != b {
				t.Fatalf("seed %d step %d: streams differ:\nhot  %s\ncold %s", seed, step, a, b)
			}
			if cold.HotBytes() < cold.Bytes() {
				wasCold = true
			}
			if hot.HotBytes() != hot.Bytes() {
				t.Fatalf("seed %d: a stream without a writer has cold bytes", seed)
			}
		}
		for i, c := range clones {
			if got := describe(c.s); got != c.want {
				t.Fatalf("seed %d: clone %d changed:\n%s\nwant\n%s", seed, i, got, c.want)
			}
		}
		if !wasCold || src.loads == 0 {
			t.Fatalf("seed %d: no block went cold or was read back (%d loads)", seed, src.loads)
		}
	}
}

// Cool refuses a block that is gone or already cold; a sealed block
// deleted from before it is written keeps those deletions.
func TestCool(t *testing.T) {
	src := newMemSource()
	s := New()
	s.SetSource(src)
	lim := Limits{MaxEntries: 3}
	var sealed []Sealed
	for i := uint64(1); i <= 10; i++ {
		if sd, ok := s.Append(ID{Ms: i}, [][]byte{[]byte("f"), []byte("v")}, lim); ok {
			sealed = append(sealed, sd)
		}
	}
	if len(sealed) != 3 || sealed[0].First != (ID{Ms: 1}) || sealed[0].Live != 3 {
		t.Fatalf("sealed %+v", sealed)
	}
	s.Delete(ID{Ms: 2}) // in a private copy, not in what the writer has
	if sealed[0].Data[len(sealed[0].Data)-4]&flagDeleted != 0 {
		t.Fatal("a delete changed data handed to the writer")
	}
	for _, id := range []ID{{Ms: 4}, {Ms: 5}, {Ms: 6}} {
		s.Delete(id) // the second block goes
	}
	for _, id := range []ID{{Ms: 10}} {
		s.Delete(id) // the tail goes: the third block is the tail again
	}
	cool := func(sd Sealed) bool { return s.Cool(sd, src.put(sd.Data)) }
	hot := s.HotBytes()
	if !cool(sealed[0]) || s.HotBytes() != hot-uint64(len(sealed[0].Data)) || s.hot.Len() != 1 {
		t.Fatalf("first block not cooled: hot bytes %d, was %d", s.HotBytes(), hot)
	}
	if cool(sealed[0]) || cool(sealed[1]) {
		t.Fatal("cooled a block that is cold or gone")
	}
	if !cool(sealed[2]) {
		t.Fatal("the last sealed block, though the tail is gone, is in the index")
	}
	if got := collect(s, MinID, MaxID, false); fmt.Sprint(got) != "[1-0 3-0 7-0 8-0 9-0]" || s.HotBytes() == s.Bytes() {
		t.Fatalf("after cooling: %v, hot %d of %d", got, s.HotBytes(), s.Bytes())
	}
	src.fail = true
	defer func() {
		var re *ReadError
		if err, ok := recover().(error); !ok || !errors.As(err, &re) || re.Loc.Len == 0 {
			t.Fatalf("reading a block the source cannot give: %v", err)
		}
	}()
	s.Get(ID{Ms: 1}, nil)
}

// Relocate moves a cold block to a copy of its data; a clone keeps the
// old place.
func TestRelocate(t *testing.T) {
	src := newMemSource()
	s := New()
	s.SetSource(src)
	fill(s, 50, Limits{MaxEntries: 10})
	coolAll(s, src)
	var locs []Loc
	var firsts []ID
	s.EachCold(MinID, MaxID, func(first ID, loc Loc) bool {
		firsts, locs = append(firsts, first), append(locs, loc)
		return true
	})
	if len(locs) != 4 {
		t.Fatalf("%d cold blocks, want 4", len(locs))
	}
	want := describe(s)
	snap := s.Clone()
	to := src.put(src.m[locs[1]])
	if s.Relocate(firsts[1], locs[0], to) || !s.Relocate(firsts[1], locs[1], to) || s.Relocate(firsts[1], locs[1], to) {
		t.Fatal("Relocate must move a block once, from where it is")
	}
	delete(src.m, locs[1])
	if got := describe(s); got != want {
		t.Fatalf("moved block reads differently:\n%s\nwant\n%s", got, want)
	}
	snap.EachCold(firsts[1], firsts[1], func(_ ID, loc Loc) bool {
		if loc != locs[1] {
			t.Fatal("the clone's block moved too")
		}
		return true
	})
}

// A snapshot taken before a block went cold still reads it from memory.
func TestCoolAfterSnapshot(t *testing.T) {
	src := newMemSource()
	s := New()
	s.SetSource(src)
	var sealed []Sealed
	for i := uint64(1); i <= 30; i++ {
		if sd, ok := s.Append(ID{Ms: i}, [][]byte{[]byte("f"), []byte("v")}, Limits{MaxEntries: 10}); ok {
			sealed = append(sealed, sd)
		}
	}
	snap := s.Clone()
	want := describe(snap)
	if !s.Cool(sealed[0], src.put(sealed[0].Data)) {
		t.Fatal("not cooled")
	}
	src.fail = true
	if describe(snap) != want {
		t.Fatal("the snapshot changed")
	}
	snap.EachBlock(func(b Block) bool {
		if b.Cold() {
			t.Fatal("a block went cold in the snapshot")
		}
		return true
	})
}
