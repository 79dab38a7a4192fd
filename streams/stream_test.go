package streams

import (
	"fmt"
	"math/rand"
	"testing"
)

func TestParseID(t *testing.T) {
	cases := []struct {
		in      string
		end     bool
		want    ID
		wantErr bool
	}{
		{"1-2", false, ID{1, 2}, false},
		{"5", false, ID{5, 0}, false},
		{"5", true, ID{5, MaxID.Seq}, false},
		{"-", false, MinID, false},
		{"+", true, MaxID, false},
		{"18446744073709551615-18446744073709551615", false, MaxID, false},
		{"18446744073709551616", false, ID{}, true},
		{"1-", false, ID{}, true},
		{"-1", false, ID{}, true},
		{"a-1", false, ID{}, true},
		{"", false, ID{}, true},
		{"1-2-3", false, ID{}, true},
	}
	for _, c := range cases {
		got, err := ParseRangeID([]byte(c.in), c.end)
		if (err != nil) != c.wantErr || (err == nil && got != c.want) {
			t.Errorf("ParseRangeID(%q,%v) = %v, %v; want %v err=%v", c.in, c.end, got, err, c.want, c.wantErr)
		}
	}
	if id, auto, autoSeq, err := ParseAddID([]byte("7-*")); err != nil || auto || !autoSeq || id.Ms != 7 {
		t.Fatalf("ParseAddID(7-*) = %v %v %v %v", id, auto, autoSeq, err)
	}
	if a, b := (ID{1, 5}), (ID{2, 0}); !a.Less(b) || b.Less(a) || a.Compare(b) != -1 {
		t.Fatal("ordering")
	}
	if n, ok := (ID{1, MaxID.Seq}).Next(); !ok || n != (ID{2, 0}) {
		t.Fatal("Next across ms")
	}
}

func fill(s *Stream, n int, lim Limits) []ID {
	var ids []ID
	for i := 0; i < n; i++ {
		id, _ := NextID(s.LastID(), 1000, true, false, 0)
		fv := [][]byte{[]byte("f"), []byte(fmt.Sprintf("v%d", i))}
		if i%7 == 3 {
			fv = append(fv, []byte("other"), []byte("x"))
		}
		s.Append(id, fv, lim)
		ids = append(ids, id)
	}
	return ids
}

func collect(s *Stream, start, end ID, rev bool) []ID {
	var out []ID
	s.Range(start, end, rev, func(id ID, fv [][]byte) bool {
		out = append(out, id)
		return true
	})
	return out
}

func TestAppendRangeDelete(t *testing.T) {
	s := New()
	ids := fill(s, 1000, Limits{MaxBytes: 4096, MaxEntries: 100})
	if s.Len() != 1000 || s.Blocks() < 10 {
		t.Fatalf("len %d blocks %d", s.Len(), s.Blocks())
	}
	got := collect(s, MinID, MaxID, false)
	if len(got) != 1000 || got[0] != ids[0] || got[999] != ids[999] {
		t.Fatalf("forward range: %d", len(got))
	}
	rev := collect(s, ids[10], ids[500], true)
	if len(rev) != 491 || rev[0] != ids[500] || rev[490] != ids[10] {
		t.Fatalf("reverse range: %d %v", len(rev), rev[0])
	}
	var val string
	if !s.Get(ids[3], func(fv [][]byte) { val = string(fv[1]) + string(fv[2]) }) || val != "v3other" {
		t.Fatalf("get: %q", val)
	}
	// Delete every other entry in the middle and the first one.
	for i := 0; i < 1000; i += 2 {
		if !s.Delete(ids[i]) {
			t.Fatalf("delete %v", ids[i])
		}
	}
	if s.Delete(ids[0]) || s.Len() != 500 || s.FirstID() != ids[1] || s.MaxDeletedID() != ids[998] {
		t.Fatalf("after delete: len %d first %v maxdel %v", s.Len(), s.FirstID(), s.MaxDeletedID())
	}
	got = collect(s, ids[100], ids[110], false)
	if len(got) != 5 || got[0] != ids[101] {
		t.Fatalf("range after delete: %v", got)
	}
}

