package snapshot

import (
	"encoding/binary"

	"sluice/groups"
	"sluice/streams"
)

// stream reads a stream section: a length-prefixed header (metadata and
// groups), then blocks until the section ends. Nothing is built before the
// CRC passes, because the streams package trusts block contents.
func (r *reader) stream(length int64) error {
	var n [8]byte
	if err := r.read(n[:]); err != nil {
		return err
	}
	rest := length - 8
	plen := binary.BigEndian.Uint64(n[:])
	if plen > uint64(rest) {
		return corrupt("stream header length %d exceeds section", plen)
	}
	prefix := make([]byte, plen)
	if err := r.read(prefix); err != nil {
		return err
	}
	rest -= int64(plen)
	var (
		blocks  []streams.Block
		nblocks uint64
		live    uint64
		h       [blockHead]byte
	)
	for rest > 0 {
		if rest < blockHead {
			return corrupt("stream block header cut short")
		}
		if err := r.read(h[:]); err != nil {
			return err
		}
		rest -= blockHead
		size := int64(binary.BigEndian.Uint32(h[44:]))
		if size > rest {
			return corrupt("stream block of %d bytes exceeds section", size)
		}
		data, err := r.buffer(size, r.st != nil)
		if err != nil {
			return err
		}
		if err := r.read(data); err != nil {
			return err
		}
		rest -= size
		b := streams.Block{First: getID(h[0:]), Last: getID(h[16:]),
			Live: int(binary.BigEndian.Uint32(h[32:])), Deleted: int(binary.BigEndian.Uint32(h[36:])),
			LPBytes: int(binary.BigEndian.Uint32(h[40:])), Data: data}
		nblocks++
		live += uint64(b.Live)
		if r.st != nil {
			blocks = append(blocks, b)
		}
	}
	if err := r.checkCRC(); err != nil {
		return err
	}

	d := decoder{b: prefix}
	k := Key{DB: int(d.uvarint()), Name: d.str(), Expire: d.varint()}
	last, maxDeleted := d.id(), d.id()
	added, count := d.uvarint(), d.uvarint()
	ng := d.count()
	var gs []*groups.Group
	for range ng {
		g := decodeGroup(&d, r.version, r.st != nil)
		if r.st != nil {
			gs = append(gs, g)
		}
	}
	idmp := decodeIDMP(&d)
	var ret Retention
	if r.version >= 3 {
		ret = Retention{MaxAge: d.varint(), MaxLen: d.uvarint(), MaxBytes: d.uvarint(), Discard: d.byte()}
	}
	if nb := d.uvarint(); d.bad || len(d.b) != 0 || nb != nblocks {
		return corrupt("malformed stream header")
	}
	if live != count {
		return corrupt("stream %q: blocks hold %d entries, header says %d", k.Name, live, count)
	}
	r.info.Keys++
	r.info.Streams++
	r.info.Entries += count
	if r.st == nil {
		return nil
	}
	s := streams.New()
	for _, b := range blocks {
		s.LoadBlock(b)
	}
	s.SetMeta(last, added, maxDeleted)
	k.Stream = &Stream{Stream: s, Groups: gs, IDMP: idmp, Retention: ret}
	r.st.Keys = append(r.st.Keys, k)
	return nil
}

// decodeGroup reads what appendGroup wrote; it returns nil unless build.
func decodeGroup(d *decoder, version uint32, build bool) *groups.Group {
	name, last, read := d.str(), d.id(), d.varint()
	var g *groups.Group
	if build {
		g = groups.New(name, last, read)
	}
	var nextOrder uint64
	restoreOrder := func() {}
	if version >= 3 {
		set := groups.Settings{MaxDeliver: d.varint(), DeadLetter: d.str(), AckWait: d.varint()}
		dead, failures := d.varint(), d.varint()
		field := d.str()
		held := map[string][]streams.ID{}
		for range d.count() {
			k := d.str()
			var ids []streams.ID
			for range d.count() {
				ids = append(ids, d.id())
			}
			held[k] = ids
		}
		pending := map[streams.ID]string{}
		for range d.count() {
			id := d.id()
			pending[id] = d.str()
		}
		nextOrder = d.uvarint()
		if build && !d.bad {
			g.SetSettings(set)
			g.SetCounters(dead, failures)
			restoreOrder = func() { g.RestoreOrder(field, held, pending) }
		}
	}
	nc := d.count()
	var cons []*groups.Consumer
	for range nc {
		cname, seen, active := d.str(), d.varint(), d.varint()
		if build && !d.bad {
			cons = append(cons, g.RestoreConsumer(cname, seen, active))
		}
	}
	nn := d.count()
	for range nn {
		n := groups.NACK{ID: d.id()}
		owner := d.uvarint()
		n.DeliveryTime, n.DeliveryCount = d.varint(), d.varint()
		order := d.uvarint()
		if owner > uint64(nc) {
			d.fail()
		}
		if d.bad {
			return g
		}
		if build {
			var o *groups.Consumer
			if owner > 0 {
				o = cons[owner-1]
			}
			g.RestoreNACK(n, o, order)
		}
	}
	if build {
		g.RestoreNextOrder(nextOrder)
		restoreOrder() // once the pending entries are in: they name their keys
	}
	return g
}

// decodeIDMP reads what appendIDMP wrote.
func decodeIDMP(d *decoder) *IDMP {
	if d.count() == 0 {
		return nil
	}
	m := &IDMP{Duration: d.varint(), MaxSize: int(d.uvarint()), SweepAt: int(d.uvarint()), Added: d.varint(), Duplicates: d.varint()}
	np := d.count()
	for range np {
		p := Producer{PID: d.str()}
		ni := d.count()
		for range ni {
			p.IIDs = append(p.IIDs, IID{IID: d.str(), At: d.varint(), ID: d.id()})
		}
		m.Producers = append(m.Producers, p)
	}
	return m
}

func getID(b []byte) streams.ID {
	return streams.ID{Ms: binary.BigEndian.Uint64(b), Seq: binary.BigEndian.Uint64(b[8:])}
}
