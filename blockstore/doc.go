// Package blockstore keeps sealed stream blocks on disk, so that a stream
// can outgrow memory: memory holds each cold block's place (streams.Loc)
// and the blocks in use, the disk holds the rest. It knows files, CRCs and
// a block's bytes and index fields; what the bytes mean is package
// streams', which reads cold blocks through Load (a streams.Source).
//
// # Files
//
// Block files are blocks/NNNNNNNN.blk, numbered upwards; one is appended
// to at a time, up to Options.FileSize, and a file of an earlier run is
// never appended to again (its tail may be torn). A file starts with
// "SLUICEBK", a version (1) and its number (4 bytes each, big-endian);
// then records, back to back:
//
//	length   uint32  of the data
//	crc      uint32  CRC-32C over (file number, offset, length, the rest)
//	first    16 bytes (ms, seq) \
//	last     16 bytes            | the block's index fields, so a file
//	live     uint32              | can be read without the index
//	deleted  uint32              |
//	lpbytes  uint32             /
//	data     the block as package streams packs it
//
// A streams.Loc is (file, offset of the record, length of the data). The
// place is inside the CRC, so a record read from the wrong place fails as a
// damaged one does. Deletions never rewrite a record: entries deleted after
// a block went cold are in the stream's per-block set (kept by the log's
// delete and trim effects and by snapshots).
//
// # Writing
//
// One writer goroutine writes the blocks queued by Write (never on the
// command path), in batches: whatever was queued in ~100 ms, or sooner
// once 1 MB is, one write per MB and one fsync per batch (and of the
// directory for a new file). Only then does it report the batch (Done), and only then does the
// engine make those blocks cold. A write or fsync that fails (a full disk)
// is retried every second with the whole batch in a new file, the failed
// file left as it was; Err says why meanwhile, and the engine refuses
// writes as it does while the log fails (MISCONF). A file that never got
// a block through an fsync is removed.
//
// # Durability and the log
//
// An entry is durable in the log from its XADD on. Moving its block to a
// file is not a logical change and is not logged; the log may drop the
// entry's record only once a snapshot covering it is durable, and a
// snapshot references a block's file only if the block was cold when it
// was captured, which it is only once its file was fsynced. So when the
// snapshotter deletes the log segments a snapshot covers, every entry in
// them is in that snapshot (a hot block, inline), or in a block file that
// was fsynced before the capture: log truncation never outruns block
// durability. Blocks written but not yet cold at a crash are garbage in
// their file (no index names them); their entries are in the snapshot or
// replayed from the log, and written again.
//
// A block file goes (Sweep) only when nothing can read it: no snapshot that
// recovery may load (the newest and the one before it) references it, and
// it is older than the newest snapshot's Pin, below which no block became
// cold after that capture. Every block the live streams hold is in a file
// the newest snapshot references or at or above its Pin, so a swept file
// holds nothing a stream, a snapshot or a recovery needs. File references
// are counted by the snapshot writer as it walks the index (snapshot.Refs),
// not kept per block, so no reference count can drift.
//
// Compaction: a file whose referenced bytes are under half its size (by
// the newest snapshot) has its live blocks copied (Job.From) into the file
// being written; the engine then points the blocks at their copies, and
// the file, referenced by nothing once two snapshots have passed, is swept.
//
// # Reading
//
// Load checks a record's CRC each time it reads one from its file: damage
// is found when a block is needed (and by `sluice check`, which scans every
// file), with its file and offset named; a restart reads no block. The
// cache (Options.CacheSize, CONFIG SET block-cache) is bounded by bytes:
// a sixteenth holds the blocks written last, first in first out, so that
// consumers keeping up with the head of a stream read no file; the rest holds
// blocks read back under CLOCK. A read of the block right after the last
// one read brings in up to 256 KB more (the blocks after it), unreferenced,
// so a replay from the start reads the files sequentially, in few calls,
// and replaces its own blocks first, never the recent ones.
package blockstore
