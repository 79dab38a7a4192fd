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
//
// # When a write or fsync fails
//
// The log is fail-stop for writes, as Redis is with its AOF: from the first
// failed write or fsync, Err returns the failure and the caller must refuse
// new changes. Append still takes records, since a change already applied
// must not go unlogged, and holds them in memory with the failed batch until
// they are written; Wait keeps waiting for them (and returns at once for
// records published before the failure). The committer retries every second
// and publishes the held records once the disk takes them, by policy:
//
//   - always: a failed write is retried after reopening the log, cutting the
//     partial frame it may have left. A failed fsync is never retried on the
//     same file (fsyncgate: the kernel may have dropped the pages it covered
//     and will not say so twice): the tail is rewritten into a fresh file up
//     to the last durable record (tidwall/wal's TruncateBack) and the held
//     records are written and fsynced after it. No acknowledged record
//     depends on the failed fsync, since none was published before it.
//   - everysec: a failed write is retried as under always. A failed
//     background fsync cannot be redone from memory, as the records it covered
//     were acknowledged after their write and are no longer held: writes stay
//     refused until an fsync of every segment on a fresh descriptor succeeds.
//     That success does not prove the earlier pages reached the disk (Linux
//     reports a writeback error once), the same gap Redis leaves: records
//     acknowledged in the second before a failed fsync may be lost if the
//     machine crashes.
//   - no: as everysec, for the fsyncs a segment roll or Sync makes.
//
// Shutdown lets a failed log try once more and then ends the waits with the
// error; Close tries again and reports how many records (none of them
// acknowledged) were never written. If a recovery finds acknowledged records
// gone from the disk, nothing can bring them back: Dead is closed.
package wal
