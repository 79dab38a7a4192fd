package snapshot

import (
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"sluice/groups"
	"sluice/streams"
)

// memSource keeps cold blocks in memory, in files of 1000 bytes.
type memSource map[streams.Loc][]byte

func (m memSource) Load(loc streams.Loc) ([]byte, error) {
	if d, ok := m[loc]; ok {
		return d, nil
	}
	return nil, errors.New("no such block")
}

func (m memSource) put(data []byte) streams.Loc {
	n := uint32(len(m))
	loc := streams.Loc{File: 1 + n/10, Off: n % 10 * 1000, Len: uint32(len(data))} // files count from 1
	m[loc] = data
	return loc
}

// src holds the cold blocks of every sample.
var src = memSource{}

// sample builds a state with strings, expiries, a stream with deletions
// across many blocks, some cold (with deletions since), and a group with
// owned and released pending entries.
func sample(t *testing.T) *State {
	t.Helper()
	r := rand.New(rand.NewPCG(1, 2))
	s := streams.New()
	s.SetSource(src)
	for i := uint64(1); i <= 2000; i++ {
		fv := [][]byte{[]byte("f"), fmt.Appendf(nil, "v%d", r.IntN(1e6))}
		if i%7 == 0 {
			fv = append(fv, []byte("other"), []byte("x"))
		}
		s.Append(streams.ID{Ms: 1000 + i/3, Seq: i % 3}, fv, streams.DefaultLimits)
	}
	for i := uint64(1); i <= 1000; i += 5 {
		s.Delete(streams.ID{Ms: 1000 + i/3, Seq: i % 3})
	}
	n := 0
	s.SealedHot(func(sd streams.Sealed) {
		if n++; n%3 != 0 {
			s.Cool(sd, src.put(sd.Data))
		}
	})
	for i := uint64(1001); i <= 2000; i += 5 {
		s.Delete(streams.ID{Ms: 1000 + i/3, Seq: i % 3})
	}
	g := groups.New("g1", streams.ID{Ms: 1100}, 300)
	a, _ := g.Seen([]byte("alice"), 5000)
	b, _ := g.Seen([]byte("bob"), 5001)
	g.CreateConsumer([]byte("idle"), 4000)
	g.Deliver(streams.ID{Ms: 1001}, a, 6000)
	g.Deliver(streams.ID{Ms: 1002}, b, 6000)
	g.Deliver(streams.ID{Ms: 1003, Seq: 1}, a, 6001)
	g.Place(streams.ID{Ms: 1001}, a, 6002, 2)
	g.Unown(streams.ID{Ms: 1002}, 0)
	return &State{
		LSN: 42, Time: 1700000000000,
		Config: []Param{{"stream-node-max-entries", "100"}, {"stream-node-max-bytes", "4096"}},
		Keys: []Key{
			{DB: 0, Name: "str", String: []byte("hello")},
			{DB: 3, Name: "ttl", String: []byte{}, Expire: 1800000000000},
			{DB: 0, Name: "s", Stream: &Stream{Stream: s.Clone(), Groups: []*groups.Group{g.Clone(), groups.New("g2", streams.ID{}, 0)},
				IDMP: &IDMP{Duration: 100, MaxSize: 3, SweepAt: 8, Added: 5, Duplicates: 2, Producers: []Producer{
					{PID: "p1", IIDs: []IID{{"a", 1700, streams.ID{Ms: 1001}}, {"b", 1701, streams.ID{Ms: 1002}}}}, {PID: "p2"}}}}},
			{DB: 1, Name: "empty", Stream: &Stream{Stream: streams.New()}},
		},
	}
}

