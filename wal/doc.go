// Package wal is sluice's write-ahead log: typed, checksummed records in
// segment files it writes itself, by one committer goroutine with group
// commit.
//
// A log is a directory of segment files, each named by the LSN of its first
// record (20 digits, zero-padded) and holding records with consecutive LSNs;
// LSNs start at 1. Each record is framed as a uvarint length, then the
// record: a type byte, a CRC-32C over (LSN as 8 bytes big-endian, type,
// body), then the body. Because the LSN is inside the checksum, a record that
// sits at the wrong position (a stale or shuffled segment) fails just like a
// damaged one, and an empty or zeroed frame can never pass. (This is the
// layout github.com/tidwall/wal gave the log of earlier releases, whose
// directories open unchanged; Open finishes a truncation of theirs that a
// crash interrupted.)
//
// Under always the committer's fsync of a batch goes through Linux AIO
// where the kernel takes it (asyncsync_linux.go): the committer parks on
// an eventfd instead of blocking a thread, which the Go runtime would hand
// off and take back around every fsync.
//
// Only the last segment, the tail, is written to: each batch of records with
// one write at its end. Once it holds Options.SegmentSize bytes, the next
// batch goes to a new segment; the old one is fsynced (unless all of it
// already is) and closed first, and the directory fsynced. Nothing of a segment is kept in memory but the
// batch being written.
//
// Startup sequence for a caller that has a snapshot at LSN S:
//
//	l, err := wal.Open(opts)   // opts.Covered = S; repairs a torn tail, refuses damage
//	err = l.TruncateFront(S)   // drops the segments the snapshot covers; if the log
//	                           // ends before S it is emptied and numbering restarts at S+1
//	err = l.Replay(S, apply)   // every record after S, each CRC checked
//
// After that, Append (under the caller's apply lock) and Wait (before replying)
// may be called from many goroutines, and DropBefore, not TruncateFront,
// removes what a newer snapshot covers without stalling them. Both remove
// whole segment files and never rewrite one, so up to a segment of records
// at or below the snapshot stays; Replay skips them.
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
//   - always: after a failed write the tail is read back and cut after the
//     last record the log knows it wrote (a failed write may leave part of a
//     frame, or all of it), and the held records are written again. A failed
//     fsync is never retried on the same file for the records it covered
//     (fsyncgate: the kernel may have dropped the pages and will not say so
//     twice): the tail is cut back to its last acknowledged record, the cut
//     fsynced (those records were durable before the failure, so this asks
//     the disk only for the new length), and the held records go into a new
//     segment that starts at the first LSN not acknowledged. A tail that held
//     no acknowledged record is replaced instead by a fresh empty file of the
//     same name (fsynced, renamed over it). The new segment is created only
//     once the cut is durable, so whatever a crash interrupts, every LSN is
//     in exactly one segment and the segments are contiguous. No
//     acknowledged record depends on the failed fsync, since none was
//     published before it.
//   - everysec: a failed write is retried as under always. The background
//     fsync runs on the committer's own descriptor without stopping writes
//     (an fsync covers every write that completed before it started; what
//     is written during it is left dirty for the next one). If it fails, it
//     cannot be redone from memory, as the records it covered were
//     acknowledged after their write and are no longer held: writes stay
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
//
// # Record bodies
//
// The log does not read bodies; the engine (package kernel) writes and
// replays them. Their format, by record type:
//
//   - 1, commands (sluice before the effect log): the commands as sent, each
//     replayed by running it again. No longer read: a directory whose log
//     still holds such records after its snapshot is refused with a message
//     (stop the previous release cleanly, which snapshots the whole log).
//
//   - 2, effects: a varint, the command's time in unix ms, then ops until the
//     end. Each op is one byte and its fields: uvarints, varints, byte
//     strings (uvarint length, bytes), IDs (ms, seq as two uvarints), flags
//     (one byte, 0 or 1) and ID lists (a count, the first ID, then each next
//     ID as a varint ms delta and its seq, or when the ms is the same 0 and a
//     varint seq delta). Ops on a key act on the key the last key op named.
//
// The ops of type 2:
//
//	0x01 key          db, key
//	0x10 stream-new   an empty stream replaces what the key held
//	0x11 add          id, n, n byte strings (field, value, ...)
//	0x12 trim         policy (0 keepref, 1 delref, 2 acked), maxlen: exact
//	0x13 delete       policy, ID list
//	0x14 set-meta     last id, entries added, max deleted id (XSETID)
//	0x15 idmp-config  duration s, max size
//	0x16 idmp-record  pid, iid, id (at the record's time)
//	0x17 idmp-dup     (a duplicate counted)
//	0x18 retention    max age ms, max len, max bytes (uvarints), discard
//	                  (byte: 0 old, 1 new, 2 acked): XCFGSET's limits
//	0x20 group-new    group, last id, entries read (varint, -1 unknown)
//	0x21 group-setid  group, last id, entries read
//	0x22 group-del    group
//	0x23 consumer-new group, consumer, time
//	0x24 consumer-del group, consumer (its pending entries go)
//	0x25 seen         group, consumer, time (created if missing)
//	0x26 deliver      group, consumer, time, noack, last id, entries read, ID list
//	0x27 place        group, consumer, active time (varint, -1 none),
//	                  n, n × (id, delivery time varint, delivery count varint)
//	0x28 ack          group, ID list
//	0x29 unown        group, n, n × (id, delivery count varint): XNACK
//	0x2a group-raise  group, id: last delivered ID forward only
//	0x2b group-config group, max deliver, dead-letter key, ack wait ms
//	0x2c dead-lettered group, ID list: acked, counted as dead-lettered (the
//	                  copy to the dead-letter stream is its own add op)
//	0x2d dlq-failed   group: one dead-lettering refused by its target
//	0x2e order-by     group, field ("" turns per-key ordering off)
//	0x2f hold         group, ID list: new entries a read passed over for
//	                  their key's turn (their keys are read from the entries)
//	0x40 unhold       group, ID list: held entries dropped, their entry gone
//	0x30 del          (the key goes)
//	0x31 expire       at (varint unix ms)
//	0x32 persist
//	0x33 set-string   value, keepttl
//	0x34 rename       new key (same database)
//	0x35 copy         db, new key
//	0x36 flushdb      db
//	0x37 flushall
//	0x38 swapdb       a, b
//	0x39 config       name, value (stream-node-max-*, stream-idmp-*)
//
// An op's number and fields never change once released; a new kind of
// change takes a new number. kernel/fx.go lists the same ops, each with the
// one apply function that both a running command and replay call.
package wal
