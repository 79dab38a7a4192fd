package redcon

import (
	"errors"
	"io"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
)

// readAll reads every request from input, fed in pieces of at most chunk
// bytes (0: whole), and returns them with the error that ended reading.
func readAll(input string, lim Limits, chunk int) ([][]string, error) {
	var src io.Reader = strings.NewReader(input)
	if chunk > 0 {
		src = &chunkReader{data: []byte(input), size: func() int { return chunk }}
	}
	rd := NewReader(src)
	var got [][]string
	for {
		cmds, err := rd.ReadCommands(lim)
		if err != nil {
			return got, err
		}
		for _, c := range cmds {
			got = append(got, strs(c.Args))
		}
	}
}

func strs(args [][]byte) []string {
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = string(a)
	}
	return out
}

// chunkReader returns data in pieces of size() bytes.
type chunkReader struct {
	data []byte
	size func() int
}

func (r *chunkReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, io.EOF
	}
	n := copy(p[:min(len(p), max(r.size(), 1))], r.data)
	r.data = r.data[n:]
	return n, nil
}

var unauth = Limits{MaxBulkLen: DefaultMaxBulkLen, MaxQueryBuffer: DefaultMaxQueryBuffer, Unauthenticated: true}

// The replies in the comments are what redis-server 7.0.15 sent for the
// same bytes.
var readerCases = []struct {
	name string
	in   string
	lim  Limits
	want [][]string
	err  string // "" for EOF
}{
	{name: "bulk length overflowing int64 arithmetic", in: "*1\r\n$9223372036854775807\r\n", err: "Protocol error: invalid bulk length"},
	{name: "count of 2^63-1 with no data", in: "*9223372036854775807\r\n", err: "Protocol error: invalid multibulk length"},
	{name: "count over 1M", in: "*1048577\r\n", err: "Protocol error: invalid multibulk length"},
	{name: "count of 1M waits for its arguments", in: "*1048576\r\n$4\r\nPING\r\n"},
	{name: "negative count is an empty request", in: "*-10\r\nPING\r\n", want: [][]string{{"PING"}}},
	{name: "zero count is an empty request", in: "*0\r\nPING\r\n", want: [][]string{{"PING"}}},
	{name: "requests before a protocol error run", in: "PING\r\n*x\r\n", want: [][]string{{"PING"}}, err: "Protocol error: invalid multibulk length"},
	{name: "empty bulk header", in: "*1\r\n\r\n", err: "Protocol error: expected '$', got '\r'"},
	{name: "other byte for a dollar", in: "*1\r\n\x01\r\n", err: "Protocol error: expected '$', got '\x01'"},
	{name: "bytes after an argument are skipped unchecked", in: "*1\r\n$4\r\nPINGxx", want: [][]string{{"PING"}}},
	{name: "byte after a header CR is skipped unchecked", in: "*1\rX$4\r\nPING\r\n", want: [][]string{{"PING"}}},
	{name: "negative bulk", in: "*1\r\n$-1\r\n", err: "Protocol error: invalid bulk length"},
	{name: "leading zero in count", in: "*01\r\n", err: "Protocol error: invalid multibulk length"},
	{name: "plus in count", in: "*+1\r\n", err: "Protocol error: invalid multibulk length"},
	{name: "plus in bulk length", in: "*1\r\n$+4\r\nPING\r\n", err: "Protocol error: invalid bulk length"},
	{name: "pipeline", in: "*2\r\n$4\r\nECHO\r\n$3\r\na\x00b\r\n*1\r\n$4\r\nPING\r\n", want: [][]string{{"ECHO", "a\x00b"}, {"PING"}}},
	{name: "empty bulk", in: "*2\r\n$4\r\nECHO\r\n$0\r\n\r\n", want: [][]string{{"ECHO", ""}}},
	{name: "bulk over proto-max-bulk-len", in: "*1\r\n$11\r\n", lim: Limits{MaxBulkLen: 10, MaxQueryBuffer: DefaultMaxQueryBuffer}, err: "Protocol error: invalid bulk length"},
	{name: "bulk at proto-max-bulk-len", in: "*1\r\n$10\r\n0123456789\r\n", lim: Limits{MaxBulkLen: 10, MaxQueryBuffer: DefaultMaxQueryBuffer}, want: [][]string{{"0123456789"}}},

	{name: "inline quotes inside a word", in: "foo\"bar\" x\r\n", want: [][]string{{"foobar", "x"}}},
	{name: "inline unbalanced", in: "\"a\r\n", err: "Protocol error: unbalanced quotes in request"},
	{name: "inline text after a closing quote", in: "ECHO \"a\"b\r\n", err: "Protocol error: unbalanced quotes in request"},
	{name: "inline LF only", in: "PING\nPING\n", want: [][]string{{"PING"}, {"PING"}}},
	{name: "inline blank lines", in: "\r\n\r\nPING\r\n", want: [][]string{{"PING"}}},
	{name: "inline escapes", in: "ECHO \"\\n\\r\\t\\b\\a\\q\\xzz\\x41\"\r\n", want: [][]string{{"ECHO", "\n\r\t\b\aqxzzA"}}},
	{name: "inline single quotes", in: "ECHO 'a\\'b' '' \"\"\r\n", want: [][]string{{"ECHO", "a'b", "", ""}}},
	{name: "inline blanks", in: " \tECHO   a\rb\r\n", want: [][]string{{"ECHO", "a", "b"}}},
	{name: "inline NUL never ends the line", in: "ECHO a\x00b\r\nPING\r\n"},
	{name: "count line NUL never ends it", in: "*1\x00\r\n$4\r\nPING\r\n"},
	{name: "inline of 64 KB", in: strings.Repeat("A", MaxInlineLen) + "\n", want: [][]string{{strings.Repeat("A", MaxInlineLen)}}},
	{name: "inline over 64 KB", in: strings.Repeat("A", MaxInlineLen+1) + "\n", err: "Protocol error: too big inline request"},
	{name: "inline over 64 KB unended", in: strings.Repeat("A", MaxInlineLen+1), err: "Protocol error: too big inline request"},
	{name: "NUL line over 64 KB", in: "A\x00" + strings.Repeat("A", MaxInlineLen), err: "Protocol error: too big inline request"},
	{name: "count line over 64 KB", in: "*" + strings.Repeat("1", MaxInlineLen+1), err: "Protocol error: too big mbulk count string"},
	{name: "bulk line over 64 KB", in: "*1\r\n$" + strings.Repeat("1", MaxInlineLen+1), err: "Protocol error: too big bulk count string"},

	{name: "unauthenticated: 11 arguments", in: "*11\r\n", lim: unauth, err: "Protocol error: unauthenticated multibulk length"},
	{name: "unauthenticated: 10 arguments", in: "*10\r\n" + strings.Repeat("$1\r\na\r\n", 10), lim: unauth,
		want: [][]string{strings.Split("a a a a a a a a a a", " ")}},
	{name: "unauthenticated: invalid count wins", in: "*3000000000\r\n", lim: unauth, err: "Protocol error: invalid multibulk length"},
	{name: "unauthenticated: bulk over 16 KB", in: "*1\r\n$16385\r\n", lim: unauth, err: "Protocol error: unauthenticated bulk length"},
	{name: "unauthenticated: bulk of 16 KB", in: "*1\r\n$16384\r\n" + strings.Repeat("x", 16384) + "\r\n", lim: unauth,
		want: [][]string{{strings.Repeat("x", 16384)}}},
	{name: "unauthenticated: invalid bulk wins", in: "*1\r\n$-1\r\n", lim: unauth, err: "Protocol error: invalid bulk length"},
	{name: "unauthenticated: inline has no argument cap", in: "a b c d e f g h i j k l\r\n", lim: unauth,
		want: [][]string{strings.Split("a b c d e f g h i j k l", " ")}},
}

