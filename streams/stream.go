package streams

import (
	"errors"

	"github.com/tidwall/btree"
)

// Limits bound a block as Redis's stream-node-max-bytes and
// stream-node-max-entries bound a node; zero means no limit.
type Limits struct {
	MaxBytes   int
	MaxEntries int
}

// DefaultLimits are Redis's defaults.
var DefaultLimits = Limits{MaxBytes: 4096, MaxEntries: 100}

// Errors for IDs that cannot be appended, as XADD reports them.
var (
	ErrIDTooSmall = errors.New("ERR The ID specified in XADD is equal or smaller than the target stream top item")
	ErrIDZero     = errors.New("ERR The ID specified in XADD must be greater than 0-0")
	ErrIDExhaust  = errors.New("ERR The stream has exhausted the last possible ID, unable to add more items")
)

// Stream is an append-only log of entries with Redis's stream metadata. It
// is not safe for concurrent use; the engine serializes access.
type Stream struct {
	blocks       *btree.BTreeG[*block]
	length       uint64
	lastID       ID
	firstID      ID // recorded-first-entry-id
	maxDeletedID ID
	entriesAdded uint64
	// bytes is the data size of the blocks in the tree (Bytes).
	bytes uint64
	// gen increases at every Freeze; blocks of an older generation may be
	// shared with a snapshot and are cloned before any change.
	gen uint64
	// pivot is the search key for tree walks; reusing it saves an
	// allocation per lookup (walks never nest and the engine serializes).
	pivot block
}

// pivotAt returns the search key for id.
func (s *Stream) pivotAt(id ID) *block {
	s.pivot.first = id
	return &s.pivot
}

func blockLess(a, b *block) bool { return a.first.Less(b.first) }

// New returns an empty stream.
func New() *Stream {
	return &Stream{blocks: btree.NewBTreeGOptions(blockLess, btree.Options{NoLocks: true})}
}

// Len is the number of live entries.
func (s *Stream) Len() uint64 { return s.length }

// LastID is the greatest ID ever added (or set by XSETID).
func (s *Stream) LastID() ID { return s.lastID }

// FirstID is the first live entry's ID, 0-0 when empty.
func (s *Stream) FirstID() ID { return s.firstID }

// MaxDeletedID is the greatest ID ever deleted.
func (s *Stream) MaxDeletedID() ID { return s.maxDeletedID }

// EntriesAdded counts every entry ever added.
func (s *Stream) EntriesAdded() uint64 { return s.entriesAdded }

// Bytes is the size of the entry data of every block the stream holds,
// deleted entries included until their block goes (as a listpack keeps
// them): what the stream costs to keep, for limits such as MAXBYTES.
func (s *Stream) Bytes() uint64 { return s.bytes }

// Blocks is the number of blocks (reported as radix-tree keys and nodes).
func (s *Stream) Blocks() int { return s.blocks.Len() }

// SetMeta sets what XSETID changes.
func (s *Stream) SetMeta(last ID, entriesAdded uint64, maxDeleted ID) {
	s.lastID, s.entriesAdded, s.maxDeletedID = last, entriesAdded, maxDeleted
}

// NextID returns the ID that "*" (auto) or "ms-*" (autoSeq, with ms given)
// gets after last at time nowMs.
func NextID(last ID, nowMs uint64, auto, autoSeq bool, ms uint64) (ID, error) {
	switch {
	case auto:
		if nowMs > last.Ms {
			return ID{nowMs, 0}, nil
		}
		id, ok := last.Next()
		if !ok {
			return ID{}, ErrIDExhaust
		}
		return id, nil
	case autoSeq:
		if ms == last.Ms {
			if last.Seq == ^uint64(0) {
				return ID{}, ErrIDTooSmall
			}
			return ID{ms, last.Seq + 1}, nil
		}
		if ms < last.Ms {
			return ID{}, ErrIDTooSmall
		}
		return ID{ms, 0}, nil
	}
	return ID{}, nil
}

// Append adds an entry whose ID is greater than LastID. fv alternates field
// and value; the bytes are copied.
func (s *Stream) Append(id ID, fv [][]byte, lim Limits) {
	tail, ok := s.blocks.Max()
	if ok && !blockFull(tail, fv, lim) {
		tail = s.mutable(tail)
		n := len(tail.data)
		tail.append(id, fv)
		s.bytes += uint64(len(tail.data) - n)
	} else {
		if ok {
			s.seal(tail)
		}
		capHint := lim.MaxBytes
		if capHint <= 0 || capHint > 64<<10 {
			capHint = 4096
		}
		b := newBlock(id, fv, s.gen, capHint)
		b.append(id, fv)
		s.blocks.Set(b)
		s.bytes += uint64(len(b.data))
	}
	if s.length == 0 {
		s.firstID = id
	}
	s.length++
	s.entriesAdded++
	s.lastID = id
}