func TestTrim(t *testing.T) {
	lim := Limits{MaxBytes: 4096, MaxEntries: 100}
	s := New()
	fill(s, 1000, lim)
	if n := s.Trim(Trim{MaxLen: 950, Approx: true}); n != 0 || s.Len() != 1000 {
		t.Fatalf("approx trim removed %d", n)
	}
	if n := s.Trim(Trim{MaxLen: 500, Approx: true}); s.Len() < 500 || s.Len() > 600 || n != int64(1000-s.Len()) {
		t.Fatalf("approx trim: len %d removed %d", s.Len(), n)
	}
	if n := s.Trim(Trim{MaxLen: 123}); s.Len() != 123 || n <= 0 {
		t.Fatalf("exact trim: len %d", s.Len())
	}
	first := collect(s, MinID, MaxID, false)[0]
	if s.FirstID() != first {
		t.Fatalf("first id %v != %v", s.FirstID(), first)
	}
	last := s.LastID()
	if n := s.Trim(Trim{ByMinID: true, MinID: last}); n != 122 || s.Len() != 1 {
		t.Fatalf("minid trim: %d %d", n, s.Len())
	}
	if s.Trim(Trim{MaxLen: 0}); s.Len() != 0 || s.FirstID() != (ID{}) || s.LastID() != last {
		t.Fatalf("trim to empty: %d", s.Len())
	}
}

func TestTrimKeepAndLimit(t *testing.T) {
	s := New()
	ids := fill(s, 300, Limits{MaxEntries: 10})
	kept := map[ID]bool{ids[0]: true, ids[25]: true}
	var dropped int
	n := s.Trim(Trim{MaxLen: 100, Keep: func(id ID) bool { return kept[id] }, Deleted: func(ID) { dropped++ }})
	if s.Len() != 100 || n != 200 || dropped != 200 {
		t.Fatalf("keep trim: len %d n %d dropped %d", s.Len(), n, dropped)
	}
	if !s.Get(ids[0], nil) || !s.Get(ids[25], nil) || s.Get(ids[1], nil) {
		t.Fatal("kept entries must stay")
	}
	s2 := New()
	fill(s2, 300, Limits{MaxEntries: 10})
	if n := s2.Trim(Trim{MaxLen: 0, Approx: true, Limit: 35}); n != 30 {
		t.Fatalf("limit: removed %d", n)
	}
}

// Redis 7 cuts a node of 100-byte values after this many entries; a block
// must cut at the same place for MAXLEN ~ to match.
func TestBlockCutMatchesListpack(t *testing.T) {
	s := New()
	val := make([]byte, 100)
	for i := range val {
		val[i] = 'x'
	}
	for i := 0; i < 1000; i++ {
		id, _ := NextID(s.LastID(), 1700000000000, true, false, 0)
		s.Append(id, [][]byte{[]byte("f"), val}, DefaultLimits)
	}
	// 4096-byte listpacks hold 36 such entries.
	if s.Blocks() != 28 {
		t.Fatalf("blocks = %d", s.Blocks())
	}
}

func TestCloneIsolated(t *testing.T) {
	s := New()
	ids := fill(s, 250, DefaultLimits)
	snap := s.Clone()
	for _, id := range ids[:50] {
		s.Delete(id)
	}
	fill(s, 10, DefaultLimits)
	s.Trim(Trim{MaxLen: 20})
	if got := collect(snap, MinID, MaxID, false); len(got) != 250 || got[0] != ids[0] {
		t.Fatalf("snapshot changed: %d", len(got))
	}
	var total int
	snap.EachBlock(func(b Block) bool { total += b.Live; return true })
	r := New()
	snap.EachBlock(func(b Block) bool { r.LoadBlock(b); return true })
	r.SetFirstID(snap.FirstID())
	r.SetMeta(snap.LastID(), snap.EntriesAdded(), snap.MaxDeletedID())
	if total != 250 || r.Len() != 250 || r.FirstID() != ids[0] || len(collect(r, MinID, MaxID, true)) != 250 {
		t.Fatalf("reload: %d %d", total, r.Len())
	}
}

func BenchmarkAppend(b *testing.B) {
	s := New()
	val := make([]byte, 100)
	rand.Read(val)
	fv := [][]byte{[]byte("f"), val}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		id, _ := NextID(s.LastID(), uint64(i/1000), true, false, 0)
		s.Append(id, fv, DefaultLimits)
	}
}

