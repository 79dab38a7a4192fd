package commands

import (
	"math"

	"sluice/groups"
	"sluice/kernel"
	"sluice/streams"
)

// readTarget is one stream of an XREADGROUP.
type readTarget struct {
	key   []byte
	s     *kernel.Stream
	g     *groups.Group
	after streams.ID // entries after this one; MaxID stands for ">"
}

// XREADGROUP GROUP group consumer [COUNT count] [BLOCK ms] [CLAIM min-idle]
// [NOACK] STREAMS key [key ...] id [id ...]
//
// With ">", a group with an ACKWAIT hands out entries pending longer than
// it before new ones, as CLAIM does but in the plain reply shape; entries
// past the group's MAXDELIVER go to its dead-letter stream instead.
func xreadgroup(c *Ctx) {
	r, ok := parseRead(c, true)
	if !ok {
		return
	}
	targets, ok := readTargets(c, r)
	if !ok {
		return
	}
	claim := r.claim
	wakeAt := int64(math.MaxInt64) // when a pending entry turns claimable
	served, mark := 0, 0
	// MAXCOUNT and MAXSIZE cap the whole reply; streams past them are left out.
	total, size := clampCount(r.maxCount), clampCount(r.maxSize)
	var sent, bytes int64
	delivered := false
	for _, t := range targets {
		if sent >= total || bytes >= size {
			break
		}
		limit := min(clampCount(r.count), total-sent)
		after, history, serve := t.after, t.after != streams.MaxID, false
		if history {
			serve = true
			claim = -1 // as in Redis, a history read turns CLAIM off for the streams after it too
		} else if t.s.Len() > 0 && t.g.LastID().Less(t.s.LastEntryID()) || t.g.HasReady() {
			serve, after = true, t.g.LastID()
		}
		minIdle := claim
		if minIdle < 0 && !history && t.g.Settings().AckWait > 0 {
			minIdle = t.g.Settings().AckWait
		}
		var idle []idleEntry
		if minIdle >= 0 && !history {
			var next int64
			idle, next = takeIdle(c, t, minIdle, limit)
			wakeAt = min(wakeAt, next)
		}
		consumer := c.SeeConsumer(t.key, t.g, r.consumer)
		if !serve && len(idle) == 0 {
			continue
		}
		if served == 0 {
			mark = c.W.DeferArray()
		}
		part := c.W.DeferArray()
		served++
		if !c.W.Resp3() {
			c.W.Array(2)
		}
		c.W.Bulk(t.key)
		start, _ := after.Next()
		rd := groupRead{c: c, t: t, consumer: consumer, claimShape: claim >= 0, noack: r.noack,
			limit: limit, sizeLeft: size - bytes}
		if history {
			rd.history(start)
		} else {
			rd.fresh(start, idle, serve)
			delivered = delivered || rd.n > 0
			if rd.more {
				wakeAt = c.Now // entries left unscanned may be deliverable: look again at once
			}
			if rd.n == 0 && orderedGroup(t.g) {
				// Every entry was held for its key's turn: nothing to say
				// about this stream, and a blocking read waits on.
				c.W.Truncate(part)
				served--
				continue
			}
		}
		sent, bytes = sent+rd.n, bytes+rd.bytes
	}
	if delivered {
		c.Dirty(1) // one change per read that delivered, as Redis counts it
	}
	if served > 0 {
		c.W.SetMap(mark, served)
		return
	}
	if r.block < 0 {
		c.W.NullArray()
		return
	}
	on := make([]kernel.WaitOn, len(targets))
	for i, t := range targets {
		on[i] = kernel.WaitOn{Key: t.key, Group: r.group}
	}
	c.Block(on, r.block, c.Args, func(w Reply) { w.NullArray() })
	if wakeAt != math.MaxInt64 {
		c.RetryAt(wakeAt)
	}
}

// idleEntry is a pending entry a read takes over, with how long it had
// waited.
type idleEntry struct {
	n    groups.NACK
	idle int64
}

// deadLettersPerRead bounds the entries one read dead-letters, so that a
// backlog of them is moved in steps.
const deadLettersPerRead = 100

// takeIdle returns, oldest delivery first, up to limit entries of t's
// group pending for at least minIdle, dead-lettering on the way those
// past the group's MAXDELIVER. next is when the oldest other deliverable
// entry turns claimable (Redis takes one once strictly past min-idle), or
// with none pending, when one delivered now would.
func takeIdle(c *Ctx, t readTarget, minIdle, limit int64) (take []idleEntry, next int64) {
	set := t.g.Settings()
	var dead []groups.NACK
	t.g.Idle(minIdle, c.Now, t.s.Has, func(n groups.NACK, idle int64) bool {
		if !t.g.EarliestPending(n.ID) {
			return true // ORDERBY: an earlier entry of its key goes again first
		}
		if overDelivered(set, n) {
			dead = append(dead, n)
		} else {
			take = append(take, idleEntry{n, idle})
		}
		return int64(len(take)) < limit && len(dead) < deadLettersPerRead
	})
	for _, n := range dead {
		deadLetter(c, t.key, t.s, t.g, n)
	}
	next = c.Now + minIdle + 1
	if tm, ok := t.g.FirstIdle(func(id streams.ID) bool {
		if !t.s.Has(id) {
			return false
		}
		n, _ := t.g.Lookup(id)
		return !overDelivered(set, n) || deadLetterKey(t.key, set) == "" // a stuck one is no reason to wake
	}); ok {
		next = tm + minIdle + 1
	}
	return take, next
}

