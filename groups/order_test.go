package groups

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"sluice/streams"
)

// checkOrder verifies the ordering state against its definition: busy
// counts the pending entries of each key, no entry is both held and
// pending, and the ready keys are exactly those with entries held and none
// pending (every key with entries held, with ORDERBY off).
func checkOrder(g *Group) error {
	o := g.keyed
	if o == nil {
		return nil
	}
	busy := map[uint32]int{}
	g.pel.Scan(func(n NACK) bool {
		if n.keyRef != 0 {
			busy[n.keyRef]++
		}
		return true
	})
	nheld, nidle := 0, 0
	for key, r := range o.refs {
		k := &o.keys[r-1]
		if k.key != key || k.active() == k.idle || (k.idle && !k.queued) {
			return fmt.Errorf("key %q: active %v, idle %v, queued %v", key, k.active(), k.idle, k.queued)
		}
		if k.idle {
			nidle++
		}
		if o.field != "" && k.busy != busy[r] {
			return fmt.Errorf("key %s: busy %d, %d pending", key, k.busy, busy[r])
		}
		nheld += len(k.held)
		for i, id := range k.held {
			if _, ok := g.pel.Get(NACK{ID: id}); ok {
				return fmt.Errorf("%v of key %s held and pending", id, key)
			}
			if o.heldOf[id] != r {
				return fmt.Errorf("%v held under %s, known as another key's", id, key)
			}
			if i > 0 && !k.held[i-1].Less(id) {
				return fmt.Errorf("key %s held out of order: %v", key, k.held)
			}
		}
	}
	for r, n := range busy {
		if o.field != "" && (int(r) > len(o.keys) || o.refs[o.keys[r-1].key] != r || o.keys[r-1].busy != n) {
			return fmt.Errorf("key number %d has %d pending, not counted", r, n)
		}
	}
	if nheld != o.nheld || len(o.heldOf) != nheld {
		return fmt.Errorf("nheld %d, %d held, %d known held", o.nheld, nheld, len(o.heldOf))
	}
	if nidle != o.nIdle || nidle > o.maxIdle {
		return fmt.Errorf("%d keys idle, %d counted, at most %d kept", nidle, o.nIdle, o.maxIdle)
	}
	queued := map[uint32]bool{}
	for _, r := range o.idle {
		if queued[r] || !o.keys[r-1].queued {
			return fmt.Errorf("key number %d queued twice or not marked", r)
		}
		queued[r] = true
	}
	if len(o.refs)+len(o.free) != len(o.keys) {
		return fmt.Errorf("%d keys known, %d free, %d numbered", len(o.refs), len(o.free), len(o.keys))
	}
	ready := map[uint32]bool{}
	var err error
	o.ready.Scan(func(r readyKey) bool {
		ready[r.ref] = true
		if k := &o.keys[r.ref-1]; len(k.held) == 0 || k.held[0] != r.head {
			err = fmt.Errorf("ready %v of key %s is not its oldest held", r.head, k.key)
		}
		return err == nil
	})
	if err != nil {
		return err
	}
	for key, r := range o.refs {
		k := &o.keys[r-1]
		want := len(k.held) > 0 && (k.busy == 0 || o.field == "")
		if ready[r] != want {
			return fmt.Errorf("key %s ready %v, want %v", key, ready[r], want)
		}
	}
	if len(ready) != o.ready.Len() {
		return fmt.Errorf("%d keys ready, %d in the index", len(ready), o.ready.Len())
	}
	return nil
}

// Random deliveries, holds, acks, claims and consumer deletions keep the
// ordering state consistent, and a clone equals its original.
func TestOrderingStaysConsistent(t *testing.T) {
	for seed := range uint64(50) {
		r := rand.New(rand.NewPCG(seed, 1))
		keyOf := func(id streams.ID) (string, bool) {
			if id.Ms%5 == 0 {
				return "", false // entries without the field
			}
			return fmt.Sprint("k", id.Ms%7), true
		}
		g := New("g", streams.MinID, 0)
		maxIdle := []int{0, 2, idleKeys}[seed%3] // idle keys forgotten at once, soon, or kept
		setOrderBy := func(field string) {
			g.SetOrderBy(field, keyOf)
			if g.keyed != nil {
				g.keyed.maxIdle = maxIdle
			}
		}
		setOrderBy("f")
		cs := []*Consumer{}
		for i := range 3 {
			c, _ := g.CreateConsumer([]byte(fmt.Sprint("c", i)), 0)
			cs = append(cs, c)
		}
		next := uint64(1)
		for step := range 2000 {
			switch r.IntN(8) {
			case 0, 1: // a read: the next entry goes or is held
				id := streams.ID{Ms: next}
				next++
				k, ok := keyOf(id)
				if ok && g.OrderBy() != "" && !g.Free([]byte(k)) {
					g.Hold(id, []byte(k))
					break
				}
				if ok {
					g.DeliverKey(id, cs[r.IntN(3)], int64(step), []byte(k))
				} else {
					g.Deliver(id, cs[r.IntN(3)], int64(step))
				}
			case 2: // a held entry whose turn came goes
				var first []streams.ID
				g.Ready(func(ids []streams.ID) bool { first = append(first, ids[0]); return r.IntN(2) == 0 })
				for _, id := range first {
					g.Unhold(id)
					k, _ := keyOf(id)
					g.DeliverKey(id, cs[r.IntN(3)], int64(step), []byte(k))
				}
			case 3, 4: // an ack
				if lo, hi, ok := g.PendingBounds(); ok {
					g.Ack(streams.ID{Ms: lo.Ms + uint64(r.IntN(int(hi.Ms-lo.Ms)+1))})
				}
			case 5: // a held entry claimed with FORCE, or gone from the stream
				id := streams.ID{Ms: uint64(r.IntN(int(next)))}
				if r.IntN(2) == 0 {
					g.Unhold(id)
					break
				}
				if _, had := g.Lookup(id); !had {
					g.Place(id, cs[0], int64(step), 1)
					g.Unhold(id)
					if k, ok := keyOf(id); ok {
						g.Occupy(id, []byte(k))
					}
				}
			case 6: // a consumer deleted, and back
				c := r.IntN(3)
				g.DeleteConsumer([]byte(fmt.Sprint("c", c)))
				cs[c], _ = g.CreateConsumer([]byte(fmt.Sprint("c", c)), 0)
			case 7: // ORDERBY off while entries are held; on again once none are
				switch {
				case g.OrderBy() != "" && r.IntN(4) == 0:
					setOrderBy("")
				case g.OrderBy() == "" && g.Held() == 0:
					setOrderBy("f")
				case r.IntN(8) == 0:
					g.DropHeldAfter(streams.ID{Ms: uint64(r.IntN(int(next)))})
				}
			}
			if err := checkOrder(g); err != nil {
				t.Fatalf("seed %d step %d: %v", seed, step, err)
			}
		}
		if err := checkOrder(g.Clone()); err != nil {
			t.Fatalf("seed %d: clone: %v", seed, err)
		}
	}
}