func TestParseIDEdges(t *testing.T) {
	for _, c := range []struct {
		in   string
		want ID
		err  bool
	}{
		{"007-01", ID{7, 1}, false}, // leading zeros, as strtoull takes them
		{"0", ID{}, false},
		{"-", ID{}, true}, // strict: no range shortcuts
		{"+", ID{}, true},
		{"1--1", ID{}, true},
		{" 1", ID{}, true},
		{"1-18446744073709551616", ID{}, true},
		{"99999999999999999999999", ID{}, true},
	} {
		got, err := ParseStrictID([]byte(c.in))
		if (err != nil) != c.err || (err == nil && got != c.want) {
			t.Errorf("ParseStrictID(%q) = %v, %v", c.in, got, err)
		}
	}
	for _, in := range []string{"-*", "*-1", "1-**", "a-*", "**"} {
		if _, _, _, err := ParseAddID([]byte(in)); err == nil {
			t.Errorf("ParseAddID(%q) accepted", in)
		}
	}
	if _, auto, _, err := ParseAddID([]byte("*")); !auto || err != nil {
		t.Error("ParseAddID(*)")
	}
	if _, ok := MaxID.Next(); ok {
		t.Error("MaxID has no next")
	}
	if _, ok := MinID.Prev(); ok {
		t.Error("MinID has no previous")
	}
	if p, ok := (ID{2, 0}).Prev(); !ok || p != (ID{1, MaxID.Seq}) {
		t.Errorf("Prev across ms: %v", p)
	}
	if (ID{1, 2}).Compare(ID{1, 2}) != 0 || (ID{2, 0}).Compare(ID{1, 9}) != 1 || (ID{1, 2}).String() != "1-2" {
		t.Error("Compare/String")
	}
}

func TestNextID(t *testing.T) {
	s := New()
	s.Append(ID{5, MaxID.Seq}, [][]byte{[]byte("f"), []byte("v")}, DefaultLimits)
	if id, err := NextID(s.LastID(), 3, true, false, 0); err != nil || id != (ID{6, 0}) {
		t.Errorf("* after a future ID: %v %v", id, err)
	}
	if _, err := NextID(s.LastID(), 0, false, true, 5); err != ErrIDTooSmall {
		t.Errorf("5-* at max seq: %v", err)
	}
	if _, err := NextID(s.LastID(), 0, false, true, 4); err != ErrIDTooSmall {
		t.Errorf("4-*: %v", err)
	}
	if id, _ := NextID(s.LastID(), 0, false, true, 9); id != (ID{9, 0}) {
		t.Errorf("9-*: %v", id)
	}
	s.Append(MaxID, [][]byte{[]byte("f"), []byte("v")}, DefaultLimits)
	if _, err := NextID(s.LastID(), 0, true, false, 0); err != ErrIDExhaust {
		t.Errorf("* at MaxID: %v", err)
	}
}

// Entries must decode exactly as appended: more fields than the decoder's
// scratch space, field sets that change, empty and binary values, and IDs
// whose ms or seq go below the block's first.
func TestBlockRoundTrip(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	s := New()
	want := map[ID][][]byte{}
	var ids []ID
	ms := uint64(1000)
	for i := 0; i < 3000; i++ {
		var fv [][]byte
		switch i % 4 {
		case 0: // the common shape
			fv = [][]byte{[]byte("a"), []byte(fmt.Sprint(i)), []byte("b"), []byte("x")}
		case 1: // many fields
			for j := 0; j < 40; j++ {
				fv = append(fv, []byte(fmt.Sprint("f", j)), []byte(fmt.Sprint(i*j)))
			}
		case 2: // same names, other order
			fv = [][]byte{[]byte("b"), {}, []byte("a"), []byte("-12")}
		case 3: // binary, random length
			v := make([]byte, r.Intn(300))
			r.Read(v)
			fv = [][]byte{{0, 1, 2}, v}
		}
		if r.Intn(3) == 0 {
			ms += uint64(r.Intn(5000))
		}
		id, _ := NextID(s.LastID(), ms, true, false, 0)
		s.Append(id, fv, Limits{MaxBytes: 2048, MaxEntries: 50})
		want[id] = fv
		ids = append(ids, id)
	}
	check := func(id ID, fv [][]byte) bool {
		w := want[id]
		if len(fv) != len(w) {
			t.Fatalf("%v: %d values, want %d", id, len(fv), len(w))
		}
		for i := range w {
			if string(fv[i]) != string(w[i]) {
				t.Fatalf("%v value %d: %q, want %q", id, i, fv[i], w[i])
			}
		}
		return true
	}
	s.Range(MinID, MaxID, false, check)
	s.Range(MinID, MaxID, true, check)
	for _, id := range ids[:50] {
		if !s.Get(id, func(fv [][]byte) { check(id, fv) }) {
			t.Fatalf("get %v", id)
		}
	}
	// Reverse walks agree with forward ones over any range, after deletions.
	for i := 0; i < 3000; i += 3 {
		s.Delete(ids[i])
	}
	for n := 0; n < 50; n++ {
		lo, hi := ids[r.Intn(len(ids))], ids[r.Intn(len(ids))]
		fwd, rev := collect(s, lo, hi, false), collect(s, lo, hi, true)
		if len(fwd) != len(rev) {
			t.Fatalf("range %v..%v: %d forward, %d reverse", lo, hi, len(fwd), len(rev))
		}
		for i := range fwd {
			if fwd[i] != rev[len(rev)-1-i] {
				t.Fatalf("range %v..%v differs at %d", lo, hi, i)
			}
		}
	}
	if s.Len() != 2000 || s.LastEntryID() != ids[2999] || s.FirstID() != ids[1] {
		t.Fatalf("len %d last %v first %v", s.Len(), s.LastEntryID(), s.FirstID())
	}
}

