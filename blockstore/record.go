package blockstore

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"

	"sluice/streams"
)

// File and record layout (see doc.go).
const (
	fileMagic   = "SLUICEBK"
	fileVersion = 1
	fileHead    = 8 + 4 + 4 // magic, version, file number

	// recordHead is a record's length, CRC and index fields: first and
	// last ID, live and deleted counts, listpack-equivalent size.
	recordHead = 4 + 4 + 16 + 16 + 4 + 4 + 4
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// errDamaged is wrapped by every error about a record's contents.
var errDamaged = errors.New("block record damaged")

func appendFileHead(b []byte, file uint32) []byte {
	b = append(b, fileMagic...)
	b = binary.BigEndian.AppendUint32(b, fileVersion)
	return binary.BigEndian.AppendUint32(b, file)
}

// appendRecord appends the record of a block at offset off of file.
func appendRecord(b []byte, file, off uint32, blk *streams.Sealed) []byte {
	start := len(b)
	b = binary.BigEndian.AppendUint32(b, uint32(len(blk.Data)))
	b = append(b, 0, 0, 0, 0) // CRC, below
	b = putID(b, blk.First)
	b = putID(b, blk.Last)
	b = binary.BigEndian.AppendUint32(b, uint32(blk.Live))
	b = binary.BigEndian.AppendUint32(b, uint32(blk.Deleted))
	b = binary.BigEndian.AppendUint32(b, uint32(blk.LPBytes))
	b = append(b, blk.Data...)
	binary.BigEndian.PutUint32(b[start+4:], recordCRC(file, off, b[start:]))
	return b
}

// recordCRC is the CRC-32C of a record at off in file: the place is in
// it, so that a record read from the wrong place fails like a damaged one.
func recordCRC(file, off uint32, rec []byte) uint32 {
	var place [8]byte
	binary.BigEndian.PutUint32(place[:], file)
	binary.BigEndian.PutUint32(place[4:], off)
	c := crc32.Checksum(place[:], castagnoli)
	c = crc32.Update(c, castagnoli, rec[:4])
	return crc32.Update(c, castagnoli, rec[8:])
}

// recordLen is the length of a record whose data is n bytes.
func recordLen(n uint32) int64 { return recordHead + int64(n) }

// parseRecord checks the record at the start of rec, read from off in
// file, and returns its index fields and data (a part of rec) and its
// length. A record cut short by the end of rec is errShort.
func parseRecord(file, off uint32, rec []byte) (streams.Sealed, int64, error) {
	if len(rec) < recordHead {
		return streams.Sealed{}, 0, errShort
	}
	n := binary.BigEndian.Uint32(rec)
	total := recordLen(n)
	if int64(len(rec)) < total {
		return streams.Sealed{}, 0, errShort
	}
	rec = rec[:total]
	if binary.BigEndian.Uint32(rec[4:]) != recordCRC(file, off, rec) {
		return streams.Sealed{}, 0, fmt.Errorf("%w: CRC mismatch", errDamaged)
	}
	blk := streams.Sealed{First: getID(rec[8:]), Last: getID(rec[24:]),
		Live: int(binary.BigEndian.Uint32(rec[40:])), Deleted: int(binary.BigEndian.Uint32(rec[44:])),
		LPBytes: int(binary.BigEndian.Uint32(rec[48:])), Data: rec[recordHead:total:total]}
	return blk, total, nil
}

// errShort is a record that runs past what was read: past the end of
// the file, it is a torn write.
var errShort = fmt.Errorf("%w: cut short", errDamaged)

func putID(b []byte, id streams.ID) []byte {
	b = binary.BigEndian.AppendUint64(b, id.Ms)
	return binary.BigEndian.AppendUint64(b, id.Seq)
}

func getID(b []byte) streams.ID {
	return streams.ID{Ms: binary.BigEndian.Uint64(b), Seq: binary.BigEndian.Uint64(b[8:])}
}
