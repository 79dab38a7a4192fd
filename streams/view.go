package streams

import "encoding/binary"

// view is a block with its data at hand: the block's own for a hot block,
// the Source's for a cold one. Entries are read through it, so that the
// walks need not know where the data lives. A cold block's data is shared
// and never written: its deletions since it went cold are in dels.
type view struct {
	b    *block
	data []byte
}

// view returns b's data, loading it when b is cold. A cold block that
// cannot be read panics with a *ReadError: the walk cannot go on, and the
// engine turns the panic into an error reply (see ReadError).
func (s *Stream) view(b *block) view {
	if !b.cold() {
		return view{b, b.data}
	}
	if s.src == nil {
		panic(&ReadError{Loc: b.loc, Err: errNoSource})
	}
	d, err := s.src.Load(b.loc)
	if err != nil {
		panic(&ReadError{Loc: b.loc, Err: err})
	}
	return view{b, d}
}

// masterEnd returns the offset of the first entry.
func (v view) masterEnd() int {
	nf, off := binary.Uvarint(v.data)
	for i := uint64(0); i < nf; i++ {
		l, n := binary.Uvarint(v.data[off:])
		off += n + int(l)
	}
	return off
}

// deleted reports whether entry number ord, whose flags are given, is
// deleted: flagged in the data, or in dels since the block went cold.
func (v view) deleted(ord int, flags byte) bool {
	return flags&flagDeleted != 0 || v.b.dels.has(ord)
}

// entryAt decodes the entry at off into fv (reused) and returns its ID,
// flags, field/value pairs and the offset of the next entry.
func (v view) entryAt(off int, fv [][]byte) (ID, byte, [][]byte, int) {
	d := v.data
	flags := d[off]
	off++
	msd, n := binary.Uvarint(d[off:])
	off += n
	seq, n := binary.Uvarint(d[off:])
	off += n
	id := ID{Ms: v.b.first.Ms + msd, Seq: seq}
	if msd == 0 {
		id.Seq += v.b.first.Seq
	}
	fv = fv[:0]
	if flags&flagSameFields != 0 {
		nf, moff := binary.Uvarint(d)
		for i := uint64(0); i < nf; i++ {
			var f, x []byte
			f, moff = readBytes(d, moff)
			x, off = readBytes(d, off)
			fv = append(fv, f, x)
		}
	} else {
		nf, n := binary.Uvarint(d[off:])
		off += n
		for i := uint64(0); i < nf*2; i++ {
			var x []byte
			x, off = readBytes(d, off)
			fv = append(fv, x)
		}
	}
	return id, flags, fv, off
}

// offsets appends the offset of every entry.
func (v view) offsets(dst []int) []int {
	off := v.masterEnd()
	var scratch [16][]byte
	for off < len(v.data) {
		dst = append(dst, off)
		_, _, _, off = v.entryAt(off, scratch[:0])
	}
	return dst
}
