// Package wal is sluice's write-ahead log: typed, checksummed records on top of
// github.com/tidwall/wal, written by one committer goroutine with group commit.
//
// Every tidwall/wal entry holds one record: a type byte, a CRC-32C over
// (LSN as 8 bytes big-endian, type, body), then the body. Because the LSN is
// inside the checksum, a record that sits at the wrong position (a stale or
// shuffled segment) fails just like a damaged one, and an empty or zeroed entry
// can never pass.
//
// Startup sequence for a caller that has a snapshot at LSN S:
//
//	l, err := wal.Open(opts)   // repairs a torn tail, refuses real corruption
//	err = l.TruncateFront(S)   // drops what the snapshot covers; if the log ends
//	                           // before S it is emptied and numbering restarts at S+1
//	err = l.Replay(S, apply)   // every record after S, each CRC checked
//
// After that, Append (under the caller's apply lock) and Wait (before replying)
// may be called from many goroutines, and DropBefore, not TruncateFront,
// removes what a newer snapshot covers without stalling them.
package wal
