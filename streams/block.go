package streams

import (
	"encoding/binary"
	"math"
)

// A block packs consecutive entries into one byte slice, as Redis packs them
// into a listpack under a radix-tree node. Its data starts with the master
// field names (those of the block's first entry); every entry then holds:
//
//	flags byte | uvarint ms-first.Ms | uvarint seq (minus first.Seq when ms is equal)
//	[uvarint nfields | fields...]   only without flagSameFields
//	values...                       each as uvarint length + bytes
//
// A block is self-contained: first ID plus data decode every entry, so a
// sealed block can move to disk as it is. A block is hot (its data in
// memory) or cold (loc says where a Source keeps its data; entries deleted
// since it went cold are in dels, the data never changes again). Blocks
// shared with a snapshot or a writer are never written to: mutations clone
// first (see Stream.mutable). Its fields are sized so that a cold block,
// all that memory holds of most of a long stream, takes 96 bytes.
type block struct {
	first   ID
	last    ID     // last entry ever appended, deleted or not
	data    []byte // nil when cold
	dels    *delSet
	live    int32
	deleted int32
	lpBytes int32 // listpack-equivalent size less the counts (see listpackSize)
	lastOff int32 // offset of the entry last appended; 0 = not known (loaded block)
	// gen is Stream.gen at creation; older blocks may be shared with a
	// snapshot. frozenGen marks a block whose data a writer reads.
	gen uint32
	loc Loc // where a cold block's data is; Len is 0 for a hot block
}

const (
	flagDeleted    = 1
	flagSameFields = 2
)

// frozenGen is the gen of a sealed block handed to be written out: no
// stream generation reaches it, so every change clones the block first.
const frozenGen = math.MaxUint32

func newBlock(id ID, fv [][]byte, gen uint32, capHint int) *block {
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
	b.lpBytes = int32(lpMasterSize(fv))
	return b
}

// cold reports whether the block's data lives in a Source.
func (b *block) cold() bool { return b.loc.Len != 0 }

// size is the length of the block's data, in memory or not.
func (b *block) size() int {
	if b.cold() {
		return int(b.loc.Len)
	}
	return len(b.data)
}

// listpackSize is the size Redis's listpack for this node would have.
func (b *block) listpackSize() int {
	return int(b.lpBytes) + lpIntSize(int64(b.live)) + lpIntSize(int64(b.deleted))
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

// append adds an entry to a hot block.
func (b *block) append(id ID, fv [][]byte) {
	same := b.sameFields(fv)
	var flags byte
	if same {
		flags = flagSameFields
	}
	b.lastOff = int32(len(b.data))
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
	b.lpBytes += int32(lpEntrySize(b.first, id, fv, same))
}

// clone returns a private copy that a snapshot or a writer does not share.
func (b *block) clone(gen uint32) *block {
	c := *b
	c.gen = gen
	if b.cold() {
		c.dels = b.dels.clone()
	} else {
		c.data = append(make([]byte, 0, cap(b.data)), b.data...)
	}
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
