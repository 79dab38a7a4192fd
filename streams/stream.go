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
//
// Entries are appended to the tail block, kept apart from the index so that
// an append touches no tree; a full tail is sealed into the index. Sealed
// blocks are hot (data in hot) or cold (data in a Source, deletions since
// in dels).
type Stream struct {
	blocks   *btree.BTreeG[block] // every block but the tail, by first ID
	hot      *btree.BTreeG[hotData]
	dels     *btree.BTreeG[delBits]
	tail     block // valid when hasTail
	tailData []byte
	tailGen  uint32 // gen when tailData became this stream's to write in
	hasTail  bool

	length       uint64
	lastID       ID
	firstID      ID // recorded-first-entry-id
	maxDeletedID ID
	entriesAdded uint64
	bytes        uint64 // data size of every block (Bytes)
	hotBytes     uint64 // the part of bytes in memory
	// gen increases at every Clone; data of an older generation may be
	// shared with a snapshot and is copied before any change.
	gen uint32
	src Source // where cold blocks are read from
}

func blockLess(a, b block) bool { return a.first.Less(b.first) }

// New returns an empty stream.
func New() *Stream {
	opts := btree.Options{NoLocks: true}
	return &Stream{blocks: btree.NewBTreeGOptions(blockLess, opts),
		hot: btree.NewBTreeGOptions(hotLess, opts), dels: btree.NewBTreeGOptions(delLess, opts)}
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
func (s *Stream) HotBytes() uint64 { return s.hotBytes }

// Blocks is the number of blocks (reported as radix-tree keys and nodes).
func (s *Stream) Blocks() int {
	if s.hasTail {
		return s.blocks.Len() + 1
	}
	return s.blocks.Len()
}

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
// and value; the bytes are copied. When the entry does not fit in the tail
// block, the tail is sealed and returned, to be made cold (see Cool).
func (s *Stream) Append(id ID, fv [][]byte, lim Limits) (sealed Sealed, ok bool) {
	if !s.hasTail {
		s.promote(fv, lim)
	}
	if s.hasTail && blockFull(&s.tail, fv, lim) {
		sealed, ok = s.seal(), true
	}
	if !s.hasTail {
		capHint := lim.MaxBytes
		if capHint <= 0 || capHint > 64<<10 {
			capHint = 4096
		}
		s.tail, s.tailData = startBlock(id, fv, capHint)
		s.tailGen, s.hasTail = s.gen, true
		s.grew(len(s.tailData))
	}
	// Appending past what a snapshot's copy of the tail covers needs no
	// copy: the snapshot never reads there.
	n := len(s.tailData)
	s.tailData = s.tail.appendEntry(s.tailData, id, fv)
	s.grew(len(s.tailData) - n)
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
	s.hotBytes += uint64(n)
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

// seal moves the tail, which does not grow again, into the index and hands
// it over. Its data is trimmed to size (the tail is allocated at the node
// size) unless it fills most of its room: a copy would cost more than the
// room it frees.
func (s *Stream) seal() Sealed {
	b, d := s.tail, s.tailData
	if cap(d)-len(d) > len(d)/8 {
		d = append(make([]byte, 0, len(d)), d...)
	}
	s.hasTail, s.tailData = false, nil
	s.blocks.Set(b)
	s.hot.Set(hotData{first: b.first, data: d, gen: frozenGen})
	return sealedOf(b, d)
}

// promote makes the last block of the index the tail again when fv fits in
// it, as Redis appends to its last node once the nodes after it are gone:
// a cold one is read back, with its deletions flagged in its data. If it
// cannot be read, a new tail starts instead.
func (s *Stream) promote(fv [][]byte, lim Limits) {
	b, ok := s.blocks.Max()
	if !ok || blockFull(&b, fv, lim) {
		return
	}
	var d []byte
	if b.cold() {
		if d, ok = s.thaw(b); !ok {
			return
		}
		if b.dels {
			s.dels.Delete(delBits{first: b.first})
		}
		s.hotBytes += uint64(len(d))
		b.loc, b.dels, b.lastOff = Loc{}, false, 0
	} else {
		h, _ := s.hot.Delete(hotData{first: b.first})
		d = h.data
		if h.gen != s.gen {
			d = append([]byte(nil), d...)
		}
	}
	s.blocks.Delete(b)
	s.tail, s.tailData, s.tailGen, s.hasTail = b, d, s.gen, true
}

// thaw returns a copy of a cold block's data with the deletions since it
// went cold flagged in it, or false when it cannot be read.
func (s *Stream) thaw(b block) (d []byte, ok bool) {
	defer func() {
		if r := recover(); r != nil {
			if _, isRead := r.(*ReadError); !isRead {
				panic(r)
			}
			d, ok = nil, false
		}
	}()
	v := s.view(b)
	d = append([]byte(nil), v.data...)
	var scratch [16][]byte
	off, ord := v.masterEnd(), 0
	for off < len(v.data) {
		_, flags, _, next := v.entryAt(off, scratch[:0])
		if v.deleted(ord, flags) {
			d[off] |= flagDeleted
		}
		off, ord = next, ord+1
	}
	return d, true
}

// isTail reports whether b is the tail block.
func (s *Stream) isTail(b block) bool { return s.hasTail && b.first == s.tail.first }

// put stores a changed block.
func (s *Stream) put(b block) {
	if s.isTail(b) {
		s.tail = b
		return
	}
	s.blocks.Set(b)
}

// ascend calls fn with the block starting at from, or the first after it,
// and every later one, the tail last, until fn returns false.
func (s *Stream) ascend(from ID, fn func(block) bool) {
	more := true
	s.blocks.Ascend(block{first: from}, func(b block) bool {
		more = fn(b)
		return more
	})
	if more && s.hasTail && !s.tail.first.Less(from) {
		fn(s.tail)
	}
}

// descend calls fn with the last block starting at or before from, and
// every earlier one, until fn returns false.
func (s *Stream) descend(from ID, fn func(block) bool) {
	if s.hasTail && !from.Less(s.tail.first) && !fn(s.tail) {
		return
	}
	s.blocks.Descend(block{first: from}, fn)
}

// findBlock returns the block that would hold id.
func (s *Stream) findBlock(id ID) (block, bool) {
	var found block
	ok := false
	s.descend(id, func(b block) bool {
		found, ok = b, true
		return false
	})
	if !ok || found.last.Less(id) {
		return block{}, false
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
			s.markDeleted(&b, off, ord)
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
func (s *Stream) removed(b block, n int) {
	b.live -= int32(n)
	b.deleted += int32(n)
	s.length -= uint64(n)
	if b.live == 0 {
		s.drop(b)
		return
	}
	s.put(b)
}

// drop removes b and its data.
func (s *Stream) drop(b block) {
	switch {
	case s.isTail(b):
		s.bytes -= uint64(len(s.tailData))
		s.hotBytes -= uint64(len(s.tailData))
		s.hasTail, s.tailData = false, nil
		return
	case b.cold():
		s.bytes -= uint64(b.loc.Len)
		if b.dels {
			s.dels.Delete(delBits{first: b.first})
		}
	default:
		h, _ := s.hot.Delete(hotData{first: b.first})
		s.bytes -= uint64(len(h.data))
		s.hotBytes -= uint64(len(h.data))
	}
	s.blocks.Delete(b)
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
	// Usually the tail's last entry is live: no need to walk it.
	if s.hasTail && s.tail.lastOff != 0 && s.tailData[s.tail.lastOff]&flagDeleted == 0 {
		return s.tail.last
	}
	var last ID
	s.Range(MinID, MaxID, true, func(id ID, _ [][]byte) bool {
		last = id
		return false
	})
	return last
}
