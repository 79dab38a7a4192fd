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
		id, _ := s.NextID(1000, true, false, 0)
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
		id, _ := s.NextID(1700000000000, true, false, 0)
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
		id, _ := s.NextID(uint64(i/1000), true, false, 0)
		s.Append(id, fv, DefaultLimits)
	}
}
