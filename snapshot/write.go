package snapshot

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"os"
	"runtime"
	"slices"

	"sluice/groups"
	"sluice/streams"
)

// Write writes st to path and fsyncs it, returning the file's size and the
// block files it references. It reads only st, never the live keyspace, so
// it runs without the engine lock.
func Write(path string, st *State) (Info, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o644)
	if err != nil {
		return Info{}, fmt.Errorf("snapshot: create: %w", err)
	}
	w := &writer{bw: bufio.NewWriterSize(f, 1<<20), refs: Refs{}}
	w.state(st)
	if w.err == nil {
		w.err = w.bw.Flush()
	}
	if w.err == nil {
		w.err = f.Sync()
	}
	if cerr := f.Close(); w.err == nil {
		w.err = cerr
	}
	if w.err != nil {
		return Info{}, fmt.Errorf("snapshot: write %s: %w", path, w.err)
	}
	return Info{LSN: st.LSN, Time: st.Time, Keys: len(st.Keys), Size: w.n, Refs: w.refs}, nil
}

// writer writes sections, keeping the running CRC of the current one. The
// first error sticks and makes later writes no-ops.
type writer struct {
	bw   *bufio.Writer
	crc  uint32
	n    int64
	err  error
	buf  []byte // a section prefix being built
	idx  []byte // a stream's block index being built
	strs []byte // string keys not yet written
	refs Refs
}

func (w *writer) state(st *State) {
	var h [headerSize]byte
	copy(h[:], magic)
	binary.BigEndian.PutUint32(h[8:], version)
	binary.BigEndian.PutUint64(h[12:], st.LSN)
	binary.BigEndian.PutUint64(h[20:], uint64(st.Time))
	binary.BigEndian.PutUint32(h[28:], crc32.Checksum(h[:28], castagnoli))
	w.write(h[:])

	b := binary.AppendUvarint(w.buf[:0], uint64(len(st.Config)))
	for _, p := range st.Config {
		b = appendString(b, p.Name)
		b = appendString(b, p.Value)
	}
	w.section(secConfig, b)
	w.buf = b[:0]

	for i := range st.Keys {
		k := &st.Keys[i]
		if k.Stream != nil {
			w.stream(k)
			continue
		}
		w.strs = binary.AppendUvarint(w.strs, uint64(k.DB))
		w.strs = appendString(w.strs, k.Name)
		w.strs = binary.AppendVarint(w.strs, k.Expire)
		w.strs = appendString(w.strs, k.String)
		if len(w.strs) >= stringsSectionSize {
			w.flushStrings()
		}
	}
	w.flushStrings()
	w.section(secEnd, binary.AppendUvarint(w.buf[:0], uint64(len(st.Keys))))
}

func (w *writer) write(p []byte) {
	if w.err != nil {
		return
	}
	w.crc = crc32.Update(w.crc, castagnoli, p)
	var n int
	n, w.err = w.bw.Write(p)
	w.n += int64(n)
}

func (w *writer) begin(typ byte, length int64) {
	w.crc = 0
	var h [sectionHead]byte
	h[0] = typ
	binary.BigEndian.PutUint64(h[1:], uint64(length))
	w.write(h[:])
}

func (w *writer) end() {
	var c [4]byte
	binary.BigEndian.PutUint32(c[:], w.crc)
	w.write(c[:])
}

func (w *writer) section(typ byte, payload []byte) {
	w.begin(typ, int64(len(payload)))
	w.write(payload)
	w.end()
}

func (w *writer) flushStrings() {
	if len(w.strs) > 0 {
		w.section(secStrings, w.strs)
		w.strs = w.strs[:0]
	}
}

