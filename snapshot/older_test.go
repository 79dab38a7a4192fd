package snapshot

import (
	"fmt"
	"testing"

	"sluice/groups"
	"sluice/streams"
)

// Files written by earlier releases load: testdata/v2.snap and v3.snap
// were written by the releases whose format they carry, from a stream of
// 300 entries (two deleted) with a group of two pending entries; the
// version 3 one also with stream limits, group settings and per-key
// ordering (one entry held).
func TestOlderVersionsLoad(t *testing.T) {
	for _, v := range []int{2, 3} {
		t.Run(fmt.Sprint("v", v), func(t *testing.T) {
			st, info, err := Load(fmt.Sprintf("testdata/v%d.snap", v))
			if err != nil {
				t.Fatal(err)
			}
			if info.Keys != 2 || info.Streams != 1 || info.Entries != 298 || info.Refs != nil {
				t.Fatalf("info %+v", info)
			}
			var s *Stream
			for _, k := range st.Keys {
				if k.Name == "s" && k.DB == 2 {
					s = k.Stream
				}
			}
			if s == nil || s.Len() != 298 || s.FirstID() != (streams.ID{Ms: 1002}) || s.LastID() != (streams.ID{Ms: 1300}) ||
				s.MaxDeletedID() != (streams.ID{Ms: 1150}) || s.HotBytes() != s.Bytes() || s.Bytes() == 0 {
				t.Fatalf("stream len %d first %v last %v maxdel %v bytes %d hot %d", s.Len(), s.FirstID(), s.LastID(),
					s.MaxDeletedID(), s.Bytes(), s.HotBytes())
			}
			n := 0
			s.Range(streams.MinID, streams.MaxID, false, func(id streams.ID, fv [][]byte) bool {
				if n++; len(fv) != 4 || string(fv[0]) != "k" || fv[1][0] != 'a'+byte((id.Ms-1000)%3) {
					t.Fatalf("entry %v: %q", id, fv)
				}
				return true
			})
			if n != 298 || len(s.Groups) != 1 {
				t.Fatalf("%d entries, %d groups", n, len(s.Groups))
			}
			g := s.Groups[0]
			if g.Name() != "g" || g.PendingLen() != 2 {
				t.Fatalf("group %q, %d pending", g.Name(), g.PendingLen())
			}
			var want Retention
			var set groups.Settings
			order, held := "", 0
			if v == 3 {
				want = Retention{MaxAge: 60000, MaxLen: 1000, MaxBytes: 1 << 20, Discard: 2}
				set = groups.Settings{MaxDeliver: 5, DeadLetter: "dlq", AckWait: 30000}
				order, held = "k", 1
			}
			if s.Retention != want || g.Settings() != set || g.OrderBy() != order || g.Held() != held {
				t.Fatalf("retention %+v, settings %+v, order by %q with %d held", s.Retention, g.Settings(), g.OrderBy(), g.Held())
			}
		})
	}
}
