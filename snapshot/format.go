package snapshot

import (
	"encoding/binary"
	"errors"
	"hash/crc32"
)

const (
	magic = "SLUICESN"
	// version 3: stream limits (retention) and group settings and
	// counters; 2: pending entries by ID with their delivery order. Files
	// of version 2 still load.
	version    = 3
	minVersion = 2
	headerSize = len(magic) + 4 + 8 + 8 + 4 // magic, version, LSN, time, CRC

	secConfig  byte = 1
	secStrings byte = 2
	secStream  byte = 3
	secEnd     byte = 0xff

	sectionHead = 1 + 8 // type, payload length
	blockHead   = 16 + 16 + 4*4

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
