package snapshot

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
)

// Info describes a snapshot file.
type Info struct {
	LSN     uint64
	Time    int64 // unix ms of the capture
	Keys    int
	Streams int
	Entries uint64 // stream entries
	Size    int64
	Refs    Refs // block files referenced (nil before version 4)
}

// Load reads the snapshot at path, checking every CRC. Errors about the
// contents wrap ErrCorrupt.
func Load(path string) (*State, Info, error) {
	st := &State{}
	info, err := read(path, st, false)
	if err != nil {
		return nil, info, err
	}
	return st, info, nil
}

// Verify reads the whole file and checks it as Load does, without keeping
// the data.
func Verify(path string) (Info, error) { return read(path, nil, false) }

// ReadBack checks that a file just written reads back: every CRC and the
// sections' framing, without decoding what a stream section holds (its
// block index can be tens of megabytes, and the writer made it).
func ReadBack(path string) error {
	_, err := read(path, nil, true)
	return err
}

func read(path string, st *State, light bool) (Info, error) {
	f, err := os.Open(path)
	if err != nil {
		return Info{}, fmt.Errorf("snapshot: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return Info{}, fmt.Errorf("snapshot: %w", err)
	}
	r := &reader{br: bufio.NewReaderSize(f, 1<<20), left: fi.Size(), st: st, info: Info{Size: fi.Size()}, light: light}
	if err := r.file(); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			err = fmt.Errorf("%w: truncated", ErrCorrupt)
		}
		return r.info, fmt.Errorf("snapshot: %s: %w", path, err)
	}
	return r.info, nil
}

// reader reads one file front to back; st is nil when only verifying.
type reader struct {
	br      *bufio.Reader
	left    int64 // file bytes not yet read
	crc     uint32
	st      *State
	info    Info
	scratch []byte
	version uint32
	light   bool // ReadBack: CRCs and framing only
}

func corrupt(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrCorrupt, fmt.Sprintf(format, args...))
}

func (r *reader) read(p []byte) error {
	if int64(len(p)) > r.left {
		return io.ErrUnexpectedEOF
	}
	if _, err := io.ReadFull(r.br, p); err != nil {
		return err
	}
	r.left -= int64(len(p))
	r.crc = crc32.Update(r.crc, castagnoli, p)
	return nil
}

// buffer returns n bytes of scratch space, or fresh memory when keep is set.
func (r *reader) buffer(n int64, keep bool) ([]byte, error) {
	if n > r.left {
		return nil, io.ErrUnexpectedEOF
	}
	if keep {
		return make([]byte, n), nil
	}
	if int64(cap(r.scratch)) < n {
		r.scratch = make([]byte, n)
	}
	return r.scratch[:n], nil
}

func (r *reader) file() error {
	var h [headerSize]byte
	if err := r.read(h[:]); err != nil {
		return err
	}
	if string(h[:8]) != magic {
		return corrupt("not a snapshot (bad magic)")
	}
	if crc32.Checksum(h[:28], castagnoli) != binary.BigEndian.Uint32(h[28:]) {
		return corrupt("header CRC mismatch")
	}
	r.version = binary.BigEndian.Uint32(h[8:])
	if r.version < minVersion || r.version > version {
		return corrupt("unknown version %d", r.version)
	}
	r.info.LSN = binary.BigEndian.Uint64(h[12:])
	r.info.Time = int64(binary.BigEndian.Uint64(h[20:]))
	if r.st != nil {
		r.st.LSN, r.st.Time = r.info.LSN, r.info.Time
	}
	for {
		offset := r.info.Size - r.left
		typ, err := r.section()
		if err != nil {
			return fmt.Errorf("section at offset %d: %w", offset, err)
		}
		if typ == secEnd {
			break
		}
	}
	if r.left != 0 {
		return corrupt("%d bytes after the end section", r.left)
	}
	return nil
}

// section reads, checks and applies one section.
func (r *reader) section() (byte, error) {
	r.crc = 0
	var h [sectionHead]byte
	if err := r.read(h[:]); err != nil {
		return 0, err
	}
	typ, length := h[0], binary.BigEndian.Uint64(h[1:])
	if length > uint64(r.left) {
		return typ, io.ErrUnexpectedEOF
	}
	if typ == secStream {
		return typ, r.stream(int64(length))
	}
	payload, err := r.buffer(int64(length), false)
	if err != nil {
		return typ, err
	}
	if err := r.read(payload); err != nil {
		return typ, err
	}
	if err := r.checkCRC(); err != nil {
		return typ, err
	}
	d := decoder{b: payload}
	switch typ {
	case secConfig:
		r.config(&d)
	case secStrings:
		r.strings(&d)
	case secEnd:
		if n := d.uvarint(); n != uint64(r.info.Keys) {
			return typ, corrupt("end section counts %d keys, file holds %d", n, r.info.Keys)
		}
	default:
		return typ, corrupt("unknown section type %d", typ)
	}
	if d.bad || len(d.b) != 0 {
		return typ, corrupt("malformed section type %d", typ)
	}
	return typ, nil
}

func (r *reader) checkCRC() error {
	want := r.crc
	var c [4]byte
	if err := r.read(c[:]); err != nil {
		return err
	}
	if binary.BigEndian.Uint32(c[:]) != want {
		return corrupt("CRC mismatch")
	}
	return nil
}

func (r *reader) config(d *decoder) {
	n := d.count()
	for range n {
		p := Param{Name: d.str(), Value: d.str()}
		if r.st != nil && !d.bad {
			r.st.Config = append(r.st.Config, p)
		}
	}
}

func (r *reader) strings(d *decoder) {
	for len(d.b) > 0 && !d.bad {
		k := Key{DB: int(d.uvarint()), Name: d.str(), Expire: d.varint()}
		v := d.bytes()
		r.info.Keys++
		if r.st != nil && !d.bad {
			k.String = append([]byte{}, v...)
			r.st.Keys = append(r.st.Keys, k)
		}
	}
}
