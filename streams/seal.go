package streams

// Sealed is a block that will not grow again, handed over to be written
// where cold blocks are kept; Cool then makes it cold. Data must not be
// changed: the stream never writes to it again (changes copy it first).
type Sealed struct {
	First, Last   ID
	Live, Deleted int
	LPBytes       int
	Data          []byte
}

func sealedOf(b block, d []byte) Sealed {
	return Sealed{First: b.first, Last: b.last, Live: int(b.live), Deleted: int(b.deleted),
		LPBytes: int(b.lpBytes), Data: d}
}

// SealedHot calls fn with every hot block of the index, handing each over:
// blocks loaded hot from a snapshot, or copied, that no Append sealed in
// this process.
func (s *Stream) SealedHot(fn func(Sealed)) {
	var hot []hotData // freezing changes the tree: not while walking it
	s.hot.Scan(func(h hotData) bool {
		hot = append(hot, h)
		return true
	})
	for _, h := range hot {
		b, _ := s.blocks.Get(block{first: h.first})
		h.gen = frozenGen
		s.hot.Set(h)
		fn(sealedOf(b, h.data))
	}
}

// Cool makes the block sd describes cold, its data now at loc, and reports
// whether it did. It does not when the block is no longer in the index
// (trimmed, deleted, or the tail again because the blocks after it went),
// is cold already, or was handed over again since (its data then differs
// in length or place). Entries deleted since it was sealed, flagged in a
// copy of its data, go to its set of deletions.
func (s *Stream) Cool(sd Sealed, loc Loc) bool {
	if loc.Len == 0 || int(loc.Len) != len(sd.Data) {
		return false
	}
	b, ok := s.blocks.Get(block{first: sd.First})
	if !ok || b.cold() {
		return false
	}
	h, _ := s.hot.Get(hotData{first: sd.First})
	if len(h.data) != len(sd.Data) {
		return false
	}
	var bits []uint64
	if &h.data[0] != &sd.Data[0] {
		// A copy: only deletion flags can differ from what was written.
		v := view{b.first, h.data, nil}
		var scratch [16][]byte
		off, ord := v.masterEnd(), 0
		for off < len(h.data) {
			_, flags, _, next := v.entryAt(off, scratch[:0])
			if flags&flagDeleted != 0 && sd.Data[off]&flagDeleted == 0 {
				bits = setBit(bits, ord)
			}
			off, ord = next, ord+1
		}
	}
	s.hot.Delete(h)
	s.hotBytes -= uint64(len(h.data))
	b.loc, b.dels = loc, bits != nil
	if b.dels {
		s.dels.Set(delBits{first: b.first, bits: bits, gen: s.gen})
	}
	s.blocks.Set(b)
	return true
}

// EachCold calls fn with the first ID and place of every cold block whose
// first ID is within [from, to], in order, until fn returns false.
func (s *Stream) EachCold(from, to ID, fn func(first ID, loc Loc) bool) {
	s.blocks.Ascend(block{first: from}, func(b block) bool {
		if to.Less(b.first) {
			return false
		}
		return !b.cold() || fn(b.first, b.loc)
	})
}

// Relocate points the cold block that starts at first to a copy of its
// data at to, if it is still at from, and reports whether it did.
func (s *Stream) Relocate(first ID, from, to Loc) bool {
	b, ok := s.blocks.Get(block{first: first})
	if !ok || b.loc != from || to.Len != from.Len {
		return false
	}
	b.loc = to
	s.blocks.Set(b)
	return true
}