// readTargets resolves each key's group and ID, failing as Redis does on
// the first bad one.
func readTargets(c *Ctx, r *readArgs) ([]readTarget, bool) {
	keys, ids := r.keys(c.Args), r.ids(c.Args)
	targets := make([]readTarget, len(keys))
	for i, key := range keys {
		s, ok := c.Stream(key)
		if !ok {
			return nil, false
		}
		var g *groups.Group
		if s != nil {
			g = s.Group(r.group)
		}
		if g == nil {
			c.Error("NOGROUP No such key '" + string(key) + "' or consumer group '" + string(r.group) +
				"' in XREADGROUP with GROUP option")
			return nil, false
		}
		targets[i] = readTarget{key: key, s: s, g: g, after: streams.MaxID}
		switch a := ids[i]; {
		case len(a) == 1 && (a[0] == '$' || a[0] == '+'):
			c.Error("ERR The " + string(a) + " ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The " +
				string(a) + " ID would just return an empty result set.")
			return nil, false
		case len(a) == 1 && a[0] == '>':
		default:
			if targets[i].after, ok = c.ParseID(a); !ok {
				return nil, false
			}
		}
	}
	return targets, true
}

// groupRead serves one stream of an XREADGROUP.
type groupRead struct {
	c          *Ctx
	t          readTarget
	consumer   *groups.Consumer
	claimShape bool // CLAIM given: entries as [id, fields, idle, deliveries]
	noack      bool
	limit      int64 // entries it may send: COUNT, and what MAXCOUNT leaves
	sizeLeft   int64 // MAXSIZE bytes left; soft: the entry crossing it is sent
	n, bytes   int64 // entries and bytes sent
	more       bool  // ORDERBY: the read passed over all the entries it may and stopped
	buf        [48]byte
}

func (rd *groupRead) full() bool { return rd.n >= rd.limit || rd.bytes >= rd.sizeLeft }

// sent counts an entry against the limits; its size only matters under
// MAXSIZE.
func (rd *groupRead) sent(id streams.ID, fv [][]byte) {
	rd.n++
	if rd.sizeLeft == math.MaxInt64 {
		return
	}
	rd.bytes += int64(len(id.Append(rd.buf[:0])))
	for _, x := range fv {
		rd.bytes += int64(len(x))
	}
}

// history re-sends the consumer's own pending entries from start, as
// Redis's streamReplyWithRangeFromConsumerPEL: an entry deleted from the
// stream shows as [id, nil]. Each one sent counts one more delivery.
func (rd *groupRead) history(start streams.ID) {
	w, now := rd.c.W, rd.c.Now
	mark := w.DeferArray()
	var again []groups.NACK
	rd.consumer.Pending(start, func(id streams.ID) bool {
		if rd.full() {
			return false
		}
		found := rd.t.s.Get(id, func(fv [][]byte) {
			replyEntry(w, id, fv, rd.buf[:0])
			rd.sent(id, fv)
		})
		if found {
			n, _ := rd.t.g.Lookup(id)
			n.DeliveryTime = now
			n.DeliveryCount = groups.CountDelivery(n.DeliveryCount)
			again = append(again, n)
		} else {
			w.Array(2)
			replyID(w, id)
			w.NullArray()
			rd.sent(id, nil)
		}
		return true
	})
	rd.c.Place(rd.t.key, rd.t.g, rd.consumer, again, false)
	w.SetArray(mark, int(rd.n))
}

// fresh serves the idle pending entries taken over first (CLAIM or the
// group's ACKWAIT), then, with news, entries never delivered to the group
// from start on.
func (rd *groupRead) fresh(start streams.ID, idle []idleEntry, news bool) {
	w, now := rd.c.W, rd.c.Now
	mark := w.DeferArray()
	if len(idle) > 0 {
		claimed := make([]groups.NACK, 0, len(idle))
		for _, x := range idle {
			if rd.full() {
				break
			}
			rd.t.s.Get(x.n.ID, func(fv [][]byte) {
				if rd.claimShape {
					rd.claimEntry(x.n.ID, fv, x.idle, x.n.DeliveryCount)
				} else {
					replyEntry(w, x.n.ID, fv, rd.buf[:0])
				}
				rd.sent(x.n.ID, fv)
			})
			n := x.n
			n.DeliveryTime, n.DeliveryCount = now, groups.CountDelivery(n.DeliveryCount)
			claimed = append(claimed, n)
		}
		rd.c.Place(rd.t.key, rd.t.g, rd.consumer, claimed, true)
	}
	if orderedGroup(rd.t.g) {
		rd.freshOrdered(start, news)
		w.SetArray(mark, int(rd.n))
		return
	}
	if !news || rd.full() {
		w.SetArray(mark, int(rd.n))
		return
	}
	ids := rd.c.IDScratch()
	rd.t.s.Range(start, streams.MaxID, false, func(id streams.ID, fv [][]byte) bool {
		rd.reply(id, fv)
		ids = append(ids, id)
		return !rd.full()
	})
	rd.c.Deliver(rd.t.key, rd.t.s, rd.t.g, rd.consumer, ids, rd.noack)
	rd.c.KeepIDScratch(ids)
	w.SetArray(mark, int(rd.n))
}

// claimEntry writes an entry as CLAIM does: [id, fields, idle, deliveries].
func (rd *groupRead) claimEntry(id streams.ID, fv [][]byte, idle, deliveries int64) {
	w := rd.c.W
	w.Array(4)
	replyID(w, id)
	w.Array(len(fv))
	for _, x := range fv {
		w.Bulk(x)
	}
	w.Int(idle)
	w.Int(deliveries)
}
