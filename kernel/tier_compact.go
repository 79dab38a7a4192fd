package kernel

import (
	"sluice/blockstore"
	"sluice/streams"
)

// Compact copies the live cold blocks of files forward, into the block
// file being written; once written, each block still where it was is
// pointed at its copy (BlocksWritten), and the files, referenced by no
// stream any more, are swept after the next snapshots. It returns how
// many blocks it queued.
func (e *Engine) Compact(files []uint32) int {
	if e.tier.store == nil {
		return 0
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	for f := range e.tier.files {
		if !e.tier.store.Has(f) {
			delete(e.tier.files, f)
		}
	}
	var jobs []blockstore.Job
	for _, f := range files {
		for w, sp := range e.tier.files[f] {
			s := w.Value()
			if s == nil {
				continue // the stream is gone
			}
			s.EachCold(sp.from, sp.to, func(first streams.ID, loc streams.Loc) bool {
				if loc.File == f {
					jobs = append(jobs, blockstore.Job{From: loc, Tag: &moveJob{s: s, first: first, from: loc}})
				}
				return true
			})
		}
		delete(e.tier.files, f)
	}
	if len(jobs) > 0 {
		e.tier.store.Write(jobs...)
	}
	return len(jobs)
}