// dump renders a state in a comparable form, through exported accessors.
func dump(st *State) string {
	var b strings.Builder
	fmt.Fprintf(&b, "lsn=%d time=%d config=%v\n", st.LSN, st.Time, st.Config)
	keys := append([]Key(nil), st.Keys...)
	sort.Slice(keys, func(i, j int) bool {
		return keys[i].DB < keys[j].DB || (keys[i].DB == keys[j].DB && keys[i].Name < keys[j].Name)
	})
	for _, k := range keys {
		fmt.Fprintf(&b, "key db=%d %q expire=%d", k.DB, k.Name, k.Expire)
		if k.Stream == nil {
			fmt.Fprintf(&b, " string=%q\n", k.String)
			continue
		}
		s := k.Stream
		if s.IDMP != nil {
			fmt.Fprintf(&b, " idmp=%+v", *s.IDMP)
		}
		fmt.Fprintf(&b, " stream len=%d first=%v last=%v maxdel=%v added=%d bytes=%d hot=%d\n",
			s.Len(), s.FirstID(), s.LastID(), s.MaxDeletedID(), s.EntriesAdded(), s.Bytes(), s.HotBytes())
		s.EachBlock(func(x streams.Block) bool {
			fmt.Fprintf(&b, " block %v-%v %d %d %d %d %v %v", x.First, x.Last, x.Live, x.Deleted, x.LPBytes, len(x.Data), x.Loc, x.Dels)
			return true
		})
		b.WriteString("\n")
		s.Range(streams.MinID, streams.MaxID, false, func(id streams.ID, fv [][]byte) bool {
			fmt.Fprintf(&b, " %v%q", id, fv)
			return true
		})
		for _, g := range s.Groups {
			fmt.Fprintf(&b, "\n group %s last=%v read=%d released=%d", g.Name(), g.LastID(), g.EntriesRead(), g.ReleasedLen())
			g.Consumers(func(c *groups.Consumer) bool {
				fmt.Fprintf(&b, " consumer %s %d %d %d", c.Name(), c.SeenTime(), c.ActiveTime(), c.PendingLen())
				return true
			})
			g.ScanByTime(func(n groups.NACK) bool {
				owner := "-"
				if o := g.Owner(n); o != nil {
					owner = o.Name()
				}
				fmt.Fprintf(&b, " nack %v %s %d %d", n.ID, owner, n.DeliveryTime, n.DeliveryCount)
				return true
			})
		}
		b.WriteString("\n")
	}
	return b.String()
}

func TestRoundTrip(t *testing.T) {
	st := sample(t)
	path := filepath.Join(t.TempDir(), "snap")
	written, err := Write(path, st)
	if err != nil {
		t.Fatal(err)
	}
	got, info, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range got.Keys {
		if k.Stream != nil {
			k.Stream.SetSource(src)
		}
	}
	if want := dump(st); dump(got) != want {
		t.Fatalf("loaded state differs: %s", firstDiff(dump(got), want))
	}
	refs := Refs{}
	st.Keys[2].Stream.EachBlock(func(b streams.Block) bool {
		if b.Cold() {
			refs[b.Loc.File] += int64(b.Loc.Len)
		}
		return true
	})
	if len(refs) < 2 || !maps.Equal(written.Refs, refs) || !maps.Equal(info.Refs, refs) {
		t.Fatalf("references: written %v, loaded %v, want %v", written.Refs, info.Refs, refs)
	}
	if info.Size != written.Size || info.Keys != 4 || info.Streams != 2 || info.Entries != st.Keys[2].Stream.Len() {
		t.Fatalf("info %+v, written %+v", info, written)
	}
	if vinfo, err := Verify(path); err != nil || vinfo.Size != info.Size || vinfo.Entries != info.Entries || !maps.Equal(vinfo.Refs, refs) {
		t.Fatalf("verify: %+v %v, load said %+v", vinfo, err, info)
	}
	// A loaded stream takes appends like any other.
	var s *Stream
	for _, k := range got.Keys {
		if k.Name == "s" {
			s = k.Stream
		}
	}
	s.Append(streams.ID{Ms: 9999}, [][]byte{[]byte("f"), []byte("new")}, streams.DefaultLimits)
	if s.LastEntryID() != (streams.ID{Ms: 9999}) {
		t.Fatal("append after load failed")
	}
}

