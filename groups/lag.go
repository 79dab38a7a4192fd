package groups

import "sluice/streams"

// StreamInfo is what the read counter and lag rules need to know about the
// group's stream.
type StreamInfo struct {
	Length, EntriesAdded uint64
	FirstID, LastID      streams.ID // FirstID is 0-0 when empty
	MaxDeletedID         streams.ID
}

// hasTombstonesFrom reports whether an entry at or after start was deleted
// (Redis's streamRangeHasTombstones with an open end).
func (s StreamInfo) hasTombstonesFrom(start streams.ID) bool {
	if s.Length == 0 || s.MaxDeletedID.IsZero() {
		return false
	}
	return !s.MaxDeletedID.Less(start)
}

// EntriesReadAt is the logical read counter of id, the number of entries
// added up to it, or InvalidEntriesRead when deletions make it unknowable
// (Redis's streamEstimateDistanceFromFirstEverEntry).
func (s StreamInfo) EntriesReadAt(id streams.ID) int64 {
	if s.EntriesAdded == 0 {
		return 0
	}
	if s.Length == 0 && id.Compare(s.LastID) < 1 {
		return int64(s.EntriesAdded)
	}
	if !id.IsZero() && id.Less(s.MaxDeletedID) {
		return InvalidEntriesRead
	}
	switch id.Compare(s.LastID) {
	case 0:
		return int64(s.EntriesAdded)
	case 1:
		return InvalidEntriesRead
	}
	if s.MaxDeletedID.IsZero() || s.MaxDeletedID.Less(s.FirstID) {
		switch id.Compare(s.FirstID) {
		case -1:
			return int64(s.EntriesAdded - s.Length)
		case 0:
			return int64(s.EntriesAdded - s.Length + 1)
		}
	}
	return InvalidEntriesRead
}

// Advanced returns the last delivered ID and read counter the group has
// after XREADGROUP delivers ids (in order; NOACK too), without changing
// it: the caller applies them with SetLastID.
func (g *Group) Advanced(ids []streams.ID, s StreamInfo) (streams.ID, int64) {
	last, read := g.lastID, g.entriesRead
	for _, id := range ids {
		if !last.Less(id) {
			continue
		}
		switch {
		case read != InvalidEntriesRead && !last.Less(s.FirstID) && !s.hasTombstonesFrom(last):
			read++
		case s.EntriesAdded != 0:
			read = s.EntriesReadAt(id)
		}
		last = id
	}
	return last, read
}

// Lag is how many stream entries the group has yet to read; ok is false when
// deletions make it unknowable and XINFO GROUPS shows null.
func (g *Group) Lag(s StreamInfo) (lag int64, ok bool) {
	switch {
	case s.EntriesAdded == 0, s.Length == 0:
		return 0, true
	case g.lastID.Less(s.FirstID) && s.MaxDeletedID.Less(s.FirstID):
		return int64(s.Length), true
	case g.entriesRead != InvalidEntriesRead && !s.hasTombstonesFrom(g.lastID):
		return int64(s.EntriesAdded) - g.entriesRead, true
	}
	read := s.EntriesReadAt(g.lastID)
	if read == InvalidEntriesRead {
		return 0, false
	}
	return int64(s.EntriesAdded) - read, true
}
