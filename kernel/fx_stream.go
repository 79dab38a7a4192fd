package kernel

import (
	"fmt"

	"sluice/groups"
	"sluice/streams"
)

// CreateStream makes an empty stream at key, replacing an expired value.
// It starts with the server's default limits (stream-max-*), logged as
// its own.
func (c *Ctx) CreateStream(key []byte) *Stream {
	c.e.begin(c.dbi, key, opStreamNew)
	s := c.e.applyStreamNew(c.dbi, key)
	if r := c.e.retentionDefaults(); r.Set() {
		c.SetRetention(key, s, r)
	}
	return s
}

func (e *Engine) applyStreamNew(db int, key []byte) *Stream {
	d := e.dbs[db]
	k := string(key)
	d.remove(k)
	s := e.newStream()
	d.set(k, s)
	e.changed(db, key, changeKey)
	return s
}

func replayStreamNew(e *Engine, _ *decoder, t *target) error {
	if _, err := t.dbOf(e); err != nil {
		return err
	}
	e.applyStreamNew(t.db, t.key)
	return nil
}

// AddEntry appends an entry with a decided ID (greater than LastID).
func (c *Ctx) AddEntry(key []byte, s *Stream, id streams.ID, fv [][]byte) {
	r := c.e.begin(c.dbi, key, opAdd)
	r.id(id)
	r.uv(uint64(len(fv)))
	for _, x := range fv {
		r.bytes(x)
	}
	c.e.applyAdd(c.dbi, key, s, id, fv)
}

func (e *Engine) applyAdd(db int, key []byte, s *Stream, id streams.ID, fv [][]byte) {
	if sd, ok := s.Append(id, fv, e.limits()); ok {
		e.sealed(s.Stream, sd)
	}
	e.changed(db, key, changeAdded)
}

func replayAdd(e *Engine, d *decoder, t *target) error {
	id := d.id()
	n := d.count(1)
	fv := e.fvScratch[:0] // Append copies what it keeps
	for range n {
		fv = append(fv, d.bytes())
	}
	e.fvScratch = fv[:0]
	if d.err != nil {
		return d.err
	}
	s, err := t.stream(e)
	if err != nil {
		return err
	}
	if !s.LastID().Less(id) || len(fv) == 0 || len(fv)%2 != 0 {
		return fmt.Errorf("entry %v cannot follow %v (%d fields and values)", id, s.LastID(), len(fv))
	}
	e.applyAdd(t.db, t.key, s, id, fv)
	return nil
}

// Trim trims s as t says (MAXLEN or MINID, exact or "~", LIMIT) under
// policy, and returns how many entries it removed. The log gets the exact
// trim it amounted to: "~" cuts at block boundaries, which depend on the
// stream-node-max-* settings in force, so replay must not redo the cut.
// Removing the oldest unprotected entries down to the resulting length
// removes exactly the same entries under every policy.
func (c *Ctx) Trim(key []byte, s *Stream, t streams.Trim, policy RefPolicy) int64 {
	c.e.rec.applying = true
	n := c.e.trim(s, t, policy)
	c.e.rec.applying = false
	if n == 0 {
		return 0
	}
	r := c.e.begin(c.dbi, key, opTrim)
	r.byte(byte(policy))
	r.uv(s.Len())
	c.e.changed(c.dbi, key, changeData)
	return n
}

func (e *Engine) trim(s *Stream, t streams.Trim, policy RefPolicy) int64 {
	switch policy {
	case DelRef:
		t.Deleted = s.dropRefs
	case AckedRef:
		t.Keep = s.Referenced
	}
	return s.Stream.Trim(t)
}

func replayTrim(e *Engine, d *decoder, t *target) error {
	policy, maxLen := RefPolicy(d.byte()), d.uv()
	if d.err != nil {
		return d.err
	}
	s, err := t.stream(e)
	if err != nil {
		return err
	}
	e.trim(s, streams.Trim{MaxLen: maxLen}, policy)
	e.changed(t.db, t.key, changeData)
	return nil
}

// dropRefs removes id from every group's PEL.
func (s *Stream) dropRefs(id streams.ID) {
	s.EachGroup(func(g *groups.Group) bool {
		g.Ack(id)
		return true
	})
}

// DeleteEntries deletes ids under policy, as XDEL (KeepRef) and XDELEX
// do, writing each ID's result (DelNotFound, DelDeleted, DelReferenced)
// into res if it is not nil; it returns how many it deleted.
func (c *Ctx) DeleteEntries(key []byte, s *Stream, policy RefPolicy, ids []streams.ID, res []int64) int64 {
	r := c.e.begin(c.dbi, key, opDelete)
	r.byte(byte(policy))
	r.ids(ids)
	return c.e.applyDelete(c.dbi, key, s, policy, ids, res)
}

