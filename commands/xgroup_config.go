package commands

import (
	"math"
	"strings"

	"sluice/groups"
	"sluice/kernel"
	"sluice/streams"
)

// XGROUP CONFIG key group [MAXDELIVER n] [DEADLETTER dlq-key] [ACKWAIT ms]
// [ORDERBY field]
//
// sluice's own group settings (0 or "" turns one off): after MAXDELIVER
// deliveries an entry goes to the dead-letter stream (DEADLETTER, or
// "<key>:dlq"); XREADGROUP ">" hands out again entries pending longer than
// ACKWAIT ms, oldest first, before new ones; with ORDERBY, no entry goes
// out while an earlier one with the same value of field is pending.
func xgroupConfig(c *Ctx) { xgroup(c, groupConfig) }

func groupConfig(c *Ctx, s *kernel.Stream, g *groups.Group, _ xgroupOpts) {
	args := c.Args
	key := args[2]
	set := g.Settings()
	orderBy, setOrder := g.OrderBy(), false
	if len(args) == 4 {
		c.Error("ERR At least one parameter must be specified")
		return
	}
	for i := 4; i < len(args); i += 2 {
		if i+1 >= len(args) {
			c.Error(errSyntax)
			return
		}
		opt, v := strings.ToLower(string(args[i])), args[i+1]
		switch opt {
		case "maxdeliver", "ackwait":
			n, ok := c.IntRange(v, 0, math.MaxInt64, "ERR "+strings.ToUpper(opt)+" must be a non-negative integer")
			if !ok {
				return
			}
			if opt == "maxdeliver" {
				set.MaxDeliver = n
			} else {
				set.AckWait = n
			}
		case "deadletter":
			if string(v) == string(key) {
				c.Error("ERR DEADLETTER cannot be the stream itself")
				return
			}
			set.DeadLetter = string(v)
		case "orderby":
			orderBy, setOrder = string(v), true
		default:
			c.Error(errSyntax)
			return
		}
	}
	if setOrder && orderBy != g.OrderBy() {
		if orderBy != "" && g.Held() > 0 {
			c.Error("ERR ORDERBY cannot change while entries are held back for their key's turn; set ORDERBY \"\" and let them drain first")
			return
		}
		c.SetOrderBy(key, s, g, orderBy)
	}
	if set != g.Settings() || !setOrder {
		c.ConfigureGroup(key, g, set)
	}
	c.Dirty(1)
	c.W.Status("OK")
}

// XGROUP REDRIVE key group [COUNT n]
//
// Moves up to COUNT (default 100) of the group's dead-lettered entries,
// oldest first, back to the stream as new entries with their original
// fields, and removes them from the dead-letter stream; replies with how
// many it moved (SQS's dead-letter redrive).
func xgroupRedrive(c *Ctx) { xgroup(c, groupRedrive) }

// redriveScan bounds how many dead-letter entries one REDRIVE looks at
// per entry it may move, so a dead-letter stream shared by many groups
// cannot hold the lock for long.
const redriveScan = 100

func groupRedrive(c *Ctx, s *kernel.Stream, g *groups.Group, _ xgroupOpts) {
	args := c.Args
	key := args[2]
	count := int64(100)
	switch {
	case len(args) == 6 && equal(args[4], "count"):
		n, ok := c.IntRange(args[5], 1, math.MaxInt32, "ERR COUNT must be > 0")
		if !ok {
			return
		}
		count = n
	case len(args) != 4:
		c.Error(errSyntax)
		return
	}
	dlqKey := []byte(deadLetterKey(key, g.Settings()))
	var dlq *kernel.Stream
	if len(dlqKey) > 0 {
		v, ok := c.Stream(dlqKey)
		if !ok {
			return
		}
		dlq = v
	}
	if dlq == nil {
		c.W.Int(0)
		return
	}
	type moved struct {
		id     streams.ID
		fields [][]byte
	}
	var batch []moved
	looked := int64(0)
	dlq.Range(streams.MinID, streams.MaxID, false, func(id streams.ID, fv [][]byte) bool {
		looked++
		if fields, ok := redrivable(fv, key, g.Name()); ok {
			batch = append(batch, moved{id, fields})
		}
		return int64(len(batch)) < count && looked < count*redriveScan
	})
	n := int64(0)
	for _, m := range batch {
		if !appendEntry(c, key, m.fields) {
			break // the stream is full (DISCARD NEW or ACKED): what is left stays
		}
		c.DeleteEntries(dlqKey, dlq, kernel.KeepRef, []streams.ID{m.id}, nil)
		n++
	}
	c.Dirty(n)
	c.W.Int(n)
}

// redrivable reports whether a dead-letter entry came from key's group
// and returns its original fields (without the dlq-* ones), copied.
func redrivable(fv [][]byte, key []byte, group string) ([][]byte, bool) {
	var fromKey, fromGroup bool
	out := make([][]byte, 0, len(fv))
	for i := 0; i+1 < len(fv); i += 2 {
		f, v := string(fv[i]), fv[i+1]
		switch f {
		case dlqSourceKey:
			fromKey = string(v) == string(key)
		case dlqGroup:
			fromGroup = string(v) == group
		case dlqSourceID, dlqConsumer, dlqDeliveries:
		default:
			out = append(out, append([]byte(nil), fv[i]...), append([]byte(nil), v...))
		}
	}
	return out, fromKey && fromGroup && len(out) > 0
}