// blockFull applies Redis's rule from streamAppendItem: a new node when the
// listpack plus the new raw field and value bytes reach max bytes, or when
// live plus deleted entries reach max entries.
func blockFull(b *block, fv [][]byte, lim Limits) bool {
	maxBytes := lim.MaxBytes
	if maxBytes <= 0 || maxBytes > 1<<30 {
		maxBytes = 1 << 30
	}
	raw := 0
	for _, x := range fv {
		raw += len(x)
	}
	if b.listpackSize()+raw >= maxBytes {
		return true
	}
	return lim.MaxEntries > 0 && b.live+b.deleted >= lim.MaxEntries
}

// seal trims a finished tail block to its exact size: the tail is
// allocated at the node size, and a sealed block never grows again.
func (s *Stream) seal(b *block) {
	if cap(b.data) == len(b.data) {
		return
	}
	if b.gen != s.gen {
		// shared with a snapshot: the trimmed copy replaces it in the tree
		c := *b
		c.gen = s.gen
		b = &c
		s.blocks.Set(b)
	}
	b.data = append(make([]byte, 0, len(b.data)), b.data...)
}

// mutable returns b, or a private clone set in its place when b may be
// shared with a snapshot.
func (s *Stream) mutable(b *block) *block {
	if b.gen == s.gen {
		return b
	}
	c := b.clone(s.gen)
	s.blocks.Set(c)
	return c
}

// findBlock returns the block that would hold id.
func (s *Stream) findBlock(id ID) (*block, bool) {
	var found *block
	s.blocks.Descend(s.pivotAt(id), func(b *block) bool {
		found = b
		return false
	})
	if found == nil || found.last.Less(id) {
		return nil, false
	}
	return found, true
}

// Get calls fn with the entry's fields and values if id is live. The slices
// are valid only during fn.
func (s *Stream) Get(id ID, fn func(fv [][]byte)) bool {
	b, ok := s.findBlock(id)
	if !ok {
		return false
	}
	var scratch [16][]byte
	off, _ := b.masterEnd()
	for off < len(b.data) {
		eid, flags, fv, next := b.entryAt(off, scratch[:0])
		if eid == id {
			if flags&flagDeleted != 0 {
				return false
			}
			if fn != nil {
				fn(fv)
			}
			return true
		}
		if id.Less(eid) {
			return false
		}
		off = next
	}
	return false
}

// Delete removes a live entry, as XDEL does, and reports whether it existed.
func (s *Stream) Delete(id ID) bool {
	b, ok := s.findBlock(id)
	if !ok {
		return false
	}
	off, _ := b.masterEnd()
	var scratch [16][]byte
	for off < len(b.data) {
		eid, flags, _, next := b.entryAt(off, scratch[:0])
		if id.Less(eid) {
			return false
		}
		if eid == id {
			if flags&flagDeleted != 0 {
				return false
			}
			b = s.mutable(b)
			b.data[off] |= flagDeleted
			s.removed(b, 1)
			if s.maxDeletedID.Less(id) {
				s.maxDeletedID = id
			}
			s.refreshFirst(id)
			return true
		}
		off = next
	}
	return false
}

// removed accounts for n entries of b marked deleted, dropping b when empty.
func (s *Stream) removed(b *block, n int) {
	b.live -= n
	b.deleted += n
	s.length -= uint64(n)
	if b.live == 0 {
		s.drop(b)
	}
}

// drop removes b from the tree.
func (s *Stream) drop(b *block) {
	s.blocks.Delete(b)
	s.bytes -= uint64(len(b.data))
}

// refreshFirst recomputes the first live ID after deleting id.
func (s *Stream) refreshFirst(deleted ID) {
	if s.length == 0 {
		s.firstID = ID{}
		return
	}
	if deleted == s.firstID {
		s.Range(deleted, MaxID, false, func(id ID, _ [][]byte) bool {
			s.firstID = id
			return false
		})
	}
}

// LastEntryID is the ID of the last live entry (0-0 when empty), which can
// be below LastID after deletions.
func (s *Stream) LastEntryID() ID {
	// Usually the tail block's last entry is live: no need to walk it.
	if b, ok := s.blocks.Max(); ok && b.lastOff != 0 && b.data[b.lastOff]&flagDeleted == 0 {
		return b.last
	}
	var last ID
	s.Range(MinID, MaxID, true, func(id ID, _ [][]byte) bool {
		last = id
		return false
	})
	return last
}