// Numbers measured on redis-server 7.0 with the same commands.
func TestBlockCutsMatchRedis(t *testing.T) {
	fv := [][]byte{[]byte("f"), []byte("ab")}
	lim := Limits{MaxBytes: 4096}
	s := New()
	for i := uint64(1); i <= 1200; i++ {
		s.Append(ID{1, i}, fv, lim)
	}
	if n := s.Trim(Trim{MaxLen: 10, Approx: true}); s.Blocks() != 1 || n != 972 {
		t.Errorf("1200 small entries: %d trimmed, %d blocks left", n, s.Blocks())
	}
	// Deletions grow the node's deleted count, which Redis's size includes.
	s = New()
	for i := uint64(1); i <= 200; i++ {
		s.Append(ID{1, i}, fv, lim)
	}
	for i := uint64(1); i < 200; i += 2 {
		s.Delete(ID{1, i})
	}
	for i := uint64(201); i <= 1500; i++ {
		s.Append(ID{1, i}, fv, lim)
	}
	if s.Blocks() != 5 {
		t.Errorf("blocks = %d, want 5", s.Blocks())
	}
	if n := s.Trim(Trim{MaxLen: 10, Approx: true}); n != 1196 {
		t.Errorf("trimmed %d, want 1196", n)
	}
}

func TestTrimApproxKeepGoesOn(t *testing.T) {
	// Redis 8.2's "XTRIM with approx and ACKED": blocks of 2; 3-0 and
	// 5-0 are still referenced.
	s := New()
	for i := uint64(1); i <= 5; i++ {
		s.Append(ID{i, 0}, [][]byte{[]byte("f"), []byte("v")}, Limits{MaxEntries: 2})
	}
	keep := func(id ID) bool { return id == ID{3, 0} || id == ID{5, 0} }
	var gone []ID
	n := s.Trim(Trim{ByMinID: true, MinID: ID{6, 0}, Approx: true, Limit: 10000, Keep: keep,
		Deleted: func(id ID) { gone = append(gone, id) }})
	if got := collect(s, MinID, MaxID, false); n != 3 || len(got) != 2 || got[0] != (ID{3, 0}) || got[1] != (ID{5, 0}) {
		t.Fatalf("removed %d, left %v", n, got)
	}
	if len(gone) != 3 || s.FirstID() != (ID{3, 0}) {
		t.Fatalf("deleted %v, first %v", gone, s.FirstID())
	}
	// Exact MAXLEN walks past kept entries into later blocks.
	s = New()
	for i := uint64(1); i <= 20; i++ {
		s.Append(ID{i, 0}, [][]byte{[]byte("f"), []byte("v")}, Limits{MaxEntries: 4})
	}
	keep = func(id ID) bool { return id.Ms <= 6 }
	if n := s.Trim(Trim{MaxLen: 10, Keep: keep}); n != 10 || s.Len() != 10 || collect(s, MinID, MaxID, false)[6] != (ID{17, 0}) {
		t.Fatalf("exact keep trim: %d, len %d", n, s.Len())
	}
	// LIMIT stops before a block that would pass it.
	s = New()
	fill(s, 100, Limits{MaxEntries: 10})
	if n := s.Trim(Trim{MaxLen: 55, Approx: true, Limit: 30}); n != 30 || s.Len() != 70 {
		t.Fatalf("limit: removed %d, len %d", n, s.Len())
	}
	if n := s.Trim(Trim{MaxLen: 0, Approx: true, Limit: 5}); n != 0 {
		t.Fatalf("limit below a block: removed %d", n)
	}
}

