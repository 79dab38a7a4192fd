package wal

import (
	"encoding/binary"
	"hash/crc32"
)

// Record is one logged command outcome.
type Record struct {
	LSN  uint64
	Type byte
	Body []byte
}

const (
	lsnLen    = 8
	headerLen = 5 // type byte + CRC-32C, in front of the body in every record
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// checksum is the CRC-32C over head (LSN big-endian, then the type byte) and body.
// head is passed in rather than built here so that it need not escape per call.
func checksum(head, body []byte) uint32 {
	return crc32.Update(crc32.Update(0, castagnoli, head), castagnoli, body)
}

// nextFrame splits one frame (uvarint length, then the record) off the front
// of data. ok is false when the frame is cut short.
func nextFrame(data []byte) (payload []byte, n int, ok bool) {
	size, k := binary.Uvarint(data)
	if k <= 0 || size > uint64(len(data)-k) {
		return nil, 0, false
	}
	return data[k : k+int(size)], k + int(size), true
}

// verifier checks payloads against the LSN they should carry; its scratch
// header is reused so that scanning a segment does not allocate per record.
type verifier struct {
	head [lsnLen + 1]byte
}

func (v *verifier) verify(lsn uint64, payload []byte) (Record, bool) {
	if len(payload) < headerLen {
		return Record{}, false
	}
	binary.BigEndian.PutUint64(v.head[:lsnLen], lsn)
	v.head[lsnLen] = payload[0]
	body := payload[headerLen:]
	if checksum(v.head[:], body) != binary.BigEndian.Uint32(payload[1:headerLen]) {
		return Record{}, false
	}
	return Record{LSN: lsn, Type: payload[0], Body: body}, true
}
