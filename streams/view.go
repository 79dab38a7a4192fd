package streams

import "encoding/binary"

// view is a block with its data at hand, wherever it lives, and for a cold
// block the entries deleted since it went cold. Entries are read through
// it, so that the walks need not know where the data is. It is only read.
type view struct {
	first ID
	data  []byte
	dels  []uint64
}

// view returns b's data, loading it when b is cold. A cold block that
// cannot be read panics with a *ReadError: the walk cannot go on, and the
// engine turns the panic into an error reply (see ReadError).
func (s *Stream) view(b block) view {
	switch {
	case s.isTail(b):
		return view{b.first, s.tailData, nil}
	case !b.cold():
		h, _ := s.hot.Get(hotData{first: b.first})
		return view{b.first, h.data, nil}
	}
	if s.src == nil {
		panic(&ReadError{Loc: b.loc, Err: errNoSource})
	}
	d, err := s.src.Load(b.loc)
	if err != nil {
		panic(&ReadError{Loc: b.loc, Err: err})
	}
	v := view{b.first, d, nil}
	if b.dels {
		x, _ := s.dels.Get(delBits{first: b.first})
		v.dels = x.bits
	}
	return v
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
// deleted: flagged in the data, or since the block went cold.
func (v view) deleted(ord int, flags byte) bool {
	return flags&flagDeleted != 0 || hasBit(v.dels, ord)
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
	id := ID{Ms: v.first.Ms + msd, Seq: seq}
	if msd == 0 {
		id.Seq += v.first.Seq
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
