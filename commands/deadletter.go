package commands

import (
	"strconv"

	"sluice/groups"
	"sluice/kernel"
	"sluice/streams"
)

// Dead-lettering (XGROUP CONFIG MAXDELIVER / DEADLETTER): an entry that
// would be delivered once more than MaxDeliver allows, or that XNACK FATAL
// marks, is appended to the group's dead-letter stream with its fields and
// these, then acked in its group, in the command's one log record:
const (
	dlqSourceKey  = "dlq-source-key"
	dlqSourceID   = "dlq-source-id"
	dlqGroup      = "dlq-group"
	dlqConsumer   = "dlq-consumer"
	dlqDeliveries = "dlq-deliveries"
)

// deadLetterKey is where g's dead-lettered entries go: its DEADLETTER, or
// "<key>:dlq" once MAXDELIVER is set, "" when it dead-letters nothing.
func deadLetterKey(key []byte, set groups.Settings) string {
	return set.DeadLetterKey(string(key))
}

// overDelivered reports whether handing n out once more would pass the
// group's MAXDELIVER.
func overDelivered(set groups.Settings, n groups.NACK) bool {
	return set.MaxDeliver > 0 && n.DeliveryCount >= set.MaxDeliver
}

// deadLetter moves pending entry n of group g on stream s (at key) to the
// group's dead-letter stream and acks it. It reports false when the
// dead-letter stream refused it (it holds another type, or is full under
// DISCARD NEW or ACKED): the entry then stays pending and the failure is
// counted. An entry gone from s is only acked.
func deadLetter(c *Ctx, key []byte, s *kernel.Stream, g *groups.Group, n groups.NACK) bool {
	var fields [][]byte
	if !s.Get(n.ID, func(fv [][]byte) {
		fields = make([][]byte, 0, len(fv)+10)
		for _, x := range fv {
			fields = append(fields, append([]byte(nil), x...))
		}
	}) {
		c.Ack(key, g, []streams.ID{n.ID})
		return true
	}
	consumer := ""
	if o := g.Owner(n); o != nil {
		consumer = o.Name()
	}
	var idBuf [48]byte
	fields = append(fields,
		[]byte(dlqSourceKey), append([]byte(nil), key...),
		[]byte(dlqSourceID), n.ID.Append(idBuf[:0]),
		[]byte(dlqGroup), []byte(g.Name()),
		[]byte(dlqConsumer), []byte(consumer),
		[]byte(dlqDeliveries), strconv.AppendInt(nil, n.DeliveryCount, 10))
	dlq := []byte(deadLetterKey(key, g.Settings()))
	if !appendEntry(c, dlq, fields) {
		c.DeadLetterFailed(key, g)
		return false
	}
	c.DeadLettered(key, g, []streams.ID{n.ID})
	c.Dirty(1)
	return true
}

// appendEntry adds an entry with an automatic ID to the stream at key,
// creating it, and within its limits; false when the key holds another
// type or the stream refuses the entry (see admit).
func appendEntry(c *Ctx, key []byte, fv [][]byte) bool {
	v := c.Lookup(key)
	s, isStream := v.(*kernel.Stream)
	if v != nil && !isStream {
		return false
	}
	if s != nil {
		if _, ok := admit(c, key, s, fv); !ok {
			return false
		}
		if s.LastID() == streams.MaxID {
			return false
		}
	}
	last := streams.ID{}
	if s != nil {
		last = s.LastID()
	}
	id, err := streams.NextID(last, uint64(c.Now), true, false, 0)
	if err != nil {
		return false
	}
	if s == nil {
		s = c.CreateStream(key)
	}
	c.AddEntry(key, s, id, fv)
	enforce(c, key, s)
	return true
}
