package kernel

import (
	"fmt"

	"sluice/streams"
)

// The ops of an effects record; their fields are described in wal/doc.go.
// Ops that act on a key act on the one the last opKey named. Each op has
// one apply function, called both when a command makes the change and
// when replay reads it back: the two cannot drift apart. New ops take new
// numbers; an op's meaning never changes once released.
const (
	opKey byte = 0x01 // db, key: the key later ops act on

	opStreamNew  byte = 0x10 // an empty stream replaces whatever the key held
	opAdd        byte = 0x11 // id, n, n×bytes (field, value, ...): append an entry
	opTrim       byte = 0x12 // policy, maxlen: trim exactly to maxlen under the reference policy
	opDelete     byte = 0x13 // policy, n, n×id: delete entries under the reference policy
	opSetMeta    byte = 0x14 // last id, entries added, max deleted id (XSETID)
	opIDMPConfig byte = 0x15 // duration s, max size: start or reconfigure IDMP
	opIDMPRecord byte = 0x16 // pid, iid, id: remember what (pid, iid) added
	opIDMPDup    byte = 0x17 // count one duplicate
	opRetention  byte = 0x18 // max age ms, max len, max bytes, discard

	opGroupNew       byte = 0x20 // group, last id, entries read (varint)
	opGroupSetID     byte = 0x21 // group, last id, entries read (varint)
	opGroupDel       byte = 0x22 // group
	opConsumerNew    byte = 0x23 // group, consumer, time
	opConsumerDel    byte = 0x24 // group, consumer
	opSeen           byte = 0x25 // group, consumer, time: creates the consumer if needed
	opDeliver        byte = 0x26 // group, consumer, time, noack, last id, entries read, n, n×id
	opPlace          byte = 0x27 // group, consumer, active time (varint, -1 none), n, n×(id, time varint, count varint)
	opAck            byte = 0x28 // group, n, n×id
	opUnown          byte = 0x29 // group, n, n×(id, count varint): XNACK
	opGroupRaiseID   byte = 0x2a // group, id: move the last delivered ID forward only
	opGroupConfig    byte = 0x2b // group, max deliver, dead letter key, ack wait ms
	opDeadLettered   byte = 0x2c // group, ID list: acked and counted as dead-lettered
	opDeadLetterFail byte = 0x2d // group: one dead-lettering refused by its target
	opOrderBy        byte = 0x2e // group, field ("" off)
	opHold           byte = 0x2f // group, ID list: passed over for their key's turn
	opUnhold         byte = 0x40 // group, ID list: held entries dropped, their entry gone

	opDel       byte = 0x30 // delete the key
	opExpire    byte = 0x31 // at (varint unix ms)
	opPersist   byte = 0x32 // drop the key's expiry
	opSetString byte = 0x33 // value, keepttl
	opRename    byte = 0x34 // new key (same database): moves value and expiry
	opCopy      byte = 0x35 // db, new key, replace
	opFlushDB   byte = 0x36 // db
	opFlushAll  byte = 0x37
	opSwapDB    byte = 0x38 // a, b
	opConfig    byte = 0x39 // name, value: a parameter replay depends on
)

// RefPolicy is how deleting stream entries treats consumer-group
// references (the KEEPREF, DELREF and ACKED options of XADD, XTRIM,
// XDELEX, XACKDEL).
type RefPolicy byte

const (
	KeepRef  RefPolicy = iota // delete; pending entries stay in the PELs
	DelRef                    // delete and drop the entry from every PEL
	AckedRef                  // delete only what no group still needs
)

// Results of deleting one entry (XDELEX, XACKDEL).
const (
	DelNotFound   = -1
	DelDeleted    = 1
	DelReferenced = 2
)

// change is how a key changed, for waking blocked readers.
type change int

const (
	changeData  change = iota // breaks WATCHes only: no blocked read can be served by it
	changeAdded               // new entries: blocked readers that can be served are
	changeKey                 // the key itself changed (deleted, replaced, group gone): every waiter runs again
)

