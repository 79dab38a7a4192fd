package engine

import (
	"math"

	"sluice/groups"
	"sluice/streams"
)

func init() {
	register(&Cmd{Name: "xreadgroup", Arity: -7, Flags: FlagWrite | FlagBlocking | FlagNoWake, Group: "stream", Since: "5.0.0",
		Summary: "Returns new or historical messages from a stream for a consumer in a group. Blocks until a message is available otherwise.",
		Run:     xreadgroup, Keys: streamsKeys})
}

// readTarget is one stream of an XREADGROUP.
type readTarget struct {
	sv    *streamValue
	g     *groups.Group
	after streams.ID // entries after this one; MaxID stands for ">"
}

// XREADGROUP GROUP group consumer [COUNT count] [BLOCK ms] [CLAIM min-idle]
// [NOACK] STREAMS key [key ...] id [id ...]
func xreadgroup(c *Ctx) {
	r, ok := c.parseRead(true)
	if !ok {
		return
	}
	keys := r.keys(c.Args)
	targets, ok := c.readTargets(r)
	if !ok {
		return
	}
	claim := r.claim
	nextIdle := int64(math.MaxInt64) // earliest delivery time a claim waits on
	served, mark := 0, 0
	// MAXCOUNT and MAXSIZE cap the whole reply; streams past them are left out.
	total, size := clampCount(r.maxCount), clampCount(r.maxSize)
	var sent, bytes int64
	for i, t := range targets {
		if sent >= total || bytes >= size {
			break
		}
		claimable := false
		if claim >= 0 {
			if tm, ok := t.g.FirstIdle(t.sv.has); ok {
				nextIdle = min(nextIdle, tm)
				claimable = uint64(c.Now-tm) >= uint64(claim) // unsigned, as Redis
			}
		}
		after, history, serve := t.after, t.after != streams.MaxID, false
		if history {
			serve = true
		} else if t.sv.Len() > 0 && t.g.LastID().Less(t.sv.LastEntryID()) {
			serve, after = true, t.g.LastID()
		}
		consumer := c.seen(t.g, r.consumer)
		onlyClaims := false
		if history {
			// As in Redis, this turns CLAIM off for the streams after it too.
			claim = -1
		} else if !serve && claimable {
			serve, onlyClaims = true, true
		}
		if !serve {
			continue
		}
		if served == 0 {
			mark = c.W.DeferArray()
		}
		served++
		if !c.W.Resp3() {
			c.W.Array(2)
		}
		c.W.Bulk(keys[i])
		start, _ := after.Next()
		rd := groupRead{c: c, sv: t.sv, g: t.g, consumer: consumer, claim: claim, noack: r.noack,
			limit: min(clampCount(r.count), total-sent), sizeLeft: size - bytes}
		if history {
			rd.history(start)
		} else {
			rd.fresh(start, onlyClaims)
		}
		sent, bytes = sent+rd.n, bytes+rd.bytes
	}
	if served > 0 {
		c.W.SetMap(mark, served)
		return
	}
	if r.block < 0 {
		c.W.NullArray()
		return
	}
	c.Block(keys, r.block, c.Args, func(w Reply) { w.NullArray() })
	if claim >= 0 {
		if nextIdle == math.MaxInt64 {
			nextIdle = c.Now
		}
		c.RetryAt(nextIdle + claim + 1) // Redis takes an entry once strictly past min-idle
	}
}

// seen returns the named consumer, created if need be, with its seen time
// set. That is a change of state like any other, so it is logged even when
// the command then finds nothing: a restart keeps XINFO CONSUMERS' idle.
func (c *Ctx) seen(g *groups.Group, name []byte) *groups.Consumer {
	consumer, _ := g.Seen(name, c.Now)
	c.Dirty(1)
	return consumer
}