// stream writes one stream section: a length-prefixed header with the
// metadata and groups, the lengths of the block index and of the hot
// blocks' data, the index, then that data, byte for byte as it is in
// memory. A cold block is its index entry only: where its data is.
func (w *writer) stream(k *Key) {
	s := k.Stream
	b := binary.AppendUvarint(w.buf[:0], uint64(k.DB))
	b = appendString(b, k.Name)
	b = binary.AppendVarint(b, k.Expire)
	b = appendID(b, s.LastID())
	b = appendID(b, s.MaxDeletedID())
	b = binary.AppendUvarint(b, s.EntriesAdded())
	b = binary.AppendUvarint(b, s.Len())
	b = appendID(b, s.FirstID())
	b = binary.AppendUvarint(b, uint64(len(s.Groups)))
	for _, g := range s.Groups {
		b = appendGroup(b, g)
	}
	b = appendIDMP(b, s.IDMP)
	b = binary.AppendVarint(b, s.Retention.MaxAge)
	b = binary.AppendUvarint(b, s.Retention.MaxLen)
	b = binary.AppendUvarint(b, s.Retention.MaxBytes)
	b = append(b, s.Retention.Discard)
	idx := w.idx[:0]
	if need := s.Blocks() * 24; cap(idx) < need {
		idx = make([]byte, 0, need)
	}
	blocks, hotBlocks, hot := 0, 0, int64(0)
	var prev streams.ID
	var file uint32 // blocks come mostly file by file: one map update per run
	var fileBytes int64
	s.EachBlock(func(blk streams.Block) bool {
		if blocks++; blocks%8192 == 0 {
			// The writer shares the CPU with the server's connections.
			runtime.Gosched()
		}
		idx = appendIndexEntry(idx, blk, prev)
		prev = blk.Last
		if !blk.Cold() {
			hotBlocks++
			hot += int64(len(blk.Data))
			return true
		}
		if blk.Loc.File != file {
			w.ref(file, fileBytes)
			file, fileBytes = blk.Loc.File, 0
		}
		fileBytes += int64(blk.Loc.Len)
		return true
	})
	w.ref(file, fileBytes)
	b = binary.AppendUvarint(b, uint64(blocks))
	w.buf, w.idx = b, idx

	w.begin(secStream, 8+int64(len(b))+16+int64(len(idx))+hot)
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(len(b)))
	w.write(n[:])
	w.write(b)
	binary.BigEndian.PutUint64(n[:], uint64(len(idx)))
	w.write(n[:])
	binary.BigEndian.PutUint64(n[:], uint64(hot))
	w.write(n[:])
	w.write(idx)
	written := 0
	if hotBlocks > 0 {
		s.EachBlock(func(blk streams.Block) bool {
			if blk.Cold() {
				return true
			}
			if written++; written%64 == 0 {
				// yield every ~256 KB rather than hold the CPU for a time slice
				runtime.Gosched()
			}
			w.write(blk.Data)
			return w.err == nil
		})
	}
	w.end()
}

// ref counts n bytes of cold blocks in file (0: none).
func (w *writer) ref(file uint32, n int64) {
	if file != 0 {
		w.refs[file] += n
	}
}

// appendIndexEntry writes a block's index entry: its kind, its IDs (the
// first as a step from the previous block's last, the last from the
// first), counts and data length, then for a cold block its file, offset
// and deletion bits. A cold block takes about 20 bytes.
func appendIndexEntry(b []byte, blk streams.Block, prev streams.ID) []byte {
	kind := blockHot
	if blk.Cold() {
		kind = blockCold
	}
	b = append(b, kind)
	b = binary.AppendUvarint(b, blk.First.Ms-prev.Ms)
	b = binary.AppendUvarint(b, blk.First.Seq)
	b = binary.AppendUvarint(b, blk.Last.Ms-blk.First.Ms)
	b = binary.AppendUvarint(b, blk.Last.Seq)
	b = binary.AppendUvarint(b, uint64(blk.Live))
	b = binary.AppendUvarint(b, uint64(blk.Deleted))
	b = binary.AppendUvarint(b, uint64(blk.LPBytes))
	if kind == blockHot {
		return binary.AppendUvarint(b, uint64(len(blk.Data)))
	}
	b = binary.AppendUvarint(b, uint64(blk.Loc.Len))
	b = binary.AppendUvarint(b, uint64(blk.Loc.File))
	b = binary.AppendUvarint(b, uint64(blk.Loc.Off))
	b = binary.AppendUvarint(b, uint64(len(blk.Dels)))
	for _, x := range blk.Dels {
		b = binary.AppendUvarint(b, x)
	}
	return b
}