func (e *Engine) applyDelete(db int, key []byte, s *Stream, policy RefPolicy, ids []streams.ID, res []int64) int64 {
	var n int64
	for i, id := range ids {
		r := int64(DelNotFound)
		switch {
		case policy == AckedRef && s.Referenced(id):
			r = DelReferenced
		default:
			if policy == DelRef {
				s.dropRefs(id)
			}
			if s.Delete(id) {
				r = DelDeleted
				n++
			}
		}
		if res != nil {
			res[i] = r
		}
	}
	e.changed(db, key, changeData)
	return n
}

func replayDelete(e *Engine, d *decoder, t *target) error {
	policy := RefPolicy(d.byte())
	ids := readIDs(e, d)
	if d.err != nil {
		return d.err
	}
	s, err := t.stream(e)
	if err != nil {
		return err
	}
	e.applyDelete(t.db, t.key, s, policy, ids, nil)
	return nil
}

// SetStreamMeta sets what XSETID changes.
func (c *Ctx) SetStreamMeta(key []byte, s *Stream, last streams.ID, added uint64, maxDeleted streams.ID) {
	r := c.e.begin(c.dbi, key, opSetMeta)
	r.id(last)
	r.uv(added)
	r.id(maxDeleted)
	s.SetMeta(last, added, maxDeleted)
	c.e.changed(c.dbi, key, changeData)
}

func replaySetMeta(e *Engine, d *decoder, t *target) error {
	last, added, maxDeleted := d.id(), d.uv(), d.id()
	if d.err != nil {
		return d.err
	}
	s, err := t.stream(e)
	if err != nil {
		return err
	}
	s.SetMeta(last, added, maxDeleted)
	e.changed(t.db, t.key, changeData)
	return nil
}

// ConfigureIDMP starts IDMP on s with the given settings, or changes them
// (which forgets every iid, as in Redis).
func (c *Ctx) ConfigureIDMP(key []byte, s *Stream, duration int64, maxSize int) {
	r := c.e.begin(c.dbi, key, opIDMPConfig)
	r.uv(uint64(duration))
	r.uv(uint64(maxSize))
	applyIDMPConfig(s, duration, maxSize)
}

// StartIDMP starts IDMP on s with the server's defaults if it has none.
func (c *Ctx) StartIDMP(key []byte, s *Stream) {
	if s.idmp == nil {
		d, m := c.e.idmpDefaults()
		c.ConfigureIDMP(key, s, d, m)
	}
}

func applyIDMPConfig(s *Stream, duration int64, maxSize int) {
	if s.idmp == nil {
		s.idmp = newIdmpState(duration, maxSize)
		return
	}
	s.idmp.configure(duration, maxSize)
}

func replayIDMPConfig(e *Engine, d *decoder, t *target) error {
	duration, maxSize := d.uv(), d.uv()
	if d.err != nil {
		return d.err
	}
	if duration < 1 || duration > IDMPMaxDuration || maxSize < 1 || maxSize > IDMPMaxMaxSize {
		return fmt.Errorf("IDMP settings %d s, %d iids out of range", duration, maxSize)
	}
	s, err := t.stream(e)
	if err != nil {
		return err
	}
	applyIDMPConfig(s, int64(duration), int(maxSize))
	return nil
}

// RecordIDMP remembers that (pid, iid) added id at the command's time;
// IDMP must have been started (StartIDMP).
func (c *Ctx) RecordIDMP(key []byte, s *Stream, pid, iid []byte, id streams.ID) {
	r := c.e.begin(c.dbi, key, opIDMPRecord)
	r.bytes(pid)
	r.bytes(iid)
	r.id(id)
	s.idmp.record(pid, iid, id, c.Now)
}

func replayIDMPRecord(e *Engine, d *decoder, t *target) error {
	pid, iid, id := d.bytes(), d.bytes(), d.id()
	if d.err != nil {
		return d.err
	}
	s, err := t.stream(e)
	if err != nil {
		return err
	}
	if s.idmp == nil {
		return fmt.Errorf("IDMP record on a stream without IDMP")
	}
	s.idmp.record(pid, iid, id, e.now)
	return nil
}

// CountIDMPDuplicate counts an XADD IDMP that added nothing; XINFO shows
// the count, so it is logged like any change.
func (c *Ctx) CountIDMPDuplicate(key []byte, s *Stream) {
	c.e.begin(c.dbi, key, opIDMPDup)
	s.idmp.duplicates++
}

func replayIDMPDup(e *Engine, _ *decoder, t *target) error {
	s, err := t.stream(e)
	if err != nil {
		return err
	}
	if s.idmp == nil {
		return fmt.Errorf("IDMP duplicate on a stream without IDMP")
	}
	s.idmp.duplicates++
	return nil
}
