package commands

import (
	"hash/maphash"

	"sluice/groups"
	"sluice/kernel"
	"sluice/streams"
)

// Per-key ordering in XREADGROUP ">" (XGROUP CONFIG ORDERBY field): the
// held entries whose key's turn came go out first, oldest first; then new
// entries, each unless its key has an entry pending, held or handed out
// earlier in this read, in which case it is held for its key's turn. A
// held entry counts as read: the group's last ID, entries-read and lag
// move past it.

// heldPerRead bounds how many new entries one read passes over for their
// key's turn (beyond ten per entry it may send), so that a backlog on a
// few busy keys is worked through in bounded steps.
const heldPerRead = 4096

// orderedGroup reports whether reads of g involve per-key ordering: it has
// ORDERBY, or entries held while it had still wait.
func orderedGroup(g *groups.Group) bool { return g.OrderBy() != "" || g.Held() > 0 }

// orderedRead is what one ORDERBY read hands out and holds, with the keys
// it read (copied into keys, as entry slices last only for their call).
type orderedRead struct {
	delivered, held []kernel.Keyed
	dropped         []streams.ID
	keys            []byte
	taken           hashSet // hashes of the keys handed out by this read
}

// keySeed hashes keys for orderedRead.taken: a collision (odds 2^-64 a
// pair) would only hold an entry for the next read.
var keySeed = maphash.MakeSeed()

// hashSet is a set of 64-bit hashes with open addressing: a read adds one
// per entry it hands out, which a map would make an allocation each.
type hashSet struct {
	slots []uint64 // 0: empty; hashes are stored with the low bit set
	n     int
}

func (h *hashSet) has(x uint64) bool {
	x |= 1
	for i := x & uint64(len(h.slots)-1); len(h.slots) > 0; i = (i + 1) & uint64(len(h.slots)-1) {
		switch h.slots[i] {
		case x:
			return true
		case 0:
			return false
		}
	}
	return false
}

func (h *hashSet) add(x uint64) {
	if 2*(h.n+1) > len(h.slots) {
		old := h.slots
		h.slots, h.n = make([]uint64, max(64, 2*len(old))), 0
		for _, y := range old {
			if y != 0 {
				h.add(y)
			}
		}
	}
	x |= 1
	i := x & uint64(len(h.slots)-1)
	for h.slots[i] != 0 {
		if h.slots[i] == x {
			return
		}
		i = (i + 1) & uint64(len(h.slots)-1)
	}
	h.slots[i] = x
	h.n++
}

func (o *orderedRead) keyed(id streams.ID, key []byte, has bool) kernel.Keyed {
	if !has {
		return kernel.Keyed{ID: id}
	}
	start := len(o.keys)
	o.keys = append(o.keys, key...)
	return kernel.Keyed{ID: id, Key: o.keys[start:len(o.keys):len(o.keys)], Has: true}
}

func (rd *groupRead) freshOrdered(start streams.ID, news bool) {
	g, s := rd.t.g, rd.t.s
	o := orderedRead{delivered: make([]kernel.Keyed, 0, min(rd.limit, 128))}
	deliver := func(id streams.ID, fv [][]byte) {
		rd.reply(id, fv)
		k, has := g.KeyOf(fv)
		kd := o.keyed(id, k, has)
		o.delivered = append(o.delivered, kd)
		if has && !rd.noack {
			o.taken.add(maphash.Bytes(keySeed, kd.Key))
		}
	}
	g.Ready(func(ids []streams.ID) bool {
		if rd.full() {
			return false
		}
		// The key's oldest held entry still in the stream goes; those
		// before it were deleted or trimmed while held.
		for _, id := range ids {
			if s.Get(id, func(fv [][]byte) { deliver(id, fv) }) {
				break
			}
			o.dropped = append(o.dropped, id)
			if len(o.dropped) >= heldPerRead {
				rd.more = true
				return false
			}
		}
		return true
	})
	if news && !rd.full() {
		maxHeld := heldPerRead + 10*min(rd.limit, heldPerRead)
		_, lastPending, _ := g.PendingBounds()
		s.Range(start, streams.MaxID, false, func(id streams.ID, fv [][]byte) bool {
			// (An entry made pending ahead of the group by XCLAIM FORCE
			// goes again, as in Redis: it has its key's turn already.)
			if k, ok := g.KeyOf(fv); ok && (lastPending.Less(id) || !pending(g, id)) {
				if !g.Free(k) || o.taken.has(maphash.Bytes(keySeed, k)) {
					o.held = append(o.held, o.keyed(id, k, true))
					rd.more = int64(len(o.held)) >= maxHeld
					return !rd.more
				}
			}
			deliver(id, fv)
			return !rd.full()
		})
	}
	rd.c.DeliverOrdered(rd.t.key, s, g, rd.consumer, o.delivered, o.held, o.dropped, rd.noack)
}

func pending(g *groups.Group, id streams.ID) bool {
	_, ok := g.Lookup(id)
	return ok
}

// reply writes one entry handed out by a ">" read and counts it.
func (rd *groupRead) reply(id streams.ID, fv [][]byte) {
	if rd.claimShape {
		rd.claimEntry(id, fv, 0, 0)
	} else {
		replyEntry(rd.c.W, id, fv, rd.buf[:0])
	}
	rd.sent(id, fv)
}