// appendGroup encodes a group as groups.Group's restore wants it: the
// group, its consumers, then its pending entries by ID, each naming its
// owner by position in the consumer list (0 = released) and keeping its
// place in the delivery-time order.
func appendGroup(b []byte, g *groups.Group) []byte {
	b = appendString(b, g.Name())
	b = appendID(b, g.LastID())
	b = binary.AppendVarint(b, g.EntriesRead())
	set := g.Settings()
	b = binary.AppendVarint(b, set.MaxDeliver)
	b = appendString(b, set.DeadLetter)
	b = binary.AppendVarint(b, set.AckWait)
	b = binary.AppendVarint(b, g.DeadLettered())
	b = binary.AppendVarint(b, g.DeadLetterFailures())
	b = appendOrder(b, g)
	b = binary.AppendUvarint(b, g.NextOrder())
	b = binary.AppendUvarint(b, uint64(g.NumConsumers()))
	index := make(map[string]uint64, g.NumConsumers())
	g.Consumers(func(c *groups.Consumer) bool {
		index[c.Name()] = uint64(len(index) + 1)
		b = appendString(b, c.Name())
		b = binary.AppendVarint(b, c.SeenTime())
		b = binary.AppendVarint(b, c.ActiveTime())
		return true
	})
	b = binary.AppendUvarint(b, uint64(g.PendingLen()))
	g.ScanByID(func(n groups.NACK) bool {
		b = appendID(b, n.ID)
		var owner uint64
		if o := g.Owner(n); o != nil {
			owner = index[o.Name()]
		}
		b = binary.AppendUvarint(b, owner)
		b = binary.AppendVarint(b, n.DeliveryTime)
		b = binary.AppendVarint(b, n.DeliveryCount)
		b = binary.AppendUvarint(b, n.Order())
		return true
	})
	return b
}

// appendOrder writes a group's per-key ordering: the field, each key's
// held entries oldest first, and the keys of pending entries (their entry
// may be gone by the next start).
func appendOrder(b []byte, g *groups.Group) []byte {
	b = appendString(b, g.OrderBy())
	var keys []string
	held := map[string][]streams.ID{}
	g.EachHeld(func(k string, ids []streams.ID) {
		keys = append(keys, k)
		held[k] = ids
	})
	slices.Sort(keys)
	b = binary.AppendUvarint(b, uint64(len(keys)))
	for _, k := range keys {
		b = appendString(b, k)
		b = binary.AppendUvarint(b, uint64(len(held[k])))
		for _, id := range held[k] {
			b = appendID(b, id)
		}
	}
	type pk struct {
		id  streams.ID
		key string
	}
	var pending []pk
	g.EachPendingKey(func(id streams.ID, k string) { pending = append(pending, pk{id, k}) })
	slices.SortFunc(pending, func(a, b pk) int { return a.id.Compare(b.id) })
	b = binary.AppendUvarint(b, uint64(len(pending)))
	for _, p := range pending {
		b = appendID(b, p.id)
		b = appendString(b, p.key)
	}
	return b
}

// appendIDMP writes a presence byte, then the state.
func appendIDMP(b []byte, m *IDMP) []byte {
	if m == nil {
		return append(b, 0)
	}
	b = append(b, 1)
	b = binary.AppendVarint(b, m.Duration)
	b = binary.AppendUvarint(b, uint64(m.MaxSize))
	b = binary.AppendUvarint(b, uint64(m.SweepAt))
	b = binary.AppendVarint(b, m.Added)
	b = binary.AppendVarint(b, m.Duplicates)
	b = binary.AppendUvarint(b, uint64(len(m.Producers)))
	for _, p := range m.Producers {
		b = appendString(b, p.PID)
		b = binary.AppendUvarint(b, uint64(len(p.IIDs)))
		for _, x := range p.IIDs {
			b = appendString(b, x.IID)
			b = binary.AppendVarint(b, x.At)
			b = appendID(b, x.ID)
		}
	}
	return b
}

func appendID(b []byte, id streams.ID) []byte {
	b = binary.AppendUvarint(b, id.Ms)
	return binary.AppendUvarint(b, id.Seq)
}
