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
	// hot is the data size of the hot blocks; the rest of bytes is cold.
	hot uint64
	// gen increases at every Clone; blocks of an older generation may be
	// shared with a snapshot and are cloned before any change.
	gen uint32
	src Source // where cold blocks are read from
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

// HotBytes is the part of Bytes held in memory; the rest is in cold blocks.
func (s *Stream) HotBytes() uint64 { return s.hot }

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
// and value; the bytes are copied. When the entry starts a new block, the
// block before it is sealed and returned, to be made cold (see Cool).
func (s *Stream) Append(id ID, fv [][]byte, lim Limits) (sealed Sealed, ok bool) {
	tail, has := s.blocks.Max()
	if has && tail.cold() {
		// Its successors were deleted: grow it again, as Redis does.
		if t := s.thaw(tail); t != nil {
			tail = t
		}
	}
	if has && !tail.cold() && !blockFull(tail, fv, lim) {
		tail = s.mutable(tail)
		n := len(tail.data)
		tail.append(id, fv)
		s.grew(len(tail.data) - n)
	} else {
		if has && !tail.cold() {
			sealed, ok = s.handOver(s.seal(tail)), true
		}
		capHint := lim.MaxBytes
		if capHint <= 0 || capHint > 64<<10 {
			capHint = 4096
		}
		b := newBlock(id, fv, s.gen, capHint)
		b.append(id, fv)
		s.blocks.Set(b)
		s.grew(len(b.data))
	}
	if s.length == 0 {
		s.firstID = id
	}
	s.length++
	s.entriesAdded++
	s.lastID = id
	return sealed, ok
}

func (s *Stream) grew(n int) {
	s.bytes += uint64(n)
	s.hot += uint64(n)
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
	return lim.MaxEntries > 0 && int(b.live)+int(b.deleted) >= lim.MaxEntries
}

// seal trims a finished tail block to its size, since a sealed block never
// grows again (the tail is allocated at the node size), and returns the
// block as the tree now holds it. A block that fills most of its room is
// left as it is: a copy would cost more than the room it frees.
func (s *Stream) seal(b *block) *block {
	if cap(b.data)-len(b.data) <= len(b.data)/8 {
		return b
	}
	if b.gen != s.gen {
		// shared with a snapshot: the trimmed copy replaces it in the tree
		c := *b
		c.gen = s.gen
		b = &c
		s.blocks.Set(b)
	}
	b.data = append(make([]byte, 0, len(b.data)), b.data...)
	return b
}

// mutable returns b, or a private clone set in its place when b may be
// shared with a snapshot or a writer.
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
	v := s.view(b)
	var scratch [16][]byte
	off, ord := v.masterEnd(), 0
	for off < len(v.data) {
		eid, flags, fv, next := v.entryAt(off, scratch[:0])
		if eid == id {
			if v.deleted(ord, flags) {
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
		off, ord = next, ord+1
	}
	return false
}

// Delete removes a live entry, as XDEL does, and reports whether it existed.
func (s *Stream) Delete(id ID) bool {
	b, ok := s.findBlock(id)
	if !ok {
		return false
	}
	v := s.view(b)
	var scratch [16][]byte
	off, ord := v.masterEnd(), 0
	for off < len(v.data) {
		eid, flags, _, next := v.entryAt(off, scratch[:0])
		if id.Less(eid) {
			return false
		}
		if eid == id {
			if v.deleted(ord, flags) {
				return false
			}
			b = s.mutable(b)
			b.markDeleted(off, ord)
			s.removed(b, 1)
			if s.maxDeletedID.Less(id) {
				s.maxDeletedID = id
			}
			s.refreshFirst(id)
			return true
		}
		off, ord = next, ord+1
	}
	return false
}

// removed accounts for n entries of b marked deleted, dropping b when empty.
func (s *Stream) removed(b *block, n int) {
	b.live -= int32(n)
	b.deleted += int32(n)
	s.length -= uint64(n)
	if b.live == 0 {
		s.drop(b)
	}
}

// drop removes b from the tree.
func (s *Stream) drop(b *block) {
	s.blocks.Delete(b)
	s.bytes -= uint64(b.size())
	if !b.cold() {
		s.hot -= uint64(len(b.data))
	}
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
	if b, ok := s.blocks.Max(); ok && !b.cold() && b.lastOff != 0 && b.data[b.lastOff]&flagDeleted == 0 {
		return b.last
	}
	var last ID
	s.Range(MinID, MaxID, true, func(id ID, _ [][]byte) bool {
		last = id
		return false
	})
	return last
}