func TestCloneIsolatedFromTrimAndDelete(t *testing.T) {
	s := New()
	ids := fill(s, 300, Limits{MaxEntries: 10})
	snap := s.Clone()
	// Partial-block changes on shared blocks must copy them first.
	s.Delete(ids[5])
	s.Trim(Trim{MaxLen: 295})
	s.Trim(Trim{MaxLen: 200, Keep: func(id ID) bool { return id == ids[150] }})
	if s.Len() != 200 || !s.Get(ids[150], nil) {
		t.Fatalf("len %d", s.Len())
	}
	if got := collect(snap, MinID, MaxID, false); len(got) != 300 || !snap.Get(ids[5], nil) || snap.FirstID() != ids[0] {
		t.Fatalf("snapshot changed: %d entries", len(got))
	}
	snap2 := s.Clone()
	s.Append(ID{1 << 40, 0}, [][]byte{[]byte("f"), []byte("v")}, Limits{MaxEntries: 10})
	if snap2.Len() != 200 || snap2.LastID() == s.LastID() || len(collect(snap2, MinID, MaxID, true)) != 200 {
		t.Fatal("append after clone leaked into the snapshot")
	}
}

func TestLastEntryID(t *testing.T) {
	s := New()
	ids := fill(s, 25, Limits{MaxEntries: 10})
	if s.LastEntryID() != ids[24] {
		t.Fatal("tail")
	}
	s.Delete(ids[24])
	s.Delete(ids[23])
	if s.LastEntryID() != ids[22] || s.LastID() != ids[24] {
		t.Fatalf("after deleting the tail: %v", s.LastEntryID())
	}
	for _, id := range ids[20:23] {
		s.Delete(id) // empties the tail block
	}
	if s.LastEntryID() != ids[19] {
		t.Fatalf("after dropping the tail block: %v", s.LastEntryID())
	}
	r := New()
	s.EachBlock(func(b Block) bool { r.LoadBlock(b); return true })
	if r.LastEntryID() != ids[19] {
		t.Fatalf("loaded: %v", r.LastEntryID())
	}
}

// Bytes follows every append, delete and trim: it is the data the blocks
// hold.
func TestBytesFollowsBlocks(t *testing.T) {
	s := New()
	r := rand.New(rand.NewSource(3))
	check := func() {
		t.Helper()
		var n uint64
		s.EachBlock(func(b Block) bool {
			n += uint64(len(b.Data))
			return true
		})
		if n != s.Bytes() {
			t.Fatalf("Bytes() = %d, blocks hold %d", s.Bytes(), n)
		}
	}
	for i := uint64(1); i <= 3000; i++ {
		s.Append(ID{i, 0}, [][]byte{[]byte("f"), make([]byte, r.Intn(50))}, DefaultLimits)
		switch r.Intn(20) {
		case 0:
			s.Delete(ID{uint64(r.Intn(int(i))) + 1, 0})
		case 1:
			s.Trim(Trim{MaxLen: uint64(r.Intn(500)), Approx: r.Intn(2) == 0})
		case 2:
			c := s.Clone() // blocks shared with a snapshot are cloned on change
			_ = c
		}
		check()
	}
	s.Trim(Trim{MaxLen: 0})
	check()
	if s.Bytes() != 0 {
		t.Fatalf("empty stream holds %d bytes", s.Bytes())
	}
}

