package streams

import "sluice/internal/redisint"

// Redis starts a new node when its listpack would reach
// stream-node-max-bytes. To cut blocks where Redis cuts nodes (so MAXLEN ~
// leaves the lengths Redis leaves), a block tracks the size its entries
// would have as a listpack, estimated with listpack's element encodings.

const lpHeaderSize = 6 + 1 // total bytes + element count, and the end byte

// lpMasterSize is the size of a new node's header and master entry, less
// its live and deleted counts: those grow as entries come and go (see
// block.listpackSize).
func lpMasterSize(fv [][]byte) int {
	n := lpHeaderSize + lpIntSize(int64(len(fv)/2))
	for i := 0; i < len(fv); i += 2 {
		n += lpStringSize(fv[i])
	}
	return n + lpIntSize(0) // master terminator
}

func lpEntrySize(first, id ID, fv [][]byte, same bool) int {
	n := lpIntSize(0) + lpIntSize(int64(id.Ms-first.Ms)) + lpIntSize(int64(id.Seq-first.Seq))
	count := len(fv)/2 + 3
	if !same {
		n += lpIntSize(int64(len(fv) / 2))
		count = len(fv) + 4
		for i := 0; i < len(fv); i += 2 {
			n += lpStringSize(fv[i])
		}
	}
	for i := 1; i < len(fv); i += 2 {
		n += lpStringSize(fv[i])
	}
	return n + lpIntSize(int64(count))
}

// lpStringSize is the size of an element holding s, which listpack stores
// as an integer when s is the canonical form of one.
func lpStringSize(s []byte) int {
	if v, ok := redisint.Parse(s); ok {
		return lpIntSize(v)
	}
	var enc int
	switch l := len(s); {
	case l < 64:
		enc = 1 + l
	case l < 4096:
		enc = 2 + l
	default:
		enc = 5 + l
	}
	return enc + lpBacklenSize(enc)
}

func lpIntSize(v int64) int {
	var enc int
	switch {
	case v >= 0 && v <= 127:
		enc = 1
	case v >= -4096 && v <= 4095:
		enc = 2
	case v >= -32768 && v <= 32767:
		enc = 3
	case v >= -8388608 && v <= 8388607:
		enc = 4
	case v >= -2147483648 && v <= 2147483647:
		enc = 5
	default:
		enc = 9
	}
	return enc + lpBacklenSize(enc)
}

func lpBacklenSize(l int) int {
	switch {
	case l <= 127:
		return 1
	case l < 16383:
		return 2
	case l < 2097151:
		return 3
	case l < 268435455:
		return 4
	}
	return 5
}
