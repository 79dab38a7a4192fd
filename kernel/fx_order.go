package kernel

import (
	"fmt"

	"sluice/groups"
	"sluice/streams"
)

// Per-key ordering (XGROUP CONFIG ORDERBY). Entry keys are never logged:
// replay reads each from its entry, which the stream holds at that point
// of the log as it did when the command ran; live, the command passes the
// keys it read.

// Keyed is an entry an ORDERBY read handed out or held, with its ordering
// key (Has false: the entry has no such field). Key stays valid until the
// command ends.
type Keyed struct {
	ID  streams.ID
	Key []byte
	Has bool
}

// ordered reports whether g's deliveries involve ordering state.
func ordered(g *groups.Group) bool { return g.OrderBy() != "" || g.Held() > 0 }

// lookupKeys reads the ordering keys of ids (ascending) from s: those
// after the group's last ID in one walk (they are the new entries a read
// scanned, next to each other in the stream), older ones (held entries
// whose turn came) one by one.
func lookupKeys(s *Stream, g *groups.Group, ids []streams.ID) []Keyed {
	out := make([]Keyed, len(ids))
	split := len(ids)
	for i, id := range ids {
		out[i].ID = id
		if split == len(ids) && g.LastID().Less(id) {
			split = i
		}
	}
	for i := range out[:split] {
		s.Get(out[i].ID, func(fv [][]byte) { out[i].Key, out[i].Has = copyKey(g, fv) })
	}
	walkKeys(s, g, out[split:])
	return out
}

// walkKeys reads the keys of entries out (ascending, next to each other in
// the stream) in one walk; one not in the stream gets none.
func walkKeys(s *Stream, g *groups.Group, out []Keyed) {
	if len(out) == 0 {
		return
	}
	j := 0
	s.Range(out[0].ID, out[len(out)-1].ID, false, func(id streams.ID, fv [][]byte) bool {
		for j < len(out) && out[j].ID.Less(id) {
			j++
		}
		if j < len(out) && out[j].ID == id {
			out[j].Key, out[j].Has = copyKey(g, fv)
			j++
		}
		return j < len(out)
	})
}

func copyKey(g *groups.Group, fv [][]byte) ([]byte, bool) {
	k, ok := g.KeyOf(fv)
	return append([]byte(nil), k...), ok
}

// SetOrderBy turns per-key ordering on g on (field) or off ("").
func (c *Ctx) SetOrderBy(key []byte, s *Stream, g *groups.Group, field string) {
	w := c.e.begin(c.dbi, key, opOrderBy)
	w.str(g.Name())
	w.str(field)
	c.e.applyOrderBy(c.dbi, key, s, g, field)
}

func (e *Engine) applyOrderBy(db int, key []byte, s *Stream, g *groups.Group, field string) {
	g.SetOrderBy(field, func(id streams.ID) (string, bool) {
		var k string
		var ok bool
		s.Get(id, func(fv [][]byte) {
			for i := 0; i+1 < len(fv); i += 2 {
				if string(fv[i]) == field {
					k, ok = string(fv[i+1]), true
					return
				}
			}
		})
		return k, ok
	})
	e.changed(db, key, changeAdded) // held entries may go now
}

func replayOrderBy(e *Engine, d *decoder, t *target) error {
	name, field := d.bytes(), d.bytes()
	if d.err != nil {
		return d.err
	}
	s, g, err := groupOf(e, t, name)
	if err != nil {
		return err
	}
	e.applyOrderBy(t.db, t.key, s, g, string(field))
	return nil
}

// DeliverOrdered is Deliver for a group with ORDERBY: delivered are the
// entries handed to cn (held ones whose turn came, oldest first, then new
// ones), held the new ones passed over for their key's turn, dropped held
// ones whose entry is gone. The group's last delivered ID moves past the
// new ones delivered and held.
func (c *Ctx) DeliverOrdered(key []byte, s *Stream, g *groups.Group, cn *groups.Consumer, delivered, held []Keyed, dropped []streams.ID, noack bool) {
	if len(dropped) > 0 {
		w := c.e.begin(c.dbi, key, opUnhold)
		w.str(g.Name())
		w.ids(dropped)
		applyUnhold(g, dropped)
	}
	if len(delivered)+len(held) > 0 {
		ids := make([]streams.ID, len(delivered))
		passed := make([]streams.ID, 0, len(delivered)+len(held))
		for i, k := range delivered {
			ids[i] = k.ID
			if g.LastID().Less(k.ID) {
				passed = append(passed, k.ID)
			}
		}
		heldIDs := make([]streams.ID, len(held))
		for i, k := range held {
			heldIDs[i] = k.ID
		}
		passed = mergeIDs(passed, heldIDs)
		last, read := g.Advanced(passed, s.Info())
		w := c.e.begin(c.dbi, key, opDeliver)
		w.str(g.Name())
		w.str(cn.Name())
		w.v(c.Now)
		w.flag(noack)
		w.id(last)
		w.v(read)
		w.ids(ids)
		applyDeliver(g, cn, c.Now, noack, last, read, ids, delivered)
		g.CountDelivered(len(ids))
	}
	if len(held) > 0 {
		w := c.e.begin(c.dbi, key, opHold)
		w.str(g.Name())
		w.uv(uint64(len(held)))
		l := idList{r: w}
		for _, k := range held {
			l.add(k.ID)
		}
		if err := applyHold(g, held); err != nil {
			panic(err) // the command found these entries a moment ago
		}
	}
	c.e.changed(c.dbi, key, changeData)
}

func applyHold(g *groups.Group, held []Keyed) error {
	for _, k := range held {
		if !k.Has {
			return fmt.Errorf("held entry %v has no key", k.ID)
		}
		g.Hold(k.ID, k.Key)
	}
	return nil
}

func replayHold(e *Engine, d *decoder, t *target) error {
	name := d.bytes()
	ids := readIDs(e, d)
	if d.err != nil {
		return d.err
	}
	s, g, err := groupOf(e, t, name)
	if err != nil {
		return err
	}
	if g.OrderBy() == "" {
		return fmt.Errorf("hold in group %q without ORDERBY", name)
	}
	// Held entries are new ones the read passed, next to each other in
	// the stream.
	keyed := make([]Keyed, len(ids))
	for i, id := range ids {
		keyed[i].ID = id
	}
	walkKeys(s, g, keyed)
	return applyHold(g, keyed)
}

func applyUnhold(g *groups.Group, ids []streams.ID) {
	for _, id := range ids {
		g.Unhold(id)
	}
}

// mergeIDs merges two ascending ID lists.
func mergeIDs(a, b []streams.ID) []streams.ID {
	out := make([]streams.ID, 0, len(a)+len(b))
	for len(a) > 0 && len(b) > 0 {
		if a[0].Less(b[0]) {
			out, a = append(out, a[0]), a[1:]
		} else {
			out, b = append(out, b[0]), b[1:]
		}
	}
	return append(append(out, a...), b...)
}
