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

// delSet holds which entries of a cold block were deleted after it went
// cold, by their number in the block: a bit each.
type delSet struct{ bits []uint64 }

func (d *delSet) has(ord int) bool {
	return d != nil && ord>>6 < len(d.bits) && d.bits[ord>>6]&(1<<(ord&63)) != 0
}

func (d *delSet) clone() *delSet {
	if d == nil {
		return nil
	}
	return &delSet{bits: append([]uint64(nil), d.bits...)}
}

// setDeleted marks entry ord deleted in b's set, making the set if needed.
func (b *block) setDeleted(ord int) {
	if b.dels == nil {
		b.dels = &delSet{}
	}
	for ord>>6 >= len(b.dels.bits) {
		b.dels.bits = append(b.dels.bits, 0)
	}
	b.dels.bits[ord>>6] |= 1 << (ord & 63)
}

// markDeleted marks the entry at off, number ord, deleted in b (a block
// the stream owns): in its data while hot, in its set once cold.
func (b *block) markDeleted(off, ord int) {
	if b.cold() {
		b.setDeleted(ord)
		return
	}
	b.data[off] |= flagDeleted
}
