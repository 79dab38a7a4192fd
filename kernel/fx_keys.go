package kernel

import (
	"errors"
	"fmt"
	"maps"

	"sluice/groups"
	"sluice/streams"
)

// DeleteKey deletes key (live or expired) and reports whether it held a
// value.
func (c *Ctx) DeleteKey(key []byte) bool {
	if _, ok := c.db.keys[string(key)]; !ok {
		return false
	}
	c.e.begin(c.dbi, key, opDel)
	return c.e.applyDel(c.dbi, key)
}

func (e *Engine) applyDel(db int, key []byte) bool {
	ok := e.dbs[db].remove(string(key))
	e.changed(db, key, changeKey)
	return ok
}

func replayDel(e *Engine, _ *decoder, t *target) error {
	if _, err := t.dbOf(e); err != nil {
		return err
	}
	e.applyDel(t.db, t.key)
	return nil
}

// SetExpire gives key (which exists) an absolute expiry in unix ms.
func (c *Ctx) SetExpire(key []byte, at int64) {
	r := c.e.begin(c.dbi, key, opExpire)
	r.v(at)
	c.e.applyExpire(c.dbi, key, at)
}

func (e *Engine) applyExpire(db int, key []byte, at int64) {
	d := e.dbs[db]
	if _, ok := d.keys[string(key)]; ok {
		d.expires[string(key)] = at
	}
	e.changed(db, key, changeData)
}

func replayExpire(e *Engine, d *decoder, t *target) error {
	at := d.v()
	if d.err != nil {
		return d.err
	}
	if _, err := t.dbOf(e); err != nil {
		return err
	}
	e.applyExpire(t.db, t.key, at)
	return nil
}

// Persist drops key's expiry.
func (c *Ctx) Persist(key []byte) {
	c.e.begin(c.dbi, key, opPersist)
	c.e.applyPersist(c.dbi, key)
}

func (e *Engine) applyPersist(db int, key []byte) {
	delete(e.dbs[db].expires, string(key))
	e.changed(db, key, changeData)
}

func replayPersist(e *Engine, _ *decoder, t *target) error {
	if _, err := t.dbOf(e); err != nil {
		return err
	}
	e.applyPersist(t.db, t.key)
	return nil
}

// SetString stores a copy of b at key, replacing any value; the expiry
// goes unless keepTTL (an expired value's expiry goes either way).
func (c *Ctx) SetString(key, b []byte, keepTTL bool) {
	r := c.e.begin(c.dbi, key, opSetString)
	r.bytes(b)
	r.flag(keepTTL)
	c.e.applySetString(c.dbi, key, b, keepTTL)
}

func (e *Engine) applySetString(db int, key, b []byte, keepTTL bool) {
	d := e.dbs[db]
	k := string(key)
	how := changeData
	if old, ok := d.keys[k]; ok {
		if _, wasString := old.(*String); !wasString {
			how = changeKey // a stream became a string: its waiters run again
		}
		if !keepTTL || d.Expired(k, e.now) {
			delete(d.expires, k)
		}
	}
	d.set(k, &String{B: append([]byte(nil), b...)})
	e.changed(db, key, how)
}

func replaySetString(e *Engine, d *decoder, t *target) error {
	b, keep := d.bytes(), d.flag()
	if d.err != nil {
		return d.err
	}
	if _, err := t.dbOf(e); err != nil {
		return err
	}
	e.applySetString(t.db, t.key, b, keep)
	return nil
}

// RenameKey moves src's value and expiry to dst in the same database,
// replacing dst. src must exist.
func (c *Ctx) RenameKey(src, dst []byte) {
	r := c.e.begin(c.dbi, src, opRename)
	r.bytes(dst)
	c.e.applyRename(c.dbi, src, dst)
}

func (e *Engine) applyRename(db int, src, dst []byte) error {
	d := e.dbs[db]
	v, ok := d.keys[string(src)]
	if !ok {
		return fmt.Errorf("no key %q to rename", src)
	}
	at := d.Expire(string(src))
	d.remove(string(src))
	d.remove(string(dst))
	d.set(string(dst), v)
	if at != -1 {
		d.expires[string(dst)] = at
	}
	if s, ok := v.(*Stream); ok && s.retention.MaxAge > 0 {
		e.aging(db, string(dst))
	}
	e.changed(db, src, changeKey)
	e.changed(db, dst, changeKey)
	return nil
}

func replayRename(e *Engine, d *decoder, t *target) error {
	dst := d.bytes()
	if d.err != nil {
		return d.err
	}
	if _, err := t.dbOf(e); err != nil {
		return err
	}
	return e.applyRename(t.db, t.key, dst)
}

// CopyKey copies src's value and expiry to dst in database dstDB; with
// replace an existing dst goes first. src must be live.
func (c *Ctx) CopyKey(src []byte, dstDB int, dst []byte) {
	r := c.e.begin(c.dbi, src, opCopy)
	r.uv(uint64(dstDB))
	r.bytes(dst)
	c.e.applyCopy(c.dbi, src, dstDB, dst)
}

func (e *Engine) applyCopy(db int, src []byte, dstDB int, dst []byte) error {
	v := e.dbs[db].keys[string(src)]
	if v == nil {
		return fmt.Errorf("no key %q to copy", src)
	}
	to := e.dbs[dstDB]
	to.remove(string(dst))
	cp := e.copyValue(v)
	to.set(string(dst), cp)
	if at := e.dbs[db].Expire(string(src)); at != -1 {
		to.expires[string(dst)] = at
	}
	if s, ok := cp.(*Stream); ok && s.retention.MaxAge > 0 {
		e.aging(dstDB, string(dst))
	}
	e.changed(dstDB, dst, changeKey)
	return nil
}

