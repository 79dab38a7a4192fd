package groups

import (
	"testing"

	"sluice/streams"
)

// stream1to5 is a stream that had entries 1..5 added and none deleted.
var stream1to5 = StreamInfo{Length: 5, EntriesAdded: 5, FirstID: id(1), LastID: id(5)}

func TestEntriesReadAt(t *testing.T) {
	trimmed := StreamInfo{Length: 3, EntriesAdded: 5, FirstID: id(3), LastID: id(5), MaxDeletedID: id(2)}
	holed := StreamInfo{Length: 4, EntriesAdded: 5, FirstID: id(1), LastID: id(5), MaxDeletedID: id(3)}
	emptied := StreamInfo{EntriesAdded: 5, LastID: id(5), MaxDeletedID: id(5)}
	cases := []struct {
		name string
		s    StreamInfo
		at   streams.ID
		want int64
	}{
		{"never used", StreamInfo{}, id(7), 0},
		{"last", stream1to5, id(5), 5},
		{"first", stream1to5, id(1), 1},
		{"before first", stream1to5, streams.MinID, 0},
		{"middle", stream1to5, id(3), InvalidEntriesRead},
		{"future", stream1to5, id(9), InvalidEntriesRead},
		{"trimmed before first", trimmed, id(2), 2},
		{"trimmed first", trimmed, id(3), 3},
		{"behind a deletion", holed, id(2), InvalidEntriesRead},
		{"after a deletion", holed, id(4), InvalidEntriesRead},
		{"emptied", emptied, id(4), 5},
		{"emptied future", emptied, id(6), InvalidEntriesRead},
	}
	for _, c := range cases {
		if got := c.s.EntriesReadAt(c.at); got != c.want {
			t.Errorf("%s: got %d, want %d", c.name, got, c.want)
		}
	}
}

func TestAdvanceAndLag(t *testing.T) {
	g := New("g", streams.MinID, 0)
	if lag, ok := g.Lag(stream1to5); !ok || lag != 5 {
		t.Fatalf("lag before reading %d %v", lag, ok)
	}
	for ms := uint64(1); ms <= 3; ms++ {
		if !advance(g, id(ms), stream1to5) {
			t.Fatalf("advance to %d", ms)
		}
	}
	if advance(g, id(2), stream1to5) || g.EntriesRead() != 3 || g.LastID() != id(3) {
		t.Fatalf("read %d last %v", g.EntriesRead(), g.LastID())
	}
	if lag, ok := g.Lag(stream1to5); !ok || lag != 2 {
		t.Fatalf("lag %d %v", lag, ok)
	}

	// An unknown counter is re-estimated at each entry.
	g.SetLastID(id(3), InvalidEntriesRead)
	advance(g, id(4), stream1to5)
	if g.EntriesRead() != InvalidEntriesRead {
		t.Fatalf("middle entry estimated as %d", g.EntriesRead())
	}
	advance(g, id(5), stream1to5)
	if g.EntriesRead() != 5 {
		t.Fatalf("last entry estimated as %d", g.EntriesRead())
	}

	// A deletion ahead of the group makes lag unknowable.
	holed := StreamInfo{Length: 4, EntriesAdded: 5, FirstID: id(1), LastID: id(5), MaxDeletedID: id(4)}
	g.SetLastID(id(2), 2)
	if _, ok := g.Lag(holed); ok {
		t.Fatal("lag across a deletion")
	}
	advance(g, id(3), holed)
	if g.EntriesRead() != InvalidEntriesRead {
		t.Fatalf("counter across a deletion %d", g.EntriesRead())
	}
	// Behind the first entry with deletions only before it, lag is the length.
	trimmed := StreamInfo{Length: 2, EntriesAdded: 5, FirstID: id(4), LastID: id(5), MaxDeletedID: id(3)}
	if lag, ok := g.Lag(trimmed); !ok || lag != 2 {
		t.Fatalf("lag behind the first entry %d %v", lag, ok)
	}
	// An unknown counter at the stream's last entry is estimated.
	g.SetLastID(id(5), InvalidEntriesRead)
	if lag, ok := g.Lag(stream1to5); !ok || lag != 0 {
		t.Fatalf("estimated lag %d %v", lag, ok)
	}
	if lag, ok := g.Lag(StreamInfo{EntriesAdded: 5, LastID: id(5)}); !ok || lag != 0 {
		t.Fatal("lag of an emptied stream")
	}
}
