package redcon

import (
	"bytes"
	"io"
	"math"
	"sync"

	"sluice/internal/redisint"
)

const (
	// readSize is the buffer a connection starts with and returns to
	// when idle (Redis's PROTO_IOBUF_LEN).
	readSize = 16 << 10
	// bigCommand: a command whose arguments reach this many bytes keeps
	// the buffer it was read into instead of being copied out of it
	// (Redis's PROTO_MBULK_BIG_ARG).
	bigCommand = 32 << 10
	// maxEmptyReads is how many (0, nil) reads in a row make a stuck
	// reader, the bound bufio uses.
	maxEmptyReads = 100
)

// Command is one request: its arguments, the name first. The arguments
// stay valid after the handler returns (a transaction queues them).
type Command struct {
	Args [][]byte
}

// Reader parses RESP multibulk and inline requests as Redis's
// processMultibulkBuffer and processInlineBuffer do. Every length is
// checked against Limits before it is used; nothing is allocated for
// what a client announces, only for what it sends; a request split over
// many reads is parsed once, its progress kept between reads.
type Reader struct {
	rd   io.Reader
	rerr error // a read error that came with data, returned next time
	buf  []byte
	// buf[start:end] is read but not consumed; a request in progress
	// begins at start, and every position below counts from start.
	start, end int
	// shared: buf is the tail of an array whose head big requests use.
	shared bool
	// pooled: buf came from idleBuffers.
	pooled bool

	// The multibulk request in progress (Redis's multibulklen, bulklen).
	left  int   // arguments still to come; 0 when none is in progress
	bulk  int64 // length of the argument being read; -1 awaits its header
	pos   int   // where parsing resumes
	seen  int   // bytes from pos already searched for a line end
	nul   bool  // a NUL came first: that line never ends (the reader fails)
	marks []int // begin and end of each argument read so far

	err error // met after commands that were returned first; sticky

	// idle, when set, waits until the connection has something to read
	// (or fails) and reads it into a pooled buffer: an idle reader then
	// holds no buffer while it waits.
	idle  func() (*[readSize]byte, int, error)
	stats *Stats

	// Slabs the small commands' arguments are cut from (see carve).
	slab    []byte
	argSlab [][]byte
}

// Slab bounds: a slab covers the requests buffered when it is cut, up to
// these sizes.
const (
	maxSlab     = 16 << 10
	maxArgSlots = 256
)

// idleBuffers are the read buffers of idle connections: a connection
// waiting for its next request holds none, so ten thousand idle clients
// do not hold 160 MB.
var idleBuffers = sync.Pool{New: func() any { return new([readSize]byte) }}

// NewReader returns a reader of requests from rd.
func NewReader(rd io.Reader) *Reader { return newReader(rd, &Stats{}) }

func newReader(rd io.Reader, st *Stats) *Reader {
	return &Reader{rd: rd, buf: make([]byte, readSize), bulk: -1, stats: st}
}

// ReadCommands returns the complete requests buffered, reading until
// there is at least one, or an error. Before authentication it returns
// one request at a time, so that the limits for the next one are those
// in force after this one ran (an AUTH lifts them, as in Redis). An
// error found after complete requests is returned on the next call.
func (r *Reader) ReadCommands(lim Limits) ([]Command, error) {
	var cmds []Command
	for r.err == nil {
		for r.err == nil && (len(cmds) == 0 || !lim.Unauthenticated) {
			cmd, ok, err := r.next(lim)
			if err != nil {
				r.err = err
			} else if !ok {
				break
			} else if cmd.Args != nil {
				cmds = append(cmds, cmd)
			}
		}
		if len(cmds) > 0 {
			return cmds, nil
		}
		if r.err == nil {
			r.err = r.fill(lim)
		}
	}
	return nil, r.err
}

