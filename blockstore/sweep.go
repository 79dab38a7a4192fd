package blockstore

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
)

// Sweep deletes the block files that nothing can need any more: below pin
// (the Pin of the newest snapshot's capture: blocks made cold since then
// are at or above it) and not kept (kept: referenced by a snapshot that
// recovery may load). Every block the live streams reference is in a file
// the newest snapshot references or at or above its pin, so the files that
// go hold no block any stream, snapshot or recovery reads. It returns how
// many it removed.
func (s *Store) Sweep(pin uint32, kept func(file uint32) bool) (int, error) {
	s.mu.Lock()
	var gone []*file
	for num, f := range s.files {
		if num < pin && f != s.cur && !kept(num) {
			gone = append(gone, f)
			delete(s.files, num)
			s.cache.purge(num)
		}
	}
	s.mu.Unlock()
	if len(gone) == 0 {
		return 0, nil
	}
	for _, f := range gone {
		if f.f != nil {
			f.f.Close()
		}
		if err := os.Remove(filepath.Join(s.dir, fileName(f.num))); err != nil && !os.IsNotExist(err) {
			return 0, fmt.Errorf("blockstore: remove: %w", err)
		}
		s.stats.removed.Add(1)
	}
	if err := syncDir(s.dir); err != nil {
		return len(gone), fmt.Errorf("blockstore: fsync %s: %w", s.dir, err)
	}
	return len(gone), nil
}

// Candidates returns, worst first and at most n, the files below pin
// whose referenced bytes (refs, from the newest snapshot) are less than
// half of what they hold: compacting one copies its live blocks forward
// and lets Sweep delete it.
func (s *Store) Candidates(pin uint32, refs map[uint32]int64, n int) []uint32 {
	type cand struct {
		num  uint32
		live float64
	}
	var cs []cand
	s.mu.Lock()
	for num, f := range s.files {
		held := f.size - fileHead
		if num >= pin || f == s.cur || held <= 0 || refs[num] == 0 || refs[num]*2 >= held {
			continue
		}
		cs = append(cs, cand{num, float64(refs[num]) / float64(held)})
	}
	s.mu.Unlock()
	sort.Slice(cs, func(i, j int) bool { return cs[i].live < cs[j].live })
	var out []uint32
	for _, c := range cs[:min(n, len(cs))] {
		out = append(out, c.num)
	}
	return out
}

// Has reports whether block file num exists.
func (s *Store) Has(num uint32) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.files[num]
	return ok
}
