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
// sealed block can move to disk as it is.
//
// A block value is one entry of a stream's index. It holds no pointer, so
// that the collector never walks the index of a long stream (1.35M blocks
// cost a collection 5 ms as values, 67 ms as pointers to structs holding
// slices). Its data is elsewhere: the tail's in Stream.tailData, a sealed
// hot block's in Stream.hot, a cold block's in a Source, with the entries
// deleted since it went cold in Stream.dels.
type block struct {
	first   ID
	last    ID // last entry ever appended, deleted or not
	live    int32
	deleted int32
	lpBytes int32 // listpack-equivalent size less the counts (see listpackSize)
	lastOff int32 // offset of the entry last appended; 0 = not known (loaded block)
	loc     Loc   // where a cold block's data is; Len is 0 for a hot block
	dels    bool  // cold, with entries deleted since it went cold
}

const (
	flagDeleted    = 1
	flagSameFields = 2
)

// cold reports whether the block's data lives in a Source.
func (b *block) cold() bool { return b.loc.Len != 0 }

// startBlock returns a block for id and the start of its data (the master
// fields), with room for capHint bytes.
func startBlock(id ID, fv [][]byte, capHint int) (block, []byte) {
	n := uvarintLen(uint64(len(fv) / 2))
	for i := 0; i < len(fv); i += 2 {
		n += uvarintLen(uint64(len(fv[i]))) + len(fv[i])
	}
	d := make([]byte, 0, max(capHint, n))
	d = binary.AppendUvarint(d, uint64(len(fv)/2))
	for i := 0; i < len(fv); i += 2 {
		d = appendBytes(d, fv[i])
	}
	return block{first: id, lpBytes: int32(lpMasterSize(fv))}, d
}

// listpackSize is the size Redis's listpack for this node would have.
func (b *block) listpackSize() int {
	return int(b.lpBytes) + lpIntSize(int64(b.live)) + lpIntSize(int64(b.deleted))
}

// sameFields reports whether fv's field names equal the master fields of d.
func sameFields(d []byte, fv [][]byte) bool {
	nf, off := binary.Uvarint(d)
	if int(nf) != len(fv)/2 {
		return false
	}
	for i := 0; i < len(fv); i += 2 {
		l, n := binary.Uvarint(d[off:])
		off += n
		if string(d[off:off+int(l)]) != string(fv[i]) {
			return false
		}
		off += int(l)
	}
	return true
}

// appendEntry appends an entry to b's data d and returns the data.
func (b *block) appendEntry(d []byte, id ID, fv [][]byte) []byte {
	same := sameFields(d, fv)
	var flags byte
	if same {
		flags = flagSameFields
	}
	b.lastOff = int32(len(d))
	d = append(d, flags)
	d = binary.AppendUvarint(d, id.Ms-b.first.Ms)
	seq := id.Seq
	if id.Ms == b.first.Ms {
		seq -= b.first.Seq
	}
	d = binary.AppendUvarint(d, seq)
	if same {
		for i := 1; i < len(fv); i += 2 {
			d = appendBytes(d, fv[i])
		}
	} else {
		d = binary.AppendUvarint(d, uint64(len(fv)/2))
		for _, x := range fv {
			d = appendBytes(d, x)
		}
	}
	b.last = id
	b.live++
	b.lpBytes += int32(lpEntrySize(b.first, id, fv, same))
	return d
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
