package commands

import (
	"sluice/groups"
	"sluice/kernel"
	"sluice/streams"
)

// XINFO GROUPS and XINFO CONSUMERS; cmd_xinfo.go registers XINFO itself
// and runs before this file (files initialize in name order).
// infoStream looks up XINFO's key, which must exist.
func infoStream(c *Ctx) *kernel.Stream {
	sv, ok := c.Stream(c.Args[2])
	if ok && sv == nil {
		c.Error(errNoKey)
	}
	return sv
}

// XINFO GROUPS key
func xinfoGroups(c *Ctx) {
	sv := infoStream(c)
	if sv == nil {
		return
	}
	info := sv.Info()
	c.W.Array(sv.NumGroups())
	sv.EachGroup(func(g *groups.Group) bool {
		extra := groupExtras(g)
		c.W.Map(6 + extra)
		c.W.BulkString("name")
		c.W.BulkString(g.Name())
		c.W.BulkString("consumers")
		c.W.Int(int64(g.NumConsumers()))
		c.W.BulkString("pending")
		c.W.Int(int64(g.PendingLen()))
		c.W.BulkString("last-delivered-id")
		replyID(c.W, g.LastID())
		c.W.BulkString("entries-read")
		replyEntriesRead(c.W, g)
		c.W.BulkString("lag")
		replyLag(c.W, g, info)
		replyGroupSettings(c.W, g, sv, c.Args[2], extra)
		return true
	})
}

// groupExtras is how many fields XINFO GROUPS adds after Redis's for g:
// none for a group that uses no broker setting and dead-lettered nothing,
// so that it answers as in Redis.
func groupExtras(g *groups.Group) int {
	if g.Settings() == (groups.Settings{}) && g.DeadLettered() == 0 && g.DeadLetterFailures() == 0 &&
		g.OrderBy() == "" && g.Held() == 0 {
		return 0
	}
	return 7
}

// replyGroupSettings writes a group's broker settings and dead-letter
// counters after Redis's fields.
func replyGroupSettings(w Reply, g *groups.Group, s *kernel.Stream, key []byte, extra int) {
	if extra == 0 {
		return
	}
	set := g.Settings()
	w.BulkString("max-deliver")
	w.Int(set.MaxDeliver)
	w.BulkString("dead-letter")
	w.BulkString(deadLetterKey(key, set))
	w.BulkString("ack-wait")
	w.Int(set.AckWait)
	w.BulkString("dead-lettered")
	w.Int(g.DeadLettered())
	w.BulkString("dead-letter-failures")
	w.Int(g.DeadLetterFailures())
	w.BulkString("order-by")
	w.BulkString(g.OrderBy())
	w.BulkString("held-back")
	w.Int(int64(g.Held()))
}

func replyEntriesRead(w Reply, g *groups.Group) {
	if g.EntriesRead() == groups.InvalidEntriesRead {
		w.Null()
		return
	}
	w.Int(g.EntriesRead())
}

func replyLag(w Reply, g *groups.Group, info groups.StreamInfo) {
	if lag, ok := g.Lag(info); ok {
		w.Int(lag)
		return
	}
	w.Null()
}

// XINFO CONSUMERS key group
func xinfoConsumers(c *Ctx) {
	sv := infoStream(c)
	if sv == nil {
		return
	}
	g := sv.Group(c.Args[3])
	if g == nil {
		c.Error("NOGROUP No such consumer group '" + string(c.Args[3]) + "' for key name '" + string(c.Args[2]) + "'")
		return
	}
	c.W.Array(g.NumConsumers())
	g.Consumers(func(k *groups.Consumer) bool {
		c.W.Map(4)
		c.W.BulkString("name")
		c.W.BulkString(k.Name())
		c.W.BulkString("pending")
		c.W.Int(int64(k.PendingLen()))
		c.W.BulkString("idle")
		c.W.Int(k.Idle(c.Now))
		c.W.BulkString("inactive")
		c.W.Int(k.Inactive(c.Now))
		return true
	})
}

// replyGroupsFull writes the "groups" value of XINFO STREAM key FULL [COUNT
// count]: each group with at most count pending entries, and each consumer
// with at most count of its own (count 0: all).
func replyGroupsFull(c *Ctx, sv *kernel.Stream, count int64) {
	w, info := c.W, sv.Info()
	w.Array(sv.NumGroups())
	sv.EachGroup(func(g *groups.Group) bool {
		extra := groupExtras(g)
		w.Map(8 + extra)
		w.BulkString("name")
		w.BulkString(g.Name())
		w.BulkString("last-delivered-id")
		replyID(w, g.LastID())
		w.BulkString("entries-read")
		replyEntriesRead(w, g)
		w.BulkString("lag")
		replyLag(w, g, info)
		w.BulkString("pel-count")
		w.Int(int64(g.PendingLen()))
		w.BulkString("nacked-count")
		w.Int(int64(g.ReleasedLen()))
		w.BulkString("pending")
		mark, n := w.DeferArray(), 0
		g.Pending(groups.Range{End: streams.MaxID, Count: int(clampCount(count))}, func(x groups.NACK) bool {
			w.Array(4)
			replyID(w, x.ID)
			if o := g.Owner(x); o == nil {
				w.BulkString("")
			} else {
				w.BulkString(o.Name())
			}
			w.Int(x.DeliveryTime)
			w.Int(x.DeliveryCount)
			n++
			return true
		})
		w.SetArray(mark, n)
		w.BulkString("consumers")
		w.Array(g.NumConsumers())
		g.Consumers(func(k *groups.Consumer) bool {
			replyConsumerFull(w, g, k, count)
			return true
		})
		replyGroupSettings(w, g, sv, c.Args[2], extra)
		return true
	})
}

func replyConsumerFull(w Reply, g *groups.Group, k *groups.Consumer, count int64) {
	w.Map(5)
	w.BulkString("name")
	w.BulkString(k.Name())
	w.BulkString("seen-time")
	w.Int(k.SeenTime())
	w.BulkString("active-time")
	w.Int(k.ActiveTime())
	w.BulkString("pel-count")
	w.Int(int64(k.PendingLen()))
	w.BulkString("pending")
	mark, n := w.DeferArray(), 0
	g.Pending(groups.Range{End: streams.MaxID, Owner: k, Count: int(clampCount(count))}, func(x groups.NACK) bool {
		w.Array(3)
		replyID(w, x.ID)
		w.Int(x.DeliveryTime)
		w.Int(x.DeliveryCount)
		n++
		return true
	})
	w.SetArray(mark, n)
}