// changed breaks the WATCHes of key and queues its blocked readers to be
// served once the running command's record is committed.
func (e *Engine) changed(db int, key []byte, how change) {
	d := e.dbs[db]
	if len(d.watches) > 0 {
		if w, ok := d.watches[string(key)]; ok {
			w.version++
		}
	}
	if how == changeData || len(d.waits) == 0 {
		return
	}
	if kw, ok := d.waits[string(key)]; ok {
		kw.mark(e, how)
	}
}

// target is the key replay's ops act on.
type target struct {
	db    int
	key   []byte
	isSet bool
}

func (t *target) dbOf(e *Engine) (*DB, error) {
	if !t.isSet {
		return nil, fmt.Errorf("no key named before the op")
	}
	return e.dbs[t.db], nil
}

// value is the live value of the target, nil if missing or expired.
func (t *target) value(e *Engine) (Value, error) {
	d, err := t.dbOf(e)
	if err != nil {
		return nil, err
	}
	return e.replayLast.lookup(d, t.key, e.now), nil
}

// lastKey remembers replay's last key lookup: records mostly name the key
// the one before named, and the map lookup (hashing the key) was 4% of a
// replay. It is valid while its database's gen has not moved.
type lastKey struct {
	db  *DB
	gen uint64
	key []byte
	v   Value
}

func (l *lastKey) lookup(d *DB, key []byte, now int64) Value {
	if l.db != d || l.gen != d.gen || string(l.key) != string(key) {
		l.db, l.gen, l.key = d, d.gen, append(l.key[:0], key...)
		l.v, _ = d.keys[string(key)]
	}
	if l.v == nil || len(d.expires) > 0 && d.Expired(string(key), now) {
		return nil
	}
	return l.v
}

// stream is the target's stream, which must exist.
func (t *target) stream(e *Engine) (*Stream, error) {
	v, err := t.value(e)
	if err != nil {
		return nil, err
	}
	s, ok := v.(*Stream)
	if !ok {
		return nil, fmt.Errorf("key %q holds no stream", t.key)
	}
	return s, nil
}

// readIDs reads an ID list (see record.ids) into the engine's scratch
// slice, valid until the next op.
func readIDs(e *Engine, d *decoder) []streams.ID {
	n := d.count(2)
	ids := e.idScratch[:0]
	var prev streams.ID
	for i := range n {
		var id streams.ID
		if i == 0 {
			id = d.id()
		} else if dm := uint64(d.v()); dm != 0 {
			id = streams.ID{Ms: prev.Ms + dm, Seq: d.uv()}
		} else {
			id = streams.ID{Ms: prev.Ms, Seq: prev.Seq + uint64(d.v())}
		}
		ids = append(ids, id)
		prev = id
	}
	e.idScratch = ids[:0]
	return ids
}

// ids writes an ID list: a count, then the IDs as idList writes them.
func (r *record) ids(ids []streams.ID) {
	r.uv(uint64(len(ids)))
	l := idList{r: r}
	for _, id := range ids {
		l.add(id)
	}
}

// idList writes the IDs of a list after its count: the first one whole,
// then each next one as its ms minus the previous one's (a varint,
// wrapping) and its seq, or when the ms is the same, 0 and its seq minus
// the previous one's. Deliveries and acks list rising IDs, which then take
// two or three bytes each.
type idList struct {
	r    *record
	prev streams.ID
	n    int
}

func (l *idList) add(id streams.ID) {
	switch {
	case l.n == 0:
		l.r.id(id)
	case id.Ms != l.prev.Ms:
		l.r.v(int64(id.Ms - l.prev.Ms))
		l.r.uv(id.Seq)
	default:
		l.r.v(0)
		l.r.v(int64(id.Seq - l.prev.Seq))
	}
	l.prev = id
	l.n++
}
