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
//	l, err := wal.Open(opts)   // opts.Covered = S; repairs a torn tail, refuses damage
//	err = l.TruncateFront(S)   // drops what the snapshot covers; if the log ends
//	                           // before S it is emptied and numbering restarts at S+1
//	err = l.Replay(S, apply)   // every record after S, each CRC checked
//
// After that, Append (under the caller's apply lock) and Wait (before replying)
// may be called from many goroutines, and DropBefore, not TruncateFront,
// removes what a newer snapshot covers without stalling them.
//
// # Torn and damaged
//
// As etcd draws the line: a last record cut short by the end of the file, or
// with a 512-byte sector of zeros, with nothing valid after it, is torn: a
// crash in the middle of a write, never acknowledged. Open cuts it, warns and
// keeps a .broken copy. A complete record whose CRC fails, even the last one,
// was written whole and rotted since, and may have been acknowledged: Open
// and Replay refuse it, naming the segment and LSN, unless the snapshot
// covers it (Options.Covered; they warn and pass over it) or Options.Repair
// is set (Open cuts the log there, keeping .broken copies of what it drops).
package wal
