package streams

// Clone returns a read-only copy for a snapshot in O(1): both share every
// block, and the original clones a block before it next changes it.
func (s *Stream) Clone() *Stream {
	c := *s
	c.blocks = s.blocks.Copy()
	s.gen++
	return &c
}

// Block is a packed block as a snapshot stores it.
type Block struct {
	First, Last   ID
	Live, Deleted int
	LPBytes       int
	Data          []byte
}

// EachBlock calls fn with every block in ID order. Data must not be changed.
func (s *Stream) EachBlock(fn func(Block) bool) {
	s.blocks.Scan(func(b *block) bool {
		return fn(Block{b.first, b.last, b.live, b.deleted, b.lpBytes, b.data})
	})
}

// LoadBlock appends a block read from a snapshot; blocks come in ID order
// and the stream owns Data from then on. Call SetMeta after the last one.
func (s *Stream) LoadBlock(b Block) {
	s.blocks.Load(&block{first: b.First, last: b.Last, live: b.Live, deleted: b.Deleted,
		lpBytes: b.LPBytes, gen: s.gen, data: b.Data})
	s.bytes += uint64(len(b.Data))
	if s.length == 0 {
		s.length = uint64(b.Live)
		s.Range(b.First, b.Last, false, func(id ID, _ [][]byte) bool {
			s.firstID = id
			return false
		})
		return
	}
	s.length += uint64(b.Live)
}