// Trimming by bytes drops whole head blocks until the rest fits.
func TestTrimByBytes(t *testing.T) {
	s := New()
	for i := uint64(1); i <= 1000; i++ {
		s.Append(ID{i, 0}, [][]byte{[]byte("f"), make([]byte, 90)}, DefaultLimits)
	}
	limit := s.Bytes() / 2
	n := s.Trim(Trim{ByBytes: true, MaxBytes: limit})
	if s.Bytes() > limit || n == 0 {
		t.Fatalf("removed %d, %d bytes left over a limit of %d", n, s.Bytes(), limit)
	}
	if s.Len() != 1000-uint64(n) || s.FirstID() != (ID{uint64(n) + 1, 0}) {
		t.Fatalf("len %d, first %v after removing %d", s.Len(), s.FirstID(), n)
	}
	if before := s.Bytes(); s.Trim(Trim{ByBytes: true, MaxBytes: limit}) != 0 || s.Bytes() != before {
		t.Fatal("a stream within its bytes was trimmed")
	}
}

// blockBytes sums the data of every block, which Bytes must track.
func blockBytes(s *Stream) uint64 {
	var n uint64
	s.EachBlock(func(b Block) bool {
		n += uint64(len(b.Data))
		return true
	})
	return n
}

func TestBytes(t *testing.T) {
	lim := Limits{MaxBytes: 4096, MaxEntries: 100}
	s := New()
	ids := fill(s, 1000, lim)
	if s.Bytes() == 0 || s.Bytes() != blockBytes(s) {
		t.Fatalf("after appends: Bytes %d, blocks hold %d", s.Bytes(), blockBytes(s))
	}
	before := s.Bytes()
	s.Delete(ids[500])
	if s.Bytes() != before {
		t.Fatalf("a deleted entry stays in its block: Bytes %d, was %d", s.Bytes(), before)
	}
	for _, id := range ids[:150] { // the first block goes whole
		s.Delete(id)
	}
	if s.Bytes() >= before || s.Bytes() != blockBytes(s) {
		t.Fatalf("after emptying a block: Bytes %d, blocks hold %d (was %d)", s.Bytes(), blockBytes(s), before)
	}
	s.Trim(Trim{MaxLen: 300, Approx: true})
	if s.Bytes() != blockBytes(s) {
		t.Fatalf("after trim: Bytes %d, blocks hold %d", s.Bytes(), blockBytes(s))
	}
	c := s.Clone()
	s.Trim(Trim{MaxLen: 0})
	if s.Bytes() != 0 || c.Bytes() != blockBytes(c) {
		t.Fatalf("emptied: Bytes %d; clone %d, its blocks %d", s.Bytes(), c.Bytes(), blockBytes(c))
	}
	l := New()
	c.EachBlock(func(b Block) bool {
		l.LoadBlock(b)
		return true
	})
	if l.Bytes() != c.Bytes() {
		t.Fatalf("loaded: Bytes %d, want %d", l.Bytes(), c.Bytes())
	}
}

// BenchmarkGet looks up entries one by one, as an ordered group's held
// entries are read back when their key's turn comes.
func BenchmarkGet(b *testing.B) {
	s := New()
	var ids []ID
	for i := uint64(1); i <= 100000; i++ {
		id := ID{Ms: 1000 + i}
		s.Append(id, [][]byte{[]byte("k"), []byte("key"), []byte("v"), make([]byte, 100)}, DefaultLimits)
		ids = append(ids, id)
	}
	r := rand.New(rand.NewSource(1))
	b.ResetTimer()
	for range b.N {
		if !s.Get(ids[r.Intn(len(ids))], func([][]byte) {}) {
			b.Fatal("not found")
		}
	}
}

// After a trim that drops whole blocks, the first ID is the next block's
// first entry, or, when that one was deleted, the first one left.
func TestTrimFirstID(t *testing.T) {
	lim := Limits{MaxBytes: 4096, MaxEntries: 100}
	s := New()
	ids := fill(s, 1000, lim)
	s.Trim(Trim{MaxLen: 900, Approx: true})
	if s.Len() != 900 || s.FirstID() != ids[100] {
		t.Fatalf("len %d first %v, want 900 %v", s.Len(), s.FirstID(), ids[100])
	}
	s.Delete(ids[200])
	s.Delete(ids[201])
	s.Trim(Trim{MaxLen: 798, Approx: true})
	if s.Len() != 798 || s.FirstID() != ids[202] {
		t.Fatalf("len %d first %v, want 798 %v", s.Len(), s.FirstID(), ids[202])
	}
	if first := collect(s, MinID, MaxID, false)[0]; first != s.FirstID() {
		t.Fatalf("first entry %v, FirstID %v", first, s.FirstID())
	}
}
