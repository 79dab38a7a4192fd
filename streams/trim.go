package streams

// Trim says how XADD and XTRIM trim a stream.
type Trim struct {
	ByMinID bool
	MaxLen  uint64
	MinID   ID
	Approx  bool  // "~": whole blocks only
	Limit   int64 // most entries removed per call; 0 = no limit
	// Keep, when set, protects entries still referenced (the ACKED policy):
	// they stay in the stream and trimming goes on past them.
	Keep func(ID) bool
	// Deleted, when set, is told each removed ID (the DELREF policy).
	Deleted func(ID)
}

// Trim removes entries from the head as streamTrim in Redis does, and
// returns how many it removed. As in Redis, trimming leaves MaxDeletedID
// alone: trimmed entries lie before the first ID, not inside the range.
func (s *Stream) Trim(t Trim) int64 {
	var removed int64
	var scratch [16][]byte
	for s.length > 0 {
		if !t.ByMinID && s.length <= t.MaxLen {
			break
		}
		b, _ := s.blocks.Min()
		if t.Limit > 0 && removed+int64(b.live) > t.Limit {
			break
		}
		var whole bool
		if t.ByMinID {
			whole = b.last.Less(t.MinID)
		} else {
			whole = s.length-uint64(b.live) >= t.MaxLen
		}
		if whole && (t.Keep == nil || !s.anyKept(b, t.Keep)) {
			if t.Deleted != nil {
				s.rangeBlock(b, MinID, MaxID, scratch[:0], func(id ID, _ [][]byte) bool {
					t.Deleted(id)
					return true
				})
			}
			s.blocks.Delete(b)
			s.length -= uint64(b.live)
			removed += int64(b.live)
			continue
		}
		if t.Approx {
			break
		}
		removed += s.trimWithin(b, t)
		break
	}
	if s.length == 0 {
		s.firstID = ID{}
	} else if removed > 0 {
		s.Range(MinID, MaxID, false, func(id ID, _ [][]byte) bool {
			s.firstID = id
			return false
		})
	}
	return removed
}

// trimWithin marks entries of the head block deleted until the target is
// met, walking past kept entries. With Keep set it may continue into the
// following blocks, since kept entries can stop the head block from going.
func (s *Stream) trimWithin(b *block, t Trim) int64 {
	var removed int64
	var scratch [16][]byte
	for b != nil {
		mb := s.mutable(b)
		off, _ := mb.masterEnd()
		n := 0
		done := false
		for off < len(mb.data) {
			if !t.ByMinID && s.length-uint64(n) <= t.MaxLen {
				done = true
				break
			}
			id, flags, _, next := mb.entryAt(off, scratch[:0])
			if t.ByMinID && !id.Less(t.MinID) {
				done = true
				break
			}
			if flags&flagDeleted == 0 && (t.Keep == nil || !t.Keep(id)) {
				mb.data[off] |= flagDeleted
				n++
				if t.Deleted != nil {
					t.Deleted(id)
				}
			}
			off = next
		}
		last := mb.last
		s.removed(mb, n)
		removed += int64(n)
		if done || t.Keep == nil {
			break
		}
		b = nil
		s.blocks.Ascend(&block{first: last}, func(nb *block) bool {
			if nb.first != mb.first {
				b = nb
				return false
			}
			return true
		})
	}
	return removed
}

func (s *Stream) anyKept(b *block, keep func(ID) bool) bool {
	var scratch [16][]byte
	kept := false
	s.rangeBlock(b, MinID, MaxID, scratch[:0], func(id ID, _ [][]byte) bool {
		kept = keep(id)
		return !kept
	})
	return kept
}
