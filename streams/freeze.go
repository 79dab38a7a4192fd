package streams

// Clone returns a read-only copy for a snapshot in O(1): both share every
// block, and the original copies data before it next changes it.
func (s *Stream) Clone() *Stream {
	c := *s
	c.blocks, c.hot, c.dels = s.blocks.Copy(), s.hot.Copy(), s.dels.Copy()
	s.gen++
	return &c
}

// Block is a block as a snapshot stores it: a hot block with its data, or
// a cold one with where its data is (Loc) and the entries deleted since it
// went cold (Dels, a bit per entry in block order; nil if none).
type Block struct {
	First, Last   ID
	Live, Deleted int
	LPBytes       int
	Data          []byte
	Loc           Loc
	Dels          []uint64
}

// Cold reports whether the block's data is elsewhere (Loc).
func (b Block) Cold() bool { return b.Loc.Len != 0 }

// EachBlock calls fn with every block in ID order. Data and Dels must not
// be changed.
func (s *Stream) EachBlock(fn func(Block) bool) {
	more := true
	// Walk hands over the tree's items a node at a time, not copied one
	// by one: a snapshot walks a long stream's whole index.
	s.blocks.Walk(func(bs []block) bool {
		for i := range bs {
			b := &bs[i]
			x := Block{First: b.first, Last: b.last, Live: int(b.live), Deleted: int(b.deleted),
				LPBytes: int(b.lpBytes), Loc: b.loc}
			switch {
			case !b.cold():
				h, _ := s.hot.Get(hotData{first: b.first})
				x.Data = h.data
			case b.dels:
				d, _ := s.dels.Get(delBits{first: b.first})
				x.Dels = d.bits
			}
			if more = fn(x); !more {
				return false
			}
		}
		return true
	})
	if more && s.hasTail {
		b := s.tail
		fn(Block{First: b.first, Last: b.last, Live: int(b.live), Deleted: int(b.deleted),
			LPBytes: int(b.lpBytes), Data: s.tailData})
	}
}

// LoadBlock appends a block read from a snapshot; blocks come in ID order
// and the stream owns Data and Dels from then on. Call SetFirstID and
// SetMeta after the last one.
func (s *Stream) LoadBlock(b Block) {
	nb := block{first: b.First, last: b.Last, live: int32(b.Live), deleted: int32(b.Deleted),
		lpBytes: int32(b.LPBytes), loc: b.Loc}
	if b.Cold() {
		if len(b.Dels) > 0 {
			nb.dels = true
			s.dels.Load(delBits{first: b.First, bits: b.Dels, gen: s.gen})
		}
		s.bytes += uint64(b.Loc.Len)
	} else {
		s.hot.Load(hotData{first: b.First, data: b.Data, gen: s.gen})
		s.bytes += uint64(len(b.Data))
		s.hotBytes += uint64(len(b.Data))
	}
	s.blocks.Load(nb)
	s.length += uint64(b.Live)
}

// SetFirstID sets the first live entry's ID of a loaded stream, which its
// loader knows: finding it could mean reading a cold block.
func (s *Stream) SetFirstID(id ID) { s.firstID = id }
