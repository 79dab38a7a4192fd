// Package snapshot writes and reads sluice's snapshot files: the whole
// keyspace as it stood after one log record, so that recovery loads it and
// replays only the log after that record.
//
// A file is a header (magic, version, LSN, capture time, CRC-32C) followed
// by sections, each a type byte, a payload length, the payload and a
// CRC-32C over all three, and ends with an end section that counts the
// keys, so a truncated file is never taken for a complete one. Stream
// blocks are stored as the streams package packs them, so loading a stream
// is reading its blocks, with no work per entry.
package snapshot