// next parses one request from the buffer. ok is false when more input
// is needed; an empty request (a blank line, "*0") is ok with no args.
func (r *Reader) next(lim Limits) (cmd Command, ok bool, err error) {
	if r.left == 0 {
		if r.start == r.end {
			return Command{}, false, nil
		}
		if r.buf[r.start] != '*' {
			return r.inline()
		}
		line, ok, err := r.line(errBigMultibulk)
		if !ok || err != nil {
			return Command{}, false, err
		}
		n, valid := redisint.Parse(line[1:])
		switch {
		case !valid || n > MaxMultibulkLen:
			return Command{}, false, errInvalidMultibulk
		case n > unauthMultibulkLen && lim.Unauthenticated:
			return Command{}, false, errUnauthMultibulk
		case n <= 0:
			r.consume()
			return Command{}, true, nil
		}
		r.left, r.bulk, r.marks = int(n), -1, r.marks[:0]
	}
	for r.left > 0 {
		if r.bulk < 0 {
			line, ok, err := r.line(errBigBulkCount)
			if !ok || err != nil {
				return Command{}, false, err
			}
			if len(line) == 0 { // the line was just its '\r'
				return Command{}, false, errExpectedDollar('\r')
			}
			if line[0] != '$' {
				return Command{}, false, errExpectedDollar(line[0])
			}
			n, valid := redisint.Parse(line[1:])
			switch {
			case !valid || n < 0 || n > lim.MaxBulkLen:
				return Command{}, false, errInvalidBulk
			case n > unauthBulkLen && lim.Unauthenticated:
				return Command{}, false, errUnauthBulk
			}
			r.bulk = n
		}
		// The argument and the two bytes after it must be buffered;
		// compared without adding to the announced length.
		avail := r.end - r.start - r.pos
		if avail < 2 || int64(avail-2) < r.bulk {
			return Command{}, false, nil
		}
		n := int(r.bulk)
		r.marks = append(r.marks, r.pos, r.pos+n)
		// Redis skips the two bytes after an argument unchecked.
		r.pos += n + 2
		r.left--
		r.bulk = -1
	}
	return r.command(), true, nil
}

// line finds the header line at pos, which ends in CR and one more byte
// (the LF, which Redis skips unchecked). It returns the line without its
// ending and moves pos past the ending. A line longer than MaxInlineLen
// is tooBig, wherever the reads happened to cut it.
func (r *Reader) line(tooBig error) ([]byte, bool, error) {
	b := r.buf[r.start+r.pos : r.end]
	i := r.find(b, '\r')
	switch {
	case i > MaxInlineLen, i < 0 && len(b) > MaxInlineLen:
		return nil, false, tooBig
	case i < 0 || i+1 == len(b): // the byte after the CR is needed too
		return nil, false, nil
	}
	r.pos += i + 2
	r.seen = 0
	return b[:i], true, nil
}

// find returns the index of c in b, resuming after what was searched
// before, or -1. A NUL ends the search as it ends strchr's in Redis: such
// a line never ends, and waits, unsearched, for the length limit or EOF.
func (r *Reader) find(b []byte, c byte) int {
	if r.nul {
		return -1
	}
	from := min(r.seen, len(b))
	rest := b[from:]
	i := bytes.IndexByte(rest, c)
	if i >= 0 {
		rest = rest[:i]
	}
	if bytes.IndexByte(rest, 0) >= 0 {
		r.nul = true
		return -1
	}
	if i < 0 {
		r.seen = len(b)
		return -1
	}
	r.seen = from + i // kept in case the byte after it is still missing
	return from + i
}

// inline parses an inline request: a line ending in LF (a CR before it
// is dropped), split as redis-cli would.
func (r *Reader) inline() (Command, bool, error) {
	b := r.buf[r.start:r.end]
	i := r.find(b, '\n')
	switch {
	case i > MaxInlineLen, i < 0 && len(b) > MaxInlineLen:
		return Command{}, false, errBigInline
	case i < 0:
		return Command{}, false, nil
	}
	line := b[:i]
	if i > 0 && line[i-1] == '\r' {
		line = line[:i-1]
	}
	args, ok := splitArgs(line)
	if !ok {
		return Command{}, false, errUnbalanced
	}
	r.pos = i + 1
	r.consume()
	return Command{Args: args}, true, nil
}

// command makes the request parsed so far into a Command and consumes
// it. Small requests are copied into one block of their own; a big one
// keeps its part of the buffer, and reading goes on after it.
func (r *Reader) command() Command {
	args := r.argSlots(len(r.marks) / 2)
	total := 0
	for i := 0; i < len(r.marks); i += 2 {
		total += r.marks[i+1] - r.marks[i]
	}
	base := r.buf[r.start:]
	if total >= bigCommand {
		for i := range args {
			b, e := r.marks[2*i], r.marks[2*i+1]
			args[i] = base[b:e:e]
		}
		r.buf, r.shared = base[r.pos:], true // never written below here again
		r.end -= r.start + r.pos
		r.start, r.pos, r.seen = 0, 0, 0
		return Command{Args: args}
	}
	block := r.carve(total)
	for i := range args {
		b, e := r.marks[2*i], r.marks[2*i+1]
		block = append(block, base[b:e]...)
		args[i] = block[len(block)-(e-b) : len(block) : len(block)]
	}
	r.consume()
	return Command{Args: args}
}

// carve returns room for n bytes of a command's arguments, cut from a slab
// sized to the input buffered from this request on: the commands of a
// pipeline take one allocation between them, where each took its own (5%
// of the CPU of XADD P16). No byte is handed out twice, so a command may
// keep its arguments as before; a kept one keeps its slab alive.
func (r *Reader) carve(n int) []byte {
	if cap(r.slab)-len(r.slab) < n {
		r.slab = make([]byte, 0, max(n, min(r.end-r.start, maxSlab)))
	}
	b := r.slab[len(r.slab) : len(r.slab) : len(r.slab)+n]
	r.slab = r.slab[:len(r.slab)+n]
	return b
}

