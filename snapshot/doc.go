// Package snapshot writes and reads sluice's snapshot files: the whole
// keyspace as it stood after one log record, so that recovery loads it and
// replays only the log after that record.
//
// A file is a header (magic, version, LSN, capture time, CRC-32C) followed
// by sections, each a type byte, a payload length, the payload and a
// CRC-32C over all three, and ends with an end section that counts the
// keys, so a truncated file is never taken for a complete one.
//
// A stream section (version 4) holds a length-prefixed header (key,
// expiry, last, max-deleted and first IDs, counts, consumer groups with
// their settings and per-key ordering, IDMP memory, the stream's limits,
// number of blocks), the lengths (8 bytes each) of the block index
// and of the hot blocks' data, the index, then that data, stored as the
// streams package packs it, so loading a stream is reading its blocks,
// with no work per entry. An index entry is
// a kind byte (0 hot, 1 cold) and uvarints: the first ID as its ms step
// from the previous block's last ID and its seq, the last ID as its ms
// step from the first and its seq, live and deleted counts, the
// listpack-equivalent size and the data length; a cold entry goes on with
// the block file, the offset there and the bits of the entries deleted
// since the block went cold (a count of 64-bit words, then each). A cold
// block costs a snapshot about 20 bytes, whatever its size: the bytes are
// in the block file (package blockstore), which the snapshot references
// and which must outlive it (Info.Refs says which files).
//
// Version 2 and 3 files, whose stream sections carry every block whole
// with a fixed 48-byte header and no first ID, are still read (version 2
// has no group settings, ordering or stream limits).
package snapshot
