package snapshot

import (
	"encoding/binary"

	"sluice/groups"
	"sluice/streams"
)

// stream reads a stream section: a length-prefixed header (metadata and
// groups), then the blocks. Nothing is built before the CRC passes,
// because the streams package trusts block contents.
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
	var bl blockList
	var err error
	if r.version < indexVersion {
		err = r.blocksV2(rest, &bl)
	} else {
		err = r.blocks(rest, &bl)
	}
	if err != nil {
		return err
	}
	if err := r.checkCRC(); err != nil {
		return err
	}
	if r.light {
		r.info.Keys++
		return nil
	}

	d := decoder{b: prefix}
	k := Key{DB: int(d.uvarint()), Name: d.str(), Expire: d.varint()}
	last, maxDeleted := d.id(), d.id()
	added, count := d.uvarint(), d.uvarint()
	var first streams.ID
	if r.version >= indexVersion {
		first = d.id()
	}
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
	nb := d.uvarint()
	if d.bad || len(d.b) != 0 {
		return corrupt("malformed stream header")
	}
	var s *streams.Stream
	if r.st != nil {
		s = streams.New()
	}
	if r.version < indexVersion {
		for _, b := range bl.v2 {
			s.LoadBlock(b)
		}
	} else if err := r.index(&bl, s); err != nil {
		return err
	}
	if nb != uint64(bl.n) {
		return corrupt("malformed stream header")
	}
	if bl.live != count {
		return corrupt("stream %q: blocks hold %d entries, header says %d", k.Name, bl.live, count)
	}
	r.info.Keys++
	r.info.Streams++
	r.info.Entries += count
	if s == nil {
		return nil
	}
	if r.version < indexVersion {
		// every block is hot: the first entry is at hand
		s.Range(streams.MinID, streams.MaxID, false, func(id streams.ID, _ [][]byte) bool {
			first = id
			return false
		})
	}
	s.SetFirstID(first)
	s.SetMeta(last, added, maxDeleted)
	k.Stream = &Stream{Stream: s, Groups: gs, IDMP: idmp, Retention: ret}
	r.st.Keys = append(r.st.Keys, k)
	return nil
}

// blockList is what a stream section's blocks read to: the index and the
// data of its hot blocks (version 4), or the blocks (before); n blocks
// holding live entries.
type blockList struct {
	index, hot []byte
	v2         []streams.Block
	n          int
	live       uint64
}

// blocks reads a stream's block index (see appendIndexEntry) and the data
// of its hot blocks, rest bytes in all; they are decoded once the
// section's CRC passes (index).
func (r *reader) blocks(rest int64, bl *blockList) error {
	var n [16]byte
	if rest < 16 {
		return corrupt("stream block index cut short")
	}
	if err := r.read(n[:]); err != nil {
		return err
	}
	rest -= 16
	ilen, hlen := binary.BigEndian.Uint64(n[:]), binary.BigEndian.Uint64(n[8:])
	if ilen > uint64(rest) || hlen != uint64(rest)-ilen {
		return corrupt("stream block index of %d bytes and data of %d bytes in %d", ilen, hlen, rest)
	}
	var err error
	if bl.index, err = r.buffer(int64(ilen), r.st != nil); err != nil {
		return err
	}
	if err := r.read(bl.index); err != nil {
		return err
	}
	// The scratch buffer holds the index while verifying: fresh memory.
	if bl.hot, err = r.buffer(int64(hlen), true); err != nil {
		return err
	}
	return r.read(bl.hot)
}

// index decodes a block index checked by its CRC, counting its blocks,
// their entries and the files they reference, and loads the blocks into s
// unless it is nil (verifying).
func (r *reader) index(bl *blockList, s *streams.Stream) error {
	hot := bl.hot
	var file uint32
	var fileBytes int64
	ref := func() {
		if file != 0 {
			if r.info.Refs == nil {
				r.info.Refs = Refs{}
			}
			r.info.Refs[file] += fileBytes
		}
	}
	ok := eachIndexEntry(bl.index, func(b streams.Block, size uint64) bool {
		bl.n++
		bl.live += uint64(b.Live)
		if b.Cold() {
			if b.Loc.File != file {
				ref()
				file, fileBytes = b.Loc.File, 0
			}
			fileBytes += int64(b.Loc.Len)
		} else {
			if size > uint64(len(hot)) {
				return false
			}
			// Each block its own copy: the stream lets go of blocks one
			// by one.
			b.Data, hot = append([]byte(nil), hot[:size]...), hot[size:]
		}
		if s != nil {
			s.LoadBlock(b)
		}
		return true
	})
	ref()
	if !ok || len(hot) != 0 {
		return corrupt("malformed stream block index")
	}
	return nil
}

// eachIndexEntry decodes a block index, calling fn with each block (Data
// nil, Dels fresh) and its data size, and reports whether the index is
// well formed and fn took every entry.
func eachIndexEntry(idx []byte, fn func(b streams.Block, size uint64) bool) bool {
	var prev streams.ID
	d := decoder{b: idx}
	for len(d.b) > 0 {
		kind := d.b[0]
		d.b = d.b[1:]
		var b streams.Block
		b.First.Ms = prev.Ms + d.uvarint()
		b.First.Seq = d.uvarint()
		b.Last.Ms = b.First.Ms + d.uvarint()
		b.Last.Seq = d.uvarint()
		b.Live, b.Deleted, b.LPBytes = int(d.uvarint()), int(d.uvarint()), int(d.uvarint())
		size := d.uvarint()
		switch kind {
		case blockHot:
		case blockCold:
			if size == 0 || size > 1<<32-1 {
				return false
			}
			b.Loc = streams.Loc{Len: uint32(size), File: uint32(d.uvarint()), Off: uint32(d.uvarint())}
			if nd := d.count(); nd > 0 {
				b.Dels = make([]uint64, nd)
				for i := range b.Dels {
					b.Dels[i] = d.uvarint()
				}
			}
		default:
			return false
		}
		if d.bad || b.Last.Less(b.First) || b.Live <= 0 {
			return false
		}
		prev = b.Last
		if !fn(b, size) {
			return false
		}
	}
	return true
}

// blocksV2 reads the blocks of a version 2 or 3 file: a fixed header and the
// data of each, every block hot.
func (r *reader) blocksV2(rest int64, bl *blockList) error {
	var h [blockHead]byte
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
		bl.n++
		bl.live += uint64(b.Live)
		if r.st != nil {
			bl.v2 = append(bl.v2, b)
		}
	}
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
