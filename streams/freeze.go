package streams

// Clone returns a read-only copy for a snapshot in O(1): both share every
// block, and the original clones a block before it next changes it.
func (s *Stream) Clone() *Stream {
	c := *s
	c.blocks = s.blocks.Copy()
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
	s.blocks.Scan(func(b *block) bool {
		x := Block{First: b.first, Last: b.last, Live: int(b.live), Deleted: int(b.deleted),
			LPBytes: int(b.lpBytes), Data: b.data, Loc: b.loc}
		if b.dels != nil {
			x.Dels = b.dels.bits
		}
		return fn(x)
	})
}

// LoadBlock appends a block read from a snapshot; blocks come in ID order
// and the stream owns Data and Dels from then on. Call SetFirstID and
// SetMeta after the last one.
func (s *Stream) LoadBlock(b Block) {
	nb := &block{first: b.First, last: b.Last, live: int32(b.Live), deleted: int32(b.Deleted),
		lpBytes: int32(b.LPBytes), gen: s.gen, data: b.Data, loc: b.Loc}
	if b.Cold() {
		nb.data = nil
		if len(b.Dels) > 0 {
			nb.dels = &delSet{bits: b.Dels}
		}
	} else {
		s.hot += uint64(len(b.Data))
	}
	s.blocks.Load(nb)
	s.length += uint64(b.Live)
	s.bytes += uint64(nb.size())
}

// SetFirstID sets the first live entry's ID of a loaded stream, which its
// loader knows: finding it could mean reading a cold block.
func (s *Stream) SetFirstID(id ID) { s.firstID = id }