func TestReaderCases(t *testing.T) {
	for _, tc := range readerCases {
		lim := tc.lim
		if lim == (Limits{}) {
			lim = DefaultLimits
		}
		for _, chunk := range []int{0, 1, 3, 4096} {
			got, err := readAll(tc.in, lim, chunk)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("%s (chunk %d): got %q, want %q", tc.name, chunk, got, tc.want)
			}
			want := io.EOF
			if tc.err != "" {
				want = errors.New(tc.err)
			}
			if err == nil || err.Error() != want.Error() {
				t.Errorf("%s (chunk %d): error %v, want %v", tc.name, chunk, err, want)
			}
		}
	}
}

func TestReaderOneRequestAtATimeBeforeAuth(t *testing.T) {
	for _, tc := range []struct {
		lim  Limits
		want int
	}{{unauth, 1}, {DefaultLimits, 3}} {
		rd := NewReader(strings.NewReader("PING\r\n*1\r\n$4\r\nPING\r\nPING\r\n"))
		cmds, err := rd.ReadCommands(tc.lim)
		if err != nil || len(cmds) != tc.want {
			t.Fatalf("unauthenticated=%v: %d requests, %v; want %d", tc.lim.Unauthenticated, len(cmds), err, tc.want)
		}
	}
}

// A request announcing a huge bulk costs what was sent, not what was
// announced.
func TestReaderDoesNotAllocateAnnouncedSize(t *testing.T) {
	sent := 1 << 20
	in := "*1\r\n$536870912\r\n" + strings.Repeat("x", sent)
	rd := NewReader(strings.NewReader(in))
	if _, err := rd.ReadCommands(DefaultLimits); err != io.EOF {
		t.Fatalf("err %v", err)
	}
	if len(rd.buf) > 2*(sent+len(in)) {
		t.Fatalf("buffer of %d bytes for %d sent", len(rd.buf), len(in))
	}
	rd = NewReader(strings.NewReader("*1\r\n$536870912\r\nabc"))
	if _, err := rd.ReadCommands(DefaultLimits); err != io.EOF {
		t.Fatalf("err %v", err)
	}
	if len(rd.buf) != readSize {
		t.Fatalf("buffer of %d bytes for 3 sent", len(rd.buf))
	}
}

