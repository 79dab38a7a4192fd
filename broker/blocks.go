package broker

import (
	"fmt"
	"path/filepath"
	"strconv"

	"sluice/blockstore"
)

// openBlocks opens the data directory's block store (blocks/).
func openBlocks(cfg Config) (*blockstore.Store, error) {
	size := cfg.BlockCache
	switch {
	case size == 0:
		size = blockstore.DefaultCacheSize
	case size < 0:
		size = 0
	}
	st, err := blockstore.Open(blockstore.Options{Dir: filepath.Join(cfg.Dir, "blocks"), CacheSize: size,
		FileSize: cfg.BlockFileSize, Logger: cfg.Logger, Faults: cfg.BlockFaults})
	if err != nil {
		return nil, fmt.Errorf("broker: %w", err)
	}
	return st, nil
}

// checkColdTails reads back, in each block file the recovered streams
// reference, the last block they hold there: a file that lost its tail
// (or is gone) fails here, with its name, rather than at the first read.
// One block per file: the start reads no other cold block.
func (b *Broker) checkColdTails() error {
	for _, loc := range b.eng.ColdTails() {
		if _, err := b.blocks.Load(loc); err != nil {
			return fmt.Errorf("broker: a block the snapshot references does not read back: %w; "+
				"refusing to start (`sluice check` shows the damage)", err)
		}
	}
	return nil
}

// addBlocks gives CONFIG the block cache's size and INFO the block store's
// figures.
func (b *Broker) addBlocks() {
	size := b.cfg.BlockCache
	if size == 0 {
		size = blockstore.DefaultCacheSize
	}
	b.eng.ConfigParam("block-cache", strconv.FormatInt(max(size, 0), 10), func(v string) error {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return fmt.Errorf("broker: block-cache %q: %w", v, err)
		}
		b.blocks.SetCacheSize(n)
		return nil
	})
	b.eng.AddInfoSection("memory", func(add func(key, value string)) {
		st := b.blocks.Stats()
		add("block_cache_bytes", strconv.FormatInt(st.CacheBytes, 10))
		add("block_cache_max", strconv.FormatInt(st.CacheMax, 10))
		add("block_cache_recent_bytes", strconv.FormatInt(st.RecentBytes, 10))
		add("block_cache_hits", strconv.FormatInt(st.Hits, 10))
		add("block_cache_misses", strconv.FormatInt(st.Misses, 10))
	})
	b.eng.AddInfoSection("persistence", func(add func(key, value string)) {
		st := b.blocks.Stats()
		add("block_files", strconv.Itoa(st.Files))
		add("block_files_bytes", strconv.FormatInt(st.DiskBytes, 10))
		add("block_files_removed", strconv.FormatInt(st.Removed, 10))
		add("blocks_written", strconv.FormatInt(st.Written, 10))
		add("blocks_queued", strconv.Itoa(st.Queued))
		add("blocks_copied", strconv.FormatInt(st.Copied, 10))
		add("block_reads", strconv.FormatInt(st.Reads, 10))
		add("block_read_bytes", strconv.FormatInt(st.ReadBytes, 10))
		status, last := "ok", ""
		if err := b.blocks.Err(); err != nil {
			status, last = "err", err.Error()
		}
		add("block_last_write_status", status)
		add("block_last_write_error", last)
		add("block_write_errors", strconv.FormatInt(st.WriteErrors, 10))
	})
}