// Every single flipped byte, and every truncation, must be detected.
func TestDamageDetected(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "snap")
	if _, err := Write(path, sample(t)); err != nil {
		t.Fatal(err)
	}
	good, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "bad")
	r := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < len(good); i += 1 + r.IntN(97) {
		b := append([]byte(nil), good...)
		b[i] ^= 1 << r.IntN(8)
		if err := os.WriteFile(bad, b, 0o644); err != nil {
			t.Fatal(err)
		}
		if _, _, err := Load(bad); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("flipped byte %d of %d: load error %v", i, len(good), err)
		}
		if err := ReadBack(bad); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("flipped byte %d of %d: read-back error %v", i, len(good), err)
		}
	}
	for _, n := range []int{0, 10, headerSize, len(good) / 2, len(good) - 4, len(good) - 1} {
		if err := os.WriteFile(bad, good[:n], 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := Verify(bad); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("truncated to %d: verify error %v", n, err)
		}
	}
}

// Writing a clone while the original keeps changing saves the clone's
// state.
func TestWriteWhileLiveChanges(t *testing.T) {
	s := streams.New()
	for i := uint64(1); i <= 5000; i++ {
		s.Append(streams.ID{Ms: i}, [][]byte{[]byte("f"), []byte("v")}, streams.DefaultLimits)
	}
	st := &State{LSN: 1, Keys: []Key{{Name: "s", Stream: &Stream{Stream: s.Clone()}}}}
	want := dump(st)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := uint64(1); i <= 5000; i += 2 {
			s.Delete(streams.ID{Ms: i})
			s.Append(streams.ID{Ms: 5000 + i}, [][]byte{[]byte("f"), []byte("w")}, streams.DefaultLimits)
		}
	}()
	path := filepath.Join(t.TempDir(), "snap")
	if _, err := Write(path, st); err != nil {
		t.Fatal(err)
	}
	<-done
	got, _, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if dump(got) != want {
		t.Fatalf("snapshot does not hold the state at the capture: %s", firstDiff(dump(got), want))
	}
}

func TestFiles(t *testing.T) {
	dir := t.TempDir()
	for _, lsn := range []uint64{5, 300, 40} {
		tmp := TempPath(dir, lsn)
		if _, err := Write(tmp, &State{LSN: lsn}); err != nil {
			t.Fatal(err)
		}
		if _, err := Commit(tmp); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := Write(TempPath(dir, 301), &State{LSN: 301}); err != nil {
		t.Fatal(err)
	}
	files, err := List(dir)
	if err != nil || len(files) != 3 || files[0].LSN != 300 || files[2].LSN != 5 {
		t.Fatalf("list: %v %v", files, err)
	}
	if err := MarkBroken(files[0].Path); err != nil {
		t.Fatal(err)
	}
	if n, err := RemoveOlder(dir, 40); err != nil || n != 2 {
		t.Fatalf("removed %d (snapshot 5 and the temporary file), err %v", n, err)
	}
	files, _ = List(dir)
	if len(files) != 1 || files[0].LSN != 40 {
		t.Fatalf("left %v", files)
	}
	if _, err := os.Stat(filepath.Join(dir, "snap-00000000000000000300.snap.broken")); err != nil {
		t.Fatal("broken snapshot not kept aside")
	}
}

func firstDiff(got, want string) string {
	for i := range min(len(got), len(want)) {
		if got[i] != want[i] {
			lo := max(i-60, 0)
			return fmt.Sprintf("at byte %d: got ...%s... want ...%s...", i, got[lo:min(i+60, len(got))], want[lo:min(i+60, len(want))])
		}
	}
	return fmt.Sprintf("lengths %d and %d", len(got), len(want))
}
