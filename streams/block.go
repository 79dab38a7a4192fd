package streams

import "encoding/binary"

// A block packs consecutive entries into one byte slice, as Redis packs them
// into a listpack under a radix-tree node. Its data starts with the master
// field names (those of the block's first entry); every entry then holds:
//
//	flags byte | uvarint ms-first.Ms | uvarint seq (minus first.Seq when ms is equal)
//	[uvarint nfields | fields...]   only without flagSameFields
//	values...                       each as uvarint length + bytes
//
// A block is self-contained: first ID plus data decode every entry, so a
// sealed block can move to disk as it is. Blocks shared with a snapshot are
// never written to: mutations clone first (see Stream.mutable).
type block struct {
	first   ID
	last    ID // last entry ever appended, deleted or not
	live    int
	deleted int
	lpBytes int    // listpack-equivalent size less the counts (see listpackSize)
	lastOff int    // offset of the entry last appended; 0 = not known (loaded block)
	gen     uint64 // Stream.gen at creation; older blocks may be shared with a snapshot
	data    []byte
}

const (
	flagDeleted    = 1
	flagSameFields = 2
)

func newBlock(id ID, fv [][]byte, gen uint64, capHint int) *block {
	b := &block{first: id, gen: gen}
	n := uvarintLen(uint64(len(fv) / 2))
	for i := 0; i < len(fv); i += 2 {
		n += uvarintLen(uint64(len(fv[i]))) + len(fv[i])
	}
	if capHint < n {
		capHint = n
	}
	b.data = make([]byte, 0, capHint)
	b.data = binary.AppendUvarint(b.data, uint64(len(fv)/2))
	for i := 0; i < len(fv); i += 2 {
		b.data = appendBytes(b.data, fv[i])
	}
	b.lpBytes = lpMasterSize(fv)
	return b
}

// listpackSize is the size Redis's listpack for this node would have.
func (b *block) listpackSize() int {
	return b.lpBytes + lpIntSize(int64(b.live)) + lpIntSize(int64(b.deleted))
}

// masterEnd returns the offset of the first entry and the number of master fields.
func (b *block) masterEnd() (int, int) {
	nf, off := binary.Uvarint(b.data)
	for i := uint64(0); i < nf; i++ {
		l, n := binary.Uvarint(b.data[off:])
		off += n + int(l)
	}
	return off, int(nf)
}

// sameFields reports whether fv's field names equal the master fields.
func (b *block) sameFields(fv [][]byte) bool {
	nf, off := binary.Uvarint(b.data)
	if int(nf) != len(fv)/2 {
		return false
	}
	for i := 0; i < len(fv); i += 2 {
		l, n := binary.Uvarint(b.data[off:])
		off += n
		if string(b.data[off:off+int(l)]) != string(fv[i]) {
			return false
		}
		off += int(l)
	}
	return true
}

func (b *block) append(id ID, fv [][]byte) {
	same := b.sameFields(fv)
	var flags byte
	if same {
		flags = flagSameFields
	}
	b.lastOff = len(b.data)
	b.data = append(b.data, flags)
	b.data = binary.AppendUvarint(b.data, id.Ms-b.first.Ms)
	seq := id.Seq
	if id.Ms == b.first.Ms {
		seq -= b.first.Seq
	}
	b.data = binary.AppendUvarint(b.data, seq)
	if same {
		for i := 1; i < len(fv); i += 2 {
			b.data = appendBytes(b.data, fv[i])
		}
	} else {
		b.data = binary.AppendUvarint(b.data, uint64(len(fv)/2))
		for _, x := range fv {
			b.data = appendBytes(b.data, x)
		}
	}
	b.last = id
	b.live++
	b.lpBytes += lpEntrySize(b.first, id, fv, same)
}

// entryAt decodes the entry at off into fv (reused) and returns its ID,
// flags, field/value pairs and the offset of the next entry.
func (b *block) entryAt(off int, fv [][]byte) (ID, byte, [][]byte, int) {
	d := b.data
	flags := d[off]
	off++
	msd, n := binary.Uvarint(d[off:])
	off += n
	seq, n := binary.Uvarint(d[off:])
	off += n
	id := ID{Ms: b.first.Ms + msd, Seq: seq}
	if msd == 0 {
		id.Seq += b.first.Seq
	}
	fv = fv[:0]
	if flags&flagSameFields != 0 {
		nf, moff := binary.Uvarint(d)
		for i := uint64(0); i < nf; i++ {
			var f, v []byte
			f, moff = readBytes(d, moff)
			v, off = readBytes(d, off)
			fv = append(fv, f, v)
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

// clone returns a private copy that a snapshot does not share.
func (b *block) clone(gen uint64) *block {
	c := *b
	c.gen = gen
	c.data = append(make([]byte, 0, cap(b.data)), b.data...)
	return &c
}

func appendBytes(dst, x []byte) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(x)))
	return append(dst, x...)
}

func readBytes(d []byte, off int) ([]byte, int) {
	l, n := binary.Uvarint(d[off:])
	off += n
	return d[off : off+int(l) : off+int(l)], off + int(l)
}

func uvarintLen(x uint64) int {
	n := 1
	for x >= 0x80 {
		x >>= 7
		n++
	}
	return n
}
