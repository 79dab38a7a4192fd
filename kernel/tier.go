package kernel

import (
	"fmt"
	"weak"

	"sluice/blockstore"
	"sluice/streams"
)

// Tiering: a stream block sealed by XADD (or loaded hot) is handed to the
// block store, whose writer puts it in a block file; once that is fsynced
// the writer reports it and the block goes cold (streams.Stream.Cool):
// memory keeps where it is, the store's cache what is read. Going cold is
// not a logical change, so it is not logged and replay does not depend on
// it: replay applies the same effects, reading cold blocks where needed.
// Whether a block is hot or cold changes nothing any command answers.

// tier is the engine's side of the block store; store is nil without one
// (blocks then stay in memory).
type tier struct {
	store *blockstore.Store
	// sync makes every block sealed by a command cold before its reply
	// (Options.ColdSync); jobs are the running command's blocks.
	sync bool
	jobs []blockstore.Job
	// files says which streams have cold blocks in each file, and between
	// which first IDs, so that compacting a file finds its blocks without
	// walking every stream. Weak: a deleted stream is not kept alive.
	files map[uint32]map[weak.Pointer[streams.Stream]]idSpan
}

type idSpan struct{ from, to streams.ID }

// coolJob is a sealed block on its way to a file; moveJob a cold block
// being copied out of a file under compaction.
type coolJob struct {
	s  *streams.Stream
	sd streams.Sealed
}

type moveJob struct {
	s     *streams.Stream
	first streams.ID
	from  streams.Loc
}

// newStream returns an empty stream reading its cold blocks from the store.
func (e *Engine) newStream() *Stream {
	s := newStream()
	e.attach(s.Stream)
	return s
}

// attach gives a stream the store as the source of its cold blocks and
// hands over its sealed hot blocks (a stream loaded or copied).
func (e *Engine) attach(s *streams.Stream) {
	if e.tier.store == nil {
		return
	}
	s.SetSource(e.tier.store)
	s.SealedHot(func(sd streams.Sealed) { e.sealed(s, sd) })
}

// sealed sends a block that will not grow again to the writer.
func (e *Engine) sealed(s *streams.Stream, sd streams.Sealed) {
	if e.tier.store == nil {
		return
	}
	j := blockstore.Job{Block: sd, Tag: &coolJob{s: s, sd: sd}}
	if e.tier.sync {
		e.tier.jobs = append(e.tier.jobs, j)
		return
	}
	e.tier.store.Write(j)
}

// BlocksWritten makes the blocks the writer reports cold (or, for copies,
// points them at their new place). The block store calls it on its
// writer's goroutine.
func (e *Engine) BlocksWritten(done []blockstore.Done) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.placed(done)
}

func (e *Engine) placed(done []blockstore.Done) {
	for _, d := range done {
		if d.Loc.Len == 0 {
			continue
		}
		switch j := d.Tag.(type) {
		case *coolJob:
			if j.s.Cool(j.sd, d.Loc) {
				e.tier.note(j.s, j.sd.First, d.Loc.File)
			}
		case *moveJob:
			if j.s.Relocate(j.first, j.from, d.Loc) {
				e.tier.note(j.s, j.first, d.Loc.File)
			}
		}
	}
}

// coolNow writes the blocks the running command sealed and makes them
// cold, with ColdSync. After a failure they stay hot (the log has them),
// and the writer retries them as it retries its own.
func (e *Engine) coolNow() {
	if len(e.tier.jobs) == 0 {
		return
	}
	jobs := e.tier.jobs
	e.tier.jobs = nil
	done, err := e.tier.store.WriteNow(jobs)
	if err != nil {
		e.tier.store.Write(jobs...)
		return
	}
	e.placed(done)
}

// note records that s has a cold block starting at first in file.
func (t *tier) note(s *streams.Stream, first streams.ID, file uint32) {
	if t.files == nil {
		t.files = map[uint32]map[weak.Pointer[streams.Stream]]idSpan{}
	}
	m := t.files[file]
	if m == nil {
		m = map[weak.Pointer[streams.Stream]]idSpan{}
		t.files[file] = m
	}
	w := weak.Make(s)
	sp, ok := m[w]
	switch {
	case !ok:
		sp = idSpan{first, first}
	case first.Less(sp.from):
		sp.from = first
	case sp.to.Less(first):
		sp.to = first
	}
	m[w] = sp
}

// noteAll records where the cold blocks of a loaded stream are.
func (t *tier) noteAll(s *streams.Stream) {
	var file uint32
	var sp idSpan
	flush := func() {
		if file != 0 {
			t.note(s, sp.from, file)
			t.note(s, sp.to, file)
		}
	}
	s.EachCold(streams.MinID, streams.MaxID, func(first streams.ID, loc streams.Loc) bool {
		if loc.File != file {
			flush()
			file, sp = loc.File, idSpan{first, first}
		}
		sp.to = first
		return true
	})
	flush()
}

// blocksErr is why block writes fail, nil while they succeed: writes are
// then refused as while the log fails, since memory would otherwise grow
// with every block that cannot go to disk.
func (e *Engine) blocksErr() error {
	if e.tier.store == nil {
		return nil
	}
	if err := e.tier.store.Err(); err != nil {
		return fmt.Errorf("stream blocks: %w", err)
	}
	return nil
}

// StreamBytes sums the data of every stream's blocks, and the part of it
// in memory (INFO).
func (c *Ctx) StreamBytes() (total, hot uint64) {
	for _, d := range c.e.dbs {
		for _, v := range d.keys {
			if s, ok := v.(*Stream); ok {
				total += s.Bytes()
				hot += s.HotBytes()
			}
		}
	}
	return total, hot
}

// ColdTails returns, for each block file the streams reference, the place
// of the last block they hold there, so that recovery can check that the
// file still reaches that far (a torn or lost tail shows there first).
func (e *Engine) ColdTails() []streams.Loc {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []streams.Loc
	for f, m := range e.tier.files {
		var last streams.Loc
		for w, sp := range m {
			if s := w.Value(); s != nil {
				s.EachCold(sp.to, sp.to, func(_ streams.ID, loc streams.Loc) bool {
					if loc.File == f && loc.Off >= last.Off {
						last = loc
					}
					return false
				})
			}
		}
		if last.Len != 0 {
			out = append(out, last)
		}
	}
	return out
}