// readTargets resolves each key's group and ID, failing as Redis does on
// the first bad one.
func (c *Ctx) readTargets(r *readArgs) ([]readTarget, bool) {
	keys, ids := r.keys(c.Args), r.ids(c.Args)
	targets := make([]readTarget, len(keys))
	for i, key := range keys {
		sv, ok := c.stream(key)
		if !ok {
			return nil, false
		}
		var g *groups.Group
		if sv != nil {
			g = sv.group(r.group)
		}
		if g == nil {
			c.Error("NOGROUP No such key '" + string(key) + "' or consumer group '" + string(r.group) +
				"' in XREADGROUP with GROUP option")
			return nil, false
		}
		targets[i] = readTarget{sv: sv, g: g, after: streams.MaxID}
		switch a := ids[i]; {
		case len(a) == 1 && (a[0] == '$' || a[0] == '+'):
			c.Error("ERR The " + string(a) + " ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The " +
				string(a) + " ID would just return an empty result set.")
			return nil, false
		case len(a) == 1 && a[0] == '>':
		default:
			if targets[i].after, ok = c.parseID(a); !ok {
				return nil, false
			}
		}
	}
	return targets, true
}

// groupRead serves one stream of an XREADGROUP.
type groupRead struct {
	c        *Ctx
	sv       *streamValue
	g        *groups.Group
	consumer *groups.Consumer
	claim    int64 // -1 = no CLAIM
	noack    bool
	limit    int64 // entries it may send: COUNT, and what MAXCOUNT leaves
	sizeLeft int64 // MAXSIZE bytes left; soft: the entry crossing it is sent
	n, bytes int64 // entries and bytes sent
	buf      [48]byte
}

func (rd *groupRead) full() bool { return rd.n >= rd.limit || rd.bytes >= rd.sizeLeft }

// sent counts an entry against the limits.
func (rd *groupRead) sent(id streams.ID, fv [][]byte) {
	rd.n++
	rd.bytes += int64(len(id.Append(rd.buf[:0])))
	for _, x := range fv {
		rd.bytes += int64(len(x))
	}
}

// history re-sends the consumer's own pending entries from start, as
// Redis's streamReplyWithRangeFromConsumerPEL: an entry deleted from the
// stream shows as [id, nil].
func (rd *groupRead) history(start streams.ID) {
	w := rd.c.W
	mark := w.DeferArray()
	rd.consumer.Pending(start, func(id streams.ID) bool {
		if rd.full() {
			return false
		}
		found := rd.sv.Get(id, func(fv [][]byte) {
			replyEntry(w, id, fv, rd.buf[:0])
			rd.sent(id, fv)
		})
		if found {
			rd.g.Redeliver(id, rd.c.Now)
			rd.c.Dirty(1)
		} else {
			w.Array(2)
			replyID(w, id)
			w.NullArray()
			rd.sent(id, nil)
		}
		return true
	})
	w.SetArray(mark, int(rd.n))
}

// fresh serves idle pending entries first when CLAIM is given, then, unless
// onlyClaims, entries never delivered to the group from start on.
func (rd *groupRead) fresh(start streams.ID, onlyClaims bool) {
	w, now := rd.c.W, rd.c.Now
	mark := w.DeferArray()
	if rd.claim >= 0 {
		limit := 0 // ClaimIdle's "no limit"
		if rd.limit < math.MaxInt64 {
			limit = int(rd.limit)
		}
		claimed := rd.g.ClaimIdle(rd.consumer, rd.claim, limit, now, rd.sv.has,
			func(id streams.ID, idle, deliveries int64) {
				rd.sv.Get(id, func(fv [][]byte) {
					rd.claimEntry(id, fv, idle, deliveries)
					rd.sent(id, fv)
				})
			})
		if claimed > 0 {
			rd.c.Dirty(1)
		}
	}
	if onlyClaims || rd.full() {
		w.SetArray(mark, int(rd.n))
		return
	}
	info := rd.sv.info()
	rd.sv.Range(start, streams.MaxID, false, func(id streams.ID, fv [][]byte) bool {
		rd.g.Advance(id, info)
		if rd.claim >= 0 {
			rd.claimEntry(id, fv, 0, 0)
		} else {
			replyEntry(w, id, fv, rd.buf[:0])
		}
		if !rd.noack {
			rd.g.Deliver(id, rd.consumer, now)
		}
		rd.c.Dirty(1)
		rd.sent(id, fv)
		return !rd.full()
	})
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