func replayCopy(e *Engine, d *decoder, t *target) error {
	dstDB, dst := d.uv(), d.bytes()
	if d.err != nil {
		return d.err
	}
	if _, err := t.dbOf(e); err != nil {
		return err
	}
	if dstDB >= uint64(len(e.dbs)) {
		return fmt.Errorf("database %d out of range", dstDB)
	}
	return e.applyCopy(t.db, t.key, int(dstDB), dst)
}

// copyValue returns an independent deep copy of a value.
func (e *Engine) copyValue(v Value) Value {
	switch x := v.(type) {
	case *String:
		return &String{B: append([]byte(nil), x.B...)}
	case *Stream:
		s := e.newStream()
		x.EachBlock(func(b streams.Block) bool {
			// A cold block's data never changes: the copy shares it.
			b.Data = append([]byte(nil), b.Data...)
			b.Dels = append([]uint64(nil), b.Dels...)
			s.LoadBlock(b)
			return true
		})
		s.SetFirstID(x.FirstID())
		s.SetMeta(x.LastID(), x.EntriesAdded(), x.MaxDeletedID())
		s.retention = x.retention
		e.attach(s.Stream)
		e.tier.noteAll(s.Stream)
		x.EachGroup(func(g *groups.Group) bool {
			s.addGroup(copyGroup(g))
			return true
		})
		if st := x.idmp; st != nil {
			cp := *st
			cp.producers = make(map[string]*idmpProducer, len(st.producers))
			for pid, p := range st.producers {
				cp.producers[pid] = &idmpProducer{queue: append([]string(nil), p.queue...), index: maps.Clone(p.index)}
			}
			s.idmp = &cp
		}
		return s
	}
	return v
}

// copyGroup rebuilds g consumer by consumer and entry by entry.
func copyGroup(g *groups.Group) *groups.Group {
	ng := groups.New(g.Name(), g.LastID(), g.EntriesRead())
	owners := map[*groups.Consumer]*groups.Consumer{}
	g.Consumers(func(cn *groups.Consumer) bool {
		owners[cn] = ng.RestoreConsumer(cn.Name(), cn.SeenTime(), cn.ActiveTime())
		return true
	})
	g.ScanByID(func(n groups.NACK) bool {
		ng.RestoreNACK(n, owners[g.Owner(n)], n.Order())
		return true
	})
	ng.SetSettings(g.Settings())
	ng.SetCounters(g.DeadLettered(), g.DeadLetterFailures())
	return ng
}

// FlushDB empties the client's database.
func (c *Ctx) FlushDB() {
	r := c.e.begin(c.dbi, nil, opFlushDB)
	r.uv(uint64(c.dbi))
	c.e.applyFlush(c.dbi)
}

// FlushAll empties every database.
func (c *Ctx) FlushAll() {
	c.e.begin(c.dbi, nil, opFlushAll)
	for i := range c.e.dbs {
		c.e.applyFlush(i)
	}
}

func (e *Engine) applyFlush(db int) {
	d := e.dbs[db]
	d.flush()
	e.dbChanged(db)
}

// dbChanged breaks every WATCH of a database and runs all its waiters
// again (FLUSHDB, FLUSHALL, SWAPDB).
func (e *Engine) dbChanged(db int) {
	d := e.dbs[db]
	for _, w := range d.watches {
		w.version++
	}
	for _, kw := range d.waits {
		kw.mark(e, changeKey)
	}
}

func replayFlushDB(e *Engine, d *decoder, _ *target) error {
	db := d.uv()
	if d.err != nil {
		return d.err
	}
	if db >= uint64(len(e.dbs)) {
		return fmt.Errorf("database %d out of range", db)
	}
	e.applyFlush(int(db))
	return nil
}

func replayFlushAll(e *Engine, _ *decoder, _ *target) error {
	for i := range e.dbs {
		e.applyFlush(i)
	}
	return nil
}

// SwapDB swaps the data of two databases; waiters and WATCHes stay with
// the index, as in Redis, and all of them are woken.
func (c *Ctx) SwapDB(a, b int) {
	r := c.e.begin(c.dbi, nil, opSwapDB)
	r.uv(uint64(a))
	r.uv(uint64(b))
	c.e.applySwap(a, b)
}

func (e *Engine) applySwap(a, b int) {
	x, y := e.dbs[a], e.dbs[b]
	x.keys, y.keys = y.keys, x.keys
	x.expires, y.expires = y.expires, x.expires
	x.order, y.order = y.order, x.order
	e.dbChanged(a)
	e.dbChanged(b)
}

func replaySwapDB(e *Engine, d *decoder, _ *target) error {
	a, b := d.uv(), d.uv()
	if d.err != nil {
		return d.err
	}
	if a >= uint64(len(e.dbs)) || b >= uint64(len(e.dbs)) {
		return fmt.Errorf("databases %d, %d out of range", a, b)
	}
	e.applySwap(int(a), int(b))
	return nil
}

// SetConfig changes a parameter that replay depends on (stream-node-max-*,
// stream-idmp-*), so later records replay under the value they ran with.
func (c *Ctx) SetConfig(name, value string) error {
	if err := c.e.cfg.Set(name, value); err != nil {
		return err
	}
	r := c.e.begin(c.dbi, nil, opConfig)
	r.str(name)
	r.str(value)
	return nil
}

func replayConfig(e *Engine, d *decoder, _ *target) error {
	name, value := d.bytes(), d.bytes()
	if d.err != nil {
		return d.err
	}
	err := e.cfg.Set(string(name), string(value))
	if errors.Is(err, ErrUnknownParam) {
		e.logger.Warn("the log sets a parameter this build does not have; ignored", "param", string(name))
		return nil
	}
	return err
}