// errPause stands for a read that has nothing yet.
var errPause = errors.New("pause")

// pausingReader returns its pieces one per Read, errPause between them.
type pausingReader struct {
	pieces []string
	paused bool
}

func (r *pausingReader) Read(p []byte) (int, error) {
	if r.paused || len(r.pieces) == 0 {
		r.paused = false
		return 0, errPause
	}
	n := copy(p, r.pieces[0])
	r.pieces[0] = r.pieces[0][n:]
	if r.pieces[0] == "" {
		r.pieces = r.pieces[1:]
		r.paused = true
	}
	return n, nil
}

// A request that arrives over many reads is parsed once: what was read
// is kept, and the next read resumes where parsing stopped.
func TestReaderResumesPartialRequest(t *testing.T) {
	src := &pausingReader{pieces: []string{"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nva", "lue\r\n"}}
	rd := NewReader(src)
	if _, err := rd.ReadCommands(DefaultLimits); err != errPause {
		t.Fatalf("err %v", err)
	}
	if rd.left != 1 || len(rd.marks) != 4 || rd.bulk != 5 {
		t.Fatalf("progress not kept: %d left, %d marks, bulk %d", rd.left, len(rd.marks), rd.bulk)
	}
	rd.err = nil // the pause was not an error of the stream
	cmds, err := rd.ReadCommands(DefaultLimits)
	if err != nil || len(cmds) != 1 || !reflect.DeepEqual(strs(cmds[0].Args), []string{"SET", "k", "value"}) {
		t.Fatalf("got %v, %v", cmds, err)
	}
}

// A line with a NUL never ends (strchr stops at it in Redis): once the NUL
// is seen, the line is not searched again as more bytes come.
func TestReaderStopsSearchingAtNUL(t *testing.T) {
	rd := NewReader(&pausingReader{pieces: []string{"ECHO a\x00b", "c\r\n"}})
	if _, err := rd.ReadCommands(DefaultLimits); err != errPause || !rd.nul {
		t.Fatalf("err %v, NUL seen %v", err, rd.nul)
	}
	rd.err = nil
	if cmds, err := rd.ReadCommands(DefaultLimits); err != errPause || len(cmds) != 0 {
		t.Fatalf("got %v, %v", cmds, err)
	}
}

