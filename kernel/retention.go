package kernel

import (
	"fmt"

	"sluice/groups"
	"sluice/streams"
)

// DiscardPolicy is what a stream does when an XADD would pass its MAXLEN or
// MAXBYTES.
type DiscardPolicy byte

const (
	DiscardOld   DiscardPolicy = iota // trim the oldest entries (a standing XADD MAXLEN ~)
	DiscardNew                        // refuse the XADD
	DiscardAcked                      // trim only what every group has acked, else refuse
)

// Retention is a stream's own limits (XCFGSET MAXAGE, MAXLEN, MAXBYTES,
// DISCARD); zero turns a limit off.
type Retention struct {
	MaxAge   int64  // ms: entries whose ID time is older go
	MaxLen   uint64 // entries
	MaxBytes uint64 // Stream.Bytes
	Discard  DiscardPolicy
}

// Set reports whether any limit is on (XINFO shows the fields then).
func (r Retention) Set() bool {
	return r.MaxAge > 0 || r.MaxLen > 0 || r.MaxBytes > 0 || r.Discard != DiscardOld
}

// Retention returns the stream's limits.
func (s *Stream) Retention() Retention { return s.retention }

// retentionDefaults are the limits a new stream starts with: the
// stream-max-* and stream-discard parameters.
func (e *Engine) retentionDefaults() Retention {
	r := Retention{MaxAge: e.cfg.Int("stream-max-age"), MaxLen: uint64(max(e.cfg.Int("stream-max-len"), 0)),
		MaxBytes: uint64(max(e.cfg.Int("stream-max-bytes"), 0))}
	if v, _ := e.cfg.Get("stream-discard"); v != "" {
		r.Discard, _ = ParseDiscard(v)
	}
	return r
}

// NewStreamRetention is the limits a stream created now gets.
func (c *Ctx) NewStreamRetention() Retention { return c.e.retentionDefaults() }

// ParseDiscard reads OLD, NEW or ACKED.
func ParseDiscard(v string) (DiscardPolicy, bool) {
	switch {
	case Equal([]byte(v), "old"):
		return DiscardOld, true
	case Equal([]byte(v), "new"):
		return DiscardNew, true
	case Equal([]byte(v), "acked"):
		return DiscardAcked, true
	}
	return DiscardOld, false
}

func (d DiscardPolicy) String() string {
	switch d {
	case DiscardNew:
		return "new"
	case DiscardAcked:
		return "acked"
	}
	return "old"
}

// SetRetention gives s new limits. They are checked when entries are added
// and, for MAXAGE, by a background sweep.
func (c *Ctx) SetRetention(key []byte, s *Stream, r Retention) {
	w := c.e.begin(c.dbi, key, opRetention)
	w.uv(uint64(r.MaxAge))
	w.uv(r.MaxLen)
	w.uv(r.MaxBytes)
	w.byte(byte(r.Discard))
	c.e.applyRetention(c.dbi, key, s, r)
}

func (e *Engine) applyRetention(db int, key []byte, s *Stream, r Retention) {
	s.retention = r
	if r.MaxAge > 0 {
		e.aging(db, string(key))
	}
}

func replayRetention(e *Engine, d *decoder, t *target) error {
	r := Retention{MaxAge: int64(d.uv()), MaxLen: d.uv(), MaxBytes: d.uv(), Discard: DiscardPolicy(d.byte())}
	if d.err != nil {
		return d.err
	}
	if r.MaxAge < 0 || r.Discard > DiscardAcked {
		return fmt.Errorf("retention %+v out of range", r)
	}
	s, err := t.stream(e)
	if err != nil {
		return err
	}
	e.applyRetention(t.db, t.key, s, r)
	return nil
}

// groupDefaults are the settings a new group starts with: the group-*
// parameters.
func (e *Engine) groupDefaults() groups.Settings {
	s := groups.Settings{MaxDeliver: e.cfg.Int("group-max-deliver"), AckWait: e.cfg.Int("group-ack-wait")}
	s.DeadLetter, _ = e.cfg.Get("group-dead-letter")
	return s
}

// ConfigureGroup replaces g's broker settings (XGROUP CONFIG).
func (c *Ctx) ConfigureGroup(key []byte, g *groups.Group, s groups.Settings) {
	w := c.e.begin(c.dbi, key, opGroupConfig)
	w.str(g.Name())
	w.uv(uint64(s.MaxDeliver))
	w.str(s.DeadLetter)
	w.uv(uint64(s.AckWait))
	g.SetSettings(s)
	c.e.changed(c.dbi, key, changeAdded) // a shorter ACKWAIT may serve waiters now
}

func replayGroupConfig(e *Engine, d *decoder, t *target) error {
	name := d.bytes()
	s := groups.Settings{MaxDeliver: int64(d.uv()), DeadLetter: string(d.bytes()), AckWait: int64(d.uv())}
	if d.err != nil {
		return d.err
	}
	if s.MaxDeliver < 0 || s.AckWait < 0 {
		return fmt.Errorf("group settings %+v out of range", s)
	}
	_, g, err := groupOf(e, t, name)
	if err != nil {
		return err
	}
	g.SetSettings(s)
	return nil
}

// DeadLettered acks ids in g and counts them as dead-lettered; the
// entries themselves were added to the dead-letter stream by the same
// command (AddEntry), so both reach the log in one record.
func (c *Ctx) DeadLettered(key []byte, g *groups.Group, ids []streams.ID) {
	if len(ids) == 0 {
		return
	}
	w := c.e.begin(c.dbi, key, opDeadLettered)
	w.str(g.Name())
	w.ids(ids)
	applyDeadLettered(g, ids)
	c.e.changed(c.dbi, key, freed(g))
}

func applyDeadLettered(g *groups.Group, ids []streams.ID) {
	for _, id := range ids {
		g.Ack(id)
	}
	g.CountDeadLettered(int64(len(ids)))
}

// DeadLetterFailed counts an entry that was due for dead-lettering but
// stayed pending: its dead-letter stream refused it.
func (c *Ctx) DeadLetterFailed(key []byte, g *groups.Group) {
	w := c.e.begin(c.dbi, key, opDeadLetterFail)
	w.str(g.Name())
	g.CountDeadLetterFailure()
}

func replayDeadLetterFail(e *Engine, d *decoder, t *target) error {
	name := d.bytes()
	if d.err != nil {
		return d.err
	}
	_, g, err := groupOf(e, t, name)
	if err != nil {
		return err
	}
	g.CountDeadLetterFailure()
	return nil
}
