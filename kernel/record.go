package kernel

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"

	"sluice/streams"
)

// Log record types. The layout of an effects record is documented in
// wal/doc.go; the ops are listed in fx.go.
const (
	// RecCommands is format 1: commands as sent, replayed by running them
	// again (sluice before the effect log). It is no longer read.
	RecCommands byte = 1
	// RecEffects is format 2: the effects of one command (or one
	// transaction), every value decided.
	RecEffects byte = 2
)

// record is the effects record the running command builds. Ops name their
// key through a context (opKey) that later ops on the same key reuse.
type record struct {
	buf    []byte
	open   bool // the header is written
	db     int
	key    []byte
	hasKey bool
	// applying is set while an effect is applied before it is encoded
	// (Trim): the open record tells the same for all the others. A panic
	// with either set may have left the keyspace half changed.
	applying bool
}

// begin starts op on key of database db, writing the header and the key
// context as needed. The op's fields follow.
func (e *Engine) begin(db int, key []byte, op byte) *record {
	r := &e.rec
	if !r.open {
		r.buf = binary.AppendVarint(r.buf[:0], e.now)
		r.open = true
		r.hasKey = false
	}
	if key != nil && (!r.hasKey || r.db != db || !bytes.Equal(r.key, key)) {
		r.buf = append(r.buf, opKey)
		r.uv(uint64(db))
		r.bytes(key)
		r.db, r.key, r.hasKey = db, append(r.key[:0], key...), true
	}
	r.buf = append(r.buf, op)
	return r
}

func (r *record) uv(x uint64) { r.buf = binary.AppendUvarint(r.buf, x) }
func (r *record) v(x int64)   { r.buf = binary.AppendVarint(r.buf, x) }
func (r *record) byte(b byte) { r.buf = append(r.buf, b) }
func (r *record) bytes(b []byte) {
	r.buf = binary.AppendUvarint(r.buf, uint64(len(b)))
	r.buf = append(r.buf, b...)
}
func (r *record) str(s string) {
	r.buf = binary.AppendUvarint(r.buf, uint64(len(s)))
	r.buf = append(r.buf, s...)
}
func (r *record) id(id streams.ID) {
	r.buf = binary.AppendUvarint(r.buf, id.Ms)
	r.buf = binary.AppendUvarint(r.buf, id.Seq)
}
func (r *record) flag(b bool) {
	if b {
		r.buf = append(r.buf, 1)
	} else {
		r.buf = append(r.buf, 0)
	}
}

// reserveCount leaves room for a count written later with setCount, for
// ops whose item count is known only once the items are written.
func (r *record) reserveCount() int {
	r.buf = append(r.buf, 0, 0, 0, 0, 0)
	return len(r.buf) - 5
}

// setCount writes n into the room reserveCount left, as a uvarint padded
// to five bytes (binary.Uvarint reads padded forms).
func (r *record) setCount(at int, n uint64) {
	for i := 0; i < 4; i++ {
		r.buf[at+i] = byte(n&0x7f) | 0x80
		n >>= 7
	}
	r.buf[at+4] = byte(n)
}

// commit hands the running command's record, if it has one, to the log
// and returns the LSN its reply depends on: its own record's, or for a
// command that changed nothing the last one before it (a read must not
// show what the log does not yet hold).
func (e *Engine) commit() uint64 {
	if e.tier.sync {
		e.coolNow()
	}
	r := &e.rec
	if !r.open {
		return e.lastLSN
	}
	r.open = false
	if e.log == nil {
		return e.lastLSN
	}
	lsn, err := e.log.Append(RecEffects, r.buf)
	if err != nil {
		// The change is applied and cannot be logged: the log is closed
		// (shutdown). Nothing may be served from here on.
		e.setFatal(fmt.Errorf("kernel: log append: %w", err))
		return e.lastLSN
	}
	if cap(r.buf) > 1<<20 {
		r.buf = nil // do not keep a huge transaction's buffer
	}
	e.lastLSN = lsn
	return lsn
}

// decoder reads one effects record.
type decoder struct {
	b   []byte
	err error
}

var errShort = errors.New("record cut short")

func (d *decoder) fail(err error) {
	if d.err == nil {
		d.err = err
	}
}

func (d *decoder) uv() uint64 {
	x, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail(errShort)
		d.b = nil
		return 0
	}
	d.b = d.b[n:]
	return x
}

func (d *decoder) v() int64 {
	x, n := binary.Varint(d.b)
	if n <= 0 {
		d.fail(errShort)
		d.b = nil
		return 0
	}
	d.b = d.b[n:]
	return x
}

func (d *decoder) byte() byte {
	if len(d.b) == 0 {
		d.fail(errShort)
		return 0
	}
	b := d.b[0]
	d.b = d.b[1:]
	return b
}

func (d *decoder) flag() bool { return d.byte() != 0 }

// bytes returns a slice of the record; copy what is kept.
func (d *decoder) bytes() []byte {
	n := d.uv()
	if n > uint64(len(d.b)) {
		d.fail(errShort)
		d.b = nil
		return nil
	}
	b := d.b[:n:n]
	d.b = d.b[n:]
	return b
}

func (d *decoder) id() streams.ID { return streams.ID{Ms: d.uv(), Seq: d.uv()} }

// count reads a count of items that each take at least min bytes, so a
// damaged count cannot make replay allocate more than the record holds.
func (d *decoder) count(min int) int {
	n := d.uv()
	if n > uint64(len(d.b)/max(min, 1)) {
		d.fail(errShort)
		d.b = nil
		return 0
	}
	return int(n)
}