// A count with no data after it waits in Read; when the client goes, the
// reader returns at once (the upstream reader looped count times).
func TestReaderCountWithoutDataEnds(t *testing.T) {
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		_, err := NewReader(pr).ReadCommands(DefaultLimits)
		done <- err
	}()
	pw.Write([]byte("*1048576\r\n"))
	pw.Close()
	select {
	case err := <-done:
		if err != io.EOF {
			t.Fatalf("err %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("reader did not return after the client left")
	}
}

type emptyReader struct{}

func (emptyReader) Read([]byte) (int, error) { return 0, nil }

func TestReaderStopsOnReadsWithoutProgress(t *testing.T) {
	if _, err := NewReader(emptyReader{}).ReadCommands(DefaultLimits); err != io.ErrNoProgress {
		t.Fatalf("err %v", err)
	}
}

func TestReaderQueryBufferLimit(t *testing.T) {
	lim := Limits{MaxBulkLen: DefaultMaxBulkLen, MaxQueryBuffer: 100 << 10}
	in := "*1\r\n$200000\r\n" + strings.Repeat("x", 150<<10)
	_, err := readAll(in, lim, 0)
	var qerr *QueryBufferError
	if !errors.As(err, &qerr) || qerr.Limit != 100<<10 || qerr.Size <= 100<<10 {
		t.Fatalf("err %v", err)
	}
	// Within the limit, the same request is read.
	lim.MaxQueryBuffer = 1 << 20
	in = "*1\r\n$200000\r\n" + strings.Repeat("x", 200000) + "\r\n"
	if got, err := readAll(in, lim, 0); err != io.EOF || len(got) != 1 || len(got[0][0]) != 200000 {
		t.Fatalf("got %d requests, %v", len(got), err)
	}
}

// Big requests keep the buffer they were read into; what follows them is
// read after them without disturbing their arguments.
func TestReaderBigRequestKeepsItsBytes(t *testing.T) {
	big := strings.Repeat("b", 3*bigCommand)
	in := "*2\r\n$4\r\nECHO\r\n$" + strconv.Itoa(len(big)) + "\r\n" + big + "\r\n*1\r\n$4\r\nPING\r\n"
	rd := NewReader(&chunkReader{data: []byte(in), size: func() int { return 1000 }})
	var got [][]byte
	for {
		cmds, err := rd.ReadCommands(DefaultLimits)
		if err != nil {
			break
		}
		for _, c := range cmds {
			got = append(got, c.Args...)
		}
	}
	if len(got) != 3 || string(got[1]) != big || string(got[2]) != "PING" {
		t.Fatalf("got %d args", len(got))
	}
	if cap(got[1]) != len(got[1]) {
		t.Fatal("an argument's capacity reaches into the buffer")
	}
	// Idle, the reader lets go of the array the big request holds.
	if rd.shared || len(rd.buf) != readSize {
		t.Fatalf("idle with a buffer of %d bytes (shared %v)", len(rd.buf), rd.shared)
	}
}

// A pipeline's arguments are cut from shared slabs: each command keeps its
// own bytes for good, and growing one argument or argument list leaves the
// next command's alone.
func TestReaderPipelineArgsStayApart(t *testing.T) {
	var in strings.Builder
	for i := range 300 {
		v := strconv.Itoa(i)
		in.WriteString("*3\r\n$3\r\nSET\r\n$" + strconv.Itoa(len(v)) + "\r\n" + v + "\r\n$1\r\nx\r\n")
	}
	rd := NewReader(&chunkReader{data: []byte(in.String()), size: func() int { return 700 }})
	var cmds []Command
	for {
		batch, err := rd.ReadCommands(DefaultLimits)
		if err != nil {
			break
		}
		cmds = append(cmds, batch...)
	}
	if len(cmds) != 300 {
		t.Fatalf("%d commands", len(cmds))
	}
	for _, c := range cmds {
		c.Args[1] = append(c.Args[1], "zz"...)
		_ = append(c.Args, []byte("extra"))
	}
	for i, c := range cmds {
		if len(c.Args) != 3 || string(c.Args[0]) != "SET" || string(c.Args[1]) != strconv.Itoa(i)+"zz" || string(c.Args[2]) != "x" {
			t.Fatalf("command %d: %q", i, c.Args)
		}
	}
}
