package streams

// Range calls fn for each live entry with start <= ID <= end, in ascending
// order or, with rev, descending. fn returns false to stop. The slices passed
// to fn are valid only during the call.
func (s *Stream) Range(start, end ID, rev bool, fn func(id ID, fv [][]byte) bool) {
	if end.Less(start) || s.length == 0 {
		return
	}
	var scratch [16][]byte
	if !rev {
		// Begin at the block holding start, or else the first block after it.
		from := start
		s.descend(start, func(b block) bool {
			if !b.last.Less(start) {
				from = b.first
			}
			return false
		})
		s.ascend(from, func(b block) bool {
			if end.Less(b.first) {
				return false
			}
			return s.rangeBlock(b, start, end, scratch[:0], fn)
		})
		return
	}
	var offs []int
	s.descend(end, func(b block) bool {
		if b.last.Less(start) {
			return false
		}
		v := s.view(b)
		offs = v.offsets(offs[:0])
		for i := len(offs) - 1; i >= 0; i-- {
			id, flags, fv, _ := v.entryAt(offs[i], scratch[:0])
			if end.Less(id) || v.deleted(i, flags) {
				continue
			}
			if id.Less(start) {
				return false
			}
			if !fn(id, fv) {
				return false
			}
		}
		return true
	})
}

// rangeBlock walks one block forward; it returns false when the walk ends.
func (s *Stream) rangeBlock(b block, start, end ID, scratch [][]byte, fn func(ID, [][]byte) bool) bool {
	v := s.view(b)
	off, ord := v.masterEnd(), 0
	for off < len(v.data) {
		id, flags, fv, next := v.entryAt(off, scratch)
		off, ord = next, ord+1
		if v.deleted(ord-1, flags) || id.Less(start) {
			continue
		}
		if end.Less(id) {
			return false
		}
		if !fn(id, fv) {
			return false
		}
	}
	return true
}
