package snapshot

import (
	"encoding/binary"
	"errors"
	"hash/crc32"
)

const (
	magic = "SLUICESN"
	// 4: a stream's block index, cold blocks by reference, its first
	// entry's ID; 3: stream limits (retention), group settings, counters
	// and per-key ordering; 2: pending entries by ID with their delivery
	// order. Files of versions 2 and 3 still load.
	version      = 4
	minVersion   = 2
	indexVersion = 4 // the first with a block index

	headerSize = len(magic) + 4 + 8 + 8 + 4 // magic, version, LSN, time, CRC

	secConfig  byte = 1
	secStrings byte = 2
	secStream  byte = 3
	secEnd     byte = 0xff

	sectionHead = 1 + 8         // type, payload length
	blockHead   = 16 + 16 + 4*4 // a block before version 4

	blockHot  byte = 0 // an index entry whose data follows the index
	blockCold byte = 1 // an index entry whose data is in a block file

	// stringsSectionSize is roughly how many bytes of string keys one
	// section carries, so a damaged byte costs a bounded read to detect.
	stringsSectionSize = 1 << 20
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// ErrCorrupt is wrapped by every error about a file's contents.
var ErrCorrupt = errors.New("snapshot corrupt")

func appendString[T string | []byte](b []byte, s T) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}
