package commands

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"slices"
)

// autoIID derives IDMPAUTO's idempotent ID from an entry's content: a hash
// of its field/value pairs in sorted order, so the order they are given in
// does not matter.
func autoIID(fv [][]byte) []byte {
	pairs := make([]int, 0, len(fv)/2)
	for i := 0; i < len(fv); i += 2 {
		pairs = append(pairs, i)
	}
	slices.SortFunc(pairs, func(a, b int) int {
		if c := bytes.Compare(fv[a], fv[b]); c != 0 {
			return c
		}
		return bytes.Compare(fv[a+1], fv[b+1])
	})
	h := sha256.New()
	var n [8]byte
	for _, i := range pairs {
		for _, x := range fv[i : i+2] {
			binary.LittleEndian.PutUint64(n[:], uint64(len(x)))
			h.Write(n[:])
			h.Write(x)
		}
	}
	return h.Sum(nil)[:16]
}
