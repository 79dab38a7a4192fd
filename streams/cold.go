package streams

import (
	"errors"
	"fmt"
)

// Loc says where a cold block's data is kept: Off locates the block in File
// and Len is the data's length. The Source that gave it knows what the
// numbers mean; the stream only hands them back.
type Loc struct{ File, Off, Len uint32 }

// Source keeps the data of cold blocks, as NATS's file store keeps a
// stream's message blocks: the stream holds what finds a block, the Source
// its bytes. Load returns the data a sealed block had when it was written
// (Sealed.Data); the stream never changes it and reads it only until its
// next call into the Source.
type Source interface {
	Load(loc Loc) ([]byte, error)
}

// ReadError is the panic value of a walk that needs a cold block its Source
// cannot give back (an I/O error, a damaged file). Reads cannot go on
// without the entries, and a change that was half applied cannot be undone:
// the engine recovers the panic as it recovers any, replying an error and
// stopping itself if the command had already changed something.
type ReadError struct {
	Loc Loc
	Err error
}

func (e *ReadError) Error() string {
	return fmt.Sprintf("streams: cold block in file %d at offset %d (%d bytes): %v", e.Loc.File, e.Loc.Off, e.Loc.Len, e.Err)
}

func (e *ReadError) Unwrap() error { return e.Err }

var errNoSource = errors.New("the stream has no source for cold blocks")

// SetSource gives the stream the Source of its cold blocks.
func (s *Stream) SetSource(src Source) { s.src = src }

// hotData is the data of a sealed block in memory. gen is the stream's gen
// when the data became the stream's own to write in, or frozenGen once it
// is handed to a writer: a block whose gen is not the stream's copies its
// data before flagging a deletion in it (a snapshot or a writer reads it).
type hotData struct {
	first ID
	data  []byte
	gen   uint32
}

// delBits holds which entries of a cold block were deleted since it went
// cold, a bit each in block order; gen as hotData's.
type delBits struct {
	first ID
	bits  []uint64
	gen   uint32
}

// frozenGen marks data handed to a writer: no stream generation reaches it.
const frozenGen = ^uint32(0)

func hotLess(a, b hotData) bool { return a.first.Less(b.first) }
func delLess(a, b delBits) bool { return a.first.Less(b.first) }

func hasBit(bits []uint64, i int) bool {
	return i>>6 < len(bits) && bits[i>>6]&(1<<(i&63)) != 0
}

func setBit(bits []uint64, i int) []uint64 {
	for i>>6 >= len(bits) {
		bits = append(bits, 0)
	}
	bits[i>>6] |= 1 << (i & 63)
	return bits
}

// markDeleted marks entry number ord of b, at offset off of its data,
// deleted: flagged in the data while b is hot, in its set once cold. It
// copies first what a snapshot or a writer may share.
func (s *Stream) markDeleted(b *block, off, ord int) {
	switch {
	case s.isTail(*b):
		if s.tailGen != s.gen {
			s.tailData = append(make([]byte, 0, cap(s.tailData)), s.tailData...)
			s.tailGen = s.gen
		}
		s.tailData[off] |= flagDeleted
	case !b.cold():
		h, _ := s.hot.Get(hotData{first: b.first})
		if h.gen != s.gen {
			h.data, h.gen = append([]byte(nil), h.data...), s.gen
			s.hot.Set(h)
		}
		h.data[off] |= flagDeleted
	default:
		x, ok := s.dels.Get(delBits{first: b.first})
		if !ok {
			x = delBits{first: b.first, gen: s.gen}
		} else if x.gen != s.gen {
			x.bits, x.gen = append([]uint64(nil), x.bits...), s.gen
		}
		x.bits = setBit(x.bits, ord)
		s.dels.Set(x)
		b.dels = true
	}
}
