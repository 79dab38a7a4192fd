package bench

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"time"
)

// runReplay reads an existing stream from its first entry to its last with
// XREAD COUNT --count, as a consumer replaying a stream's retention does,
// on one connection. Replies are read with a small RESP reader that keeps
// only the last ID of each: a client that builds every entry would measure
// itself, not the server.
func runReplay(r *run) ([]row, error) {
	o := r.opt
	conn, err := net.DialTimeout("tcp", o.addr, 5*time.Second)
	if err != nil {
		return nil, fmt.Errorf("replay: %w", err)
	}
	defer conn.Close()
	c := &respConn{w: bufio.NewWriter(conn), r: bufio.NewReaderSize(conn, 1<<20)}
	if o.password != "" {
		if err := c.simple("AUTH", o.password); err != nil {
			return nil, err
		}
	}
	if err := c.simple("SELECT", strconv.Itoa(o.db)); err != nil {
		return nil, err
	}
	var lat histogram
	count := strconv.Itoa(o.count)
	after := "0"
	stop := r.showProgress("replay", int64(o.total))
	start := time.Now()
	for !r.stopped() && r.done.Load() < int64(o.total) {
		t0 := time.Now()
		if err := c.send("XREAD", "COUNT", count, "STREAMS", o.key, after); err != nil {
			r.fail("XREAD", 1, err)
			break
		}
		n, last, err := c.readEntries()
		if err != nil {
			r.fail("XREAD", 1, err)
			break
		}
		lat.Record(time.Since(t0))
		if n == 0 {
			break // the end of the stream
		}
		r.done.Add(int64(n))
		after = last
	}
	elapsed := time.Since(start)
	stop()
	errs, _ := r.failures()
	if r.done.Load() == 0 && errs == 0 {
		return nil, fmt.Errorf("replay: stream %q is empty", o.key)
	}
	return []row{{Name: "replay", Ops: r.done.Load(), Elapsed: elapsed, Latency: &lat, Errors: errs}}, nil
}

// respConn speaks just enough RESP2 for runReplay.
type respConn struct {
	w *bufio.Writer
	r *bufio.Reader
}

func (c *respConn) send(args ...string) error {
	fmt.Fprintf(c.w, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(c.w, "$%d\r\n%s\r\n", len(a), a)
	}
	return c.w.Flush()
}

// simple sends a command whose reply is +OK or an error.
func (c *respConn) simple(args ...string) error {
	if err := c.send(args...); err != nil {
		return err
	}
	line, err := c.line()
	if err != nil {
		return err
	}
	if line[0] != '+' {
		return fmt.Errorf("%s: %s", args[0], line[1:])
	}
	return nil
}

// line reads one header line without its CRLF; an error reply is an error.
func (c *respConn) line() ([]byte, error) {
	l, err := c.r.ReadSlice('\n')
	if err != nil {
		return nil, err
	}
	if len(l) < 3 {
		return nil, errors.New("malformed reply")
	}
	if l[0] == '-' {
		return nil, errors.New(string(l[1 : len(l)-2]))
	}
	return l[:len(l)-2], nil
}

// header reads an aggregate or bulk header of type t and returns its count.
func (c *respConn) header(t byte) (int, error) {
	l, err := c.line()
	if err != nil {
		return 0, err
	}
	if l[0] != t {
		return 0, fmt.Errorf("reply %q where %q was expected", l, t)
	}
	return strconv.Atoi(string(l[1:]))
}

// bulk reads a bulk string, returning it only if keep is set.
func (c *respConn) bulk(keep bool) (string, error) {
	n, err := c.header('$')
	if err != nil {
		return "", err
	}
	if !keep {
		_, err = c.r.Discard(n + 2)
		return "", err
	}
	b := make([]byte, n+2)
	if _, err := io.ReadFull(c.r, b); err != nil {
		return "", err
	}
	return string(b[:n]), nil
}

// readEntries reads XREAD's reply for one stream: how many entries, and
// the last one's ID. A null reply (nothing after the ID) is 0 entries.
func (c *respConn) readEntries() (int, string, error) {
	streams, err := c.header('*')
	if err != nil || streams <= 0 {
		return 0, "", err
	}
	if _, err := c.header('*'); err != nil { // [key, entries]
		return 0, "", err
	}
	if _, err := c.bulk(false); err != nil {
		return 0, "", err
	}
	n, err := c.header('*')
	if err != nil {
		return 0, "", err
	}
	var last string
	for i := range n {
		if _, err := c.header('*'); err != nil { // [id, fields]
			return 0, "", err
		}
		id, err := c.bulk(i == n-1)
		if err != nil {
			return 0, "", err
		}
		last = id
		fields, err := c.header('*')
		if err != nil {
			return 0, "", err
		}
		for range fields {
			if _, err := c.bulk(false); err != nil {
				return 0, "", err
			}
		}
	}
	return n, last, nil
}
