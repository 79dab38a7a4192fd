package streams

// Sealed is a block that will not grow again, handed over to be written
// where cold blocks are kept; Cool then makes it cold. Data must not be
// changed: the stream never writes to it again (changes clone the block).
type Sealed struct {
	First, Last   ID
	Live, Deleted int
	LPBytes       int
	Data          []byte
	b             *block
	gen           uint32 // the stream's gen when it was handed over
}

// handOver freezes b, which the stream holds and which does not grow
// again, and describes it for the writer. The block frozen is a struct no
// snapshot shares (b's, or a copy set in its place), so that once cold
// its data can be let go of (see Retired).
func (s *Stream) handOver(b *block) Sealed {
	if b.gen != s.gen {
		c := *b
		b = &c
		s.blocks.Set(b)
	}
	b.gen = frozenGen
	return Sealed{First: b.first, Last: b.last, Live: int(b.live), Deleted: int(b.deleted),
		LPBytes: int(b.lpBytes), Data: b.data, b: b, gen: s.gen}
}

// SealedHot calls fn with every hot block that is not the tail, handing
// each over: blocks loaded hot from a snapshot, or copied, that no Append
// sealed in this process.
func (s *Stream) SealedHot(fn func(Sealed)) {
	tail, _ := s.blocks.Max()
	var hot []*block // handOver may change the tree: not while walking it
	s.blocks.Scan(func(b *block) bool {
		if b != tail && !b.cold() {
			hot = append(hot, b)
		}
		return true
	})
	for _, b := range hot {
		fn(s.handOver(b))
	}
}

// Cool makes the block sd describes cold, its data now at loc, and reports
// whether it did. It does not when the block is gone (trimmed, deleted),
// cold already, the tail again (the blocks after it were deleted, so it
// may grow), or grown since it was sealed (it is then handed over again
// when it is sealed again). Entries deleted since it was sealed, in a
// private copy, go to the block's set of deletions.
//
// The hot block structs it replaces let go of their data, unless a
// snapshot taken since sd was handed over may still read them: those are
// returned, to be released once it is done (the B-tree may keep pointers
// to replaced items in the spare room of its nodes, so the data would
// otherwise stay in memory).
func (s *Stream) Cool(sd Sealed, loc Loc) (bool, Retired) {
	if loc.Len == 0 || int(loc.Len) != len(sd.Data) {
		return false, Retired{}
	}
	b, ok := s.blocks.Get(s.pivotAt(sd.First))
	if !ok || b.cold() || len(b.data) != len(sd.Data) {
		return false, Retired{}
	}
	if tail, _ := s.blocks.Max(); tail == b {
		return false, Retired{}
	}
	c := &block{first: b.first, last: b.last, live: b.live, deleted: b.deleted, lpBytes: b.lpBytes,
		gen: s.gen, loc: loc}
	if b != sd.b {
		// A clone: only deletion flags can differ from what was written.
		now := view{b, b.data}
		var scratch [16][]byte
		off, ord := now.masterEnd(), 0
		for off < len(b.data) {
			_, flags, _, next := now.entryAt(off, scratch[:0])
			if flags&flagDeleted != 0 && sd.Data[off]&flagDeleted == 0 {
				c.setDeleted(ord)
			}
			off, ord = next, ord+1
		}
	}
	s.blocks.Set(c)
	s.hot -= uint64(len(b.data))
	r := Retired{sd.b, b}
	if s.gen == sd.gen {
		r.Release()
		r = Retired{}
	}
	return true, r
}

// Retired holds hot block structs replaced by their cold form, which a
// snapshot may still be reading.
type Retired struct{ a, b *block }

// Pending reports whether r holds blocks to release.
func (r Retired) Pending() bool { return r.a != nil }

// Release lets go of the data of the blocks r holds: call it when no
// snapshot taken before they were retired is still being read.
func (r Retired) Release() {
	for _, b := range []*block{r.a, r.b} {
		if b != nil {
			b.data = nil
		}
	}
}

// thaw makes a cold tail block hot again so that it can grow, as Redis
// appends to its last node: its data copied, with the deletions of its
// set flagged in it. It returns nil when the data cannot be read; the
// stream then starts a new block instead.
func (s *Stream) thaw(b *block) (hot *block) {
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(*ReadError); !ok {
				panic(r)
			}
			hot = nil
		}
	}()
	v := s.view(b)
	h := *b
	h.gen, h.loc, h.dels, h.lastOff = s.gen, Loc{}, nil, 0
	h.data = append([]byte(nil), v.data...)
	var scratch [16][]byte
	off, ord := v.masterEnd(), 0
	for off < len(v.data) {
		_, flags, _, next := v.entryAt(off, scratch[:0])
		if v.deleted(ord, flags) {
			h.data[off] |= flagDeleted
		}
		off, ord = next, ord+1
	}
	s.blocks.Set(&h)
	s.hot += uint64(len(h.data))
	return &h
}

// EachCold calls fn with the first ID and place of every cold block whose
// first ID is within [from, to], in order, until fn returns false.
func (s *Stream) EachCold(from, to ID, fn func(first ID, loc Loc) bool) {
	s.blocks.Ascend(s.pivotAt(from), func(b *block) bool {
		if to.Less(b.first) {
			return false
		}
		return !b.cold() || fn(b.first, b.loc)
	})
}

// Relocate points the cold block that starts at first to a copy of its
// data at to, if it is still at from, and reports whether it did.
func (s *Stream) Relocate(first ID, from, to Loc) bool {
	b, ok := s.blocks.Get(s.pivotAt(first))
	if !ok || b.loc != from || to.Len != from.Len {
		return false
	}
	b = s.mutable(b)
	b.loc = to
	return true
}
