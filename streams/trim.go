package streams

// Trim says how XADD and XTRIM trim a stream.
type Trim struct {
	ByMinID bool
	MaxLen  uint64
	MinID   ID
	// ByBytes trims whole blocks from the head until Bytes is at most
	// MaxBytes (MAXBYTES); MaxLen and MinID are then unused.
	ByBytes  bool
	MaxBytes uint64
	Approx   bool  // "~": whole blocks only
	Limit    int64 // most entries removed per call; 0 = no limit
	// Keep, when set, protects entries still referenced (the ACKED policy):
	// they stay in the stream and trimming goes on past them.
	Keep func(ID) bool
	// Deleted, when set, is told each removed ID (the DELREF policy).
	Deleted func(ID)
}

// Trim removes entries from the head as streamTrim in Redis does, and
// returns how many it removed. As in Redis, trimming leaves MaxDeletedID
// alone: trimmed entries lie before the first ID, not inside the range.
// With Keep, a block that trimming would drop whole loses its unprotected
// entries one by one and trimming goes on with the next block (Redis 8.2).
func (s *Stream) Trim(t Trim) int64 {
	var removed int64
	cursor := MinID // blocks before cursor hold only kept entries
	for s.length > 0 {
		if t.ByBytes && s.bytes <= t.MaxBytes || !t.ByBytes && !t.ByMinID && s.length <= t.MaxLen {
			break
		}
		b, ok := s.firstBlock()
		if cursor != MinID {
			b, ok = s.blockFrom(cursor)
		}
		if !ok || (t.Limit > 0 && removed+int64(b.live) > t.Limit) {
			break
		}
		var whole bool
		switch {
		case t.ByBytes:
			whole = true // the loop stops once the bytes fit
		case t.ByMinID:
			whole = b.last.Less(t.MinID)
		default:
			whole = s.length-uint64(b.live) >= t.MaxLen
		}
		switch {
		case whole && (t.Keep == nil || !s.anyKept(b, t.Keep)):
			if t.Deleted != nil {
				var scratch [16][]byte
				s.rangeBlock(b, MinID, MaxID, scratch[:0], func(id ID, _ [][]byte) bool {
					t.Deleted(id)
					return true
				})
			}
			s.drop(b)
			s.length -= uint64(b.live)
			removed += int64(b.live)
			continue
		case whole:
			n, _ := s.trimBlock(b, t)
			removed += n
			next, ok := b.last.Next()
			if !ok {
				break
			}
			cursor = next
			continue
		case !t.Approx:
			removed += s.trimWithin(b, t)
		}
		break
	}
	if s.length == 0 {
		s.firstID = ID{}
	} else if removed > 0 {
		s.firstID = s.firstLive()
	}
	return removed
}

// firstBlock returns the block with the smallest IDs.
func (s *Stream) firstBlock() (block, bool) {
	if b, ok := s.blocks.Min(); ok {
		return b, true
	}
	return s.tail, s.hasTail
}

// firstLive is the first live entry's ID in a non-empty stream. A first
// block without deletions starts with it, which spares reading the block:
// after a trim it is usually cold.
func (s *Stream) firstLive() ID {
	if b, ok := s.firstBlock(); ok && b.deleted == 0 && !b.dels && b.live > 0 {
		return b.first
	}
	var first ID
	s.Range(MinID, MaxID, false, func(id ID, _ [][]byte) bool {
		first = id
		return false
	})
	return first
}

// blockFrom returns the first block whose first ID is at least from.
func (s *Stream) blockFrom(from ID) (block, bool) {
	var found block
	ok := false
	s.ascend(from, func(b block) bool {
		found, ok = b, true
		return false
	})
	return found, ok
}

// trimWithin marks entries deleted from the head block on until the target
// is met. Without Keep one block always suffices; with Keep, kept entries
// may hold the length up, so it goes on into the following blocks.
func (s *Stream) trimWithin(b block, t Trim) int64 {
	var removed int64
	for {
		n, done := s.trimBlock(b, t)
		removed += n
		if done || t.Keep == nil {
			break
		}
		next, ok := b.last.Next()
		if !ok {
			break
		}
		if b, ok = s.blockFrom(next); !ok {
			break
		}
	}
	return removed
}

// trimBlock marks b's entries deleted in order while the target allows,
// skipping kept ones; done reports that the target stopped it.
func (s *Stream) trimBlock(b block, t Trim) (removed int64, done bool) {
	var scratch [16][]byte
	v := s.view(b)
	off, ord := v.masterEnd(), 0
	n := 0
	for off < len(v.data) {
		if !t.ByMinID && s.length-uint64(n) <= t.MaxLen {
			done = true
			break
		}
		id, flags, _, next := v.entryAt(off, scratch[:0])
		if t.ByMinID && !id.Less(t.MinID) {
			done = true
			break
		}
		if !v.deleted(ord, flags) && (t.Keep == nil || !t.Keep(id)) {
			s.markDeleted(&b, off, ord)
			n++
			if t.Deleted != nil {
				t.Deleted(id)
			}
		}
		off, ord = next, ord+1
	}
	s.removed(b, n)
	return int64(n), done
}

func (s *Stream) anyKept(b block, keep func(ID) bool) bool {
	var scratch [16][]byte
	kept := false
	s.rangeBlock(b, MinID, MaxID, scratch[:0], func(id ID, _ [][]byte) bool {
		kept = keep(id)
		return !kept
	})
	return kept
}