// argSlots returns a slice for n arguments, cut as carve cuts bytes: the
// slab has room for as many commands like this one as the buffered input
// may hold.
func (r *Reader) argSlots(n int) [][]byte {
	if cap(r.argSlab)-len(r.argSlab) < n {
		commands := max((r.end-r.start)/max(r.pos, 1), 1)
		r.argSlab = make([][]byte, 0, max(n, min(n*commands, maxArgSlots)))
	}
	a := r.argSlab[len(r.argSlab) : len(r.argSlab)+n : len(r.argSlab)+n]
	r.argSlab = r.argSlab[:len(r.argSlab)+n]
	return a
}

// consume drops the request that ends at pos.
func (r *Reader) consume() {
	r.start += r.pos
	r.pos, r.seen = 0, 0
}

// fill reads more input. The buffer grows only when a request in
// progress fills it, by doubling (to no more than the argument being read
// needs), so memory follows what the client sent, not what it announced.
func (r *Reader) fill(lim Limits) error {
	if r.rerr != nil {
		return r.rerr
	}
	limit := lim.MaxQueryBuffer
	switch {
	case r.start == r.end && r.idle != nil:
		// Idle: wait with no buffer or slab, then read into a pooled one.
		r.release()
		r.slab, r.argSlab = nil, nil
		buf, n, err := r.idle()
		if err != nil {
			return err
		}
		r.buf, r.pooled, r.end = buf[:], true, n
		return r.read(nil, limit)
	case r.start == r.end:
		// Idle: start again from the front, giving back a big buffer or
		// one whose array big requests hold (requests of up to
		// bigCommand bytes fit in what is kept).
		r.slab, r.argSlab = nil, nil
		if r.shared || len(r.buf) > 2*readSize {
			r.buf, r.shared = make([]byte, readSize), false
		}
		r.start, r.end = 0, 0
	case r.end < len(r.buf): // room left
	case len(r.buf) >= readSize && r.end-r.start <= len(r.buf)/2:
		r.end = copy(r.buf, r.buf[r.start:r.end])
		r.start = 0
	default:
		r.grow(limit)
	}
	for empty := 0; ; empty++ {
		n, err := r.rd.Read(r.buf[r.end:])
		r.end += n
		if n > 0 {
			return r.read(err, limit)
		}
		if err != nil {
			return err
		}
		if empty == maxEmptyReads {
			return io.ErrNoProgress
		}
	}
}

// grow moves the pending input to a buffer twice the size (at least
// readSize), or just big enough for the argument being read, and never
// past the query buffer limit (one byte more, so that passing it is seen).
func (r *Reader) grow(limit int64) {
	pending := r.end - r.start
	size := max(int64(len(r.buf))*2, readSize)
	if r.left > 0 && r.bulk >= 0 && r.bulk <= math.MaxInt64-int64(r.pos)-2 {
		if need := int64(r.pos) + r.bulk + 2; need > int64(pending) {
			size = min(size, need)
		}
	}
	if limit < math.MaxInt64 {
		size = min(size, limit+1)
	}
	size = min(size, math.MaxInt) // int is 32 bits on some platforms
	buf := make([]byte, max(int(size), pending+1))
	r.end = copy(buf, r.buf[r.start:r.end])
	r.start = 0
	r.putBack()
	r.buf, r.shared = buf, false
}

// read accounts for bytes just read into buf up to end, with the error
// that came with them, kept for the next fill.
func (r *Reader) read(err error, limit int64) error {
	r.rerr = err
	r.stats.Progress.Add(1)
	r.stats.QueryBuf.Store(int64(r.end - r.start))
	r.stats.QueryBufCap.Store(int64(len(r.buf)))
	if size := r.end - r.start; int64(size) > limit {
		return &QueryBufferError{Size: size, Limit: limit}
	}
	return nil
}

// release gives back the buffer of a reader with nothing buffered: to the
// pool if it came from there, else to the garbage collector.
func (r *Reader) release() {
	r.putBack()
	r.buf, r.shared = nil, false
	r.start, r.end = 0, 0
	r.stats.QueryBuf.Store(0)
	r.stats.QueryBufCap.Store(0)
}

// putBack returns a pooled buffer that nothing points into any more:
// the arguments of a big request may still use it (shared).
func (r *Reader) putBack() {
	if r.pooled && !r.shared {
		idleBuffers.Put((*[readSize]byte)(r.buf))
	}
	r.pooled = false
}
