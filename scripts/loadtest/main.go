// Command loadtest drives scripts/load-test.sh against any Redis-protocol
// server: it opens idle connections (one PING each) and connections
// blocked in XREADGROUP BLOCK 0 on many streams, measures the server's
// resident memory per connection of each kind, XADD latency with all of
// them connected, then wakes every blocked client with one entry each and
// checks that each was woken exactly once with its own entry.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:6379", "server address")
	pid := flag.Int("pid", 0, "server process, whose resident memory is measured")
	name := flag.String("name", "server", "name in the report")
	idle := flag.Int("idle", 5000, "idle connections")
	blocked := flag.Int("blocked", 5000, "connections blocked in XREADGROUP")
	streams := flag.Int("streams", 100, "streams the blocked clients wait on (one group each)")
	rate := flag.Int("rate", 2000, "XADDs per second while measuring latency")
	duration := flag.Duration("duration", 5*time.Second, "how long XADD latency is measured")
	settle := flag.Duration("settle", 3*time.Second, "wait before reading the server's memory")
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("loadtest: ")
	if *blocked%*streams != 0 {
		log.Fatal("-blocked must be a multiple of -streams")
	}
	ctx := context.Background()
	ctl := redis.NewClient(&redis.Options{Addr: *addr, PoolSize: 1, ReadTimeout: time.Minute})
	defer ctl.Close()
	if err := ctl.FlushAll(ctx).Err(); err != nil {
		log.Fatalf("FLUSHALL: %v", err)
	}
	for i := range *streams {
		if err := ctl.XGroupCreateMkStream(ctx, streamName(i), "g", "$").Err(); err != nil {
			log.Fatalf("XGROUP CREATE: %v", err)
		}
	}
	r := report{name: *name, streams: *streams}
	t0 := time.Now()
	step := func(what string) { log.Printf("%s done at %v", what, time.Since(t0).Round(time.Millisecond)) }
	time.Sleep(*settle)
	base := rss(*pid)

	// Idle connections, one PING each.
	idles := make([]net.Conn, *idle)
	for i := range idles {
		idles[i] = dial(*addr)
		rd := bufio.NewReader(idles[i])
		idles[i].Write(multibulk("PING"))
		if v, err := readValue(rd); err != nil || v != "PONG" {
			log.Fatalf("PING on connection %d: %v %v", i, v, err)
		}
	}
	time.Sleep(*settle)
	withIdle := rss(*pid)
	r.idle, r.perIdle = *idle, perConn(withIdle-base, *idle)
	step("idle connections")

	// Blocked connections: consumer j of stream j%streams' group.
	conns := make([]*blockedConn, *blocked)
	for j := range conns {
		c := dial(*addr)
		conns[j] = &blockedConn{conn: c, rd: bufio.NewReader(c), stream: j % *streams}
		c.Write(multibulk("XREADGROUP", "GROUP", "g", "c"+strconv.Itoa(j), "COUNT", "1", "BLOCK", "0", "STREAMS", streamName(j%*streams), ">"))
	}
	waitBlocked(ctx, ctl, *blocked)
	time.Sleep(*settle)
	withBlocked := rss(*pid)
	r.blocked, r.perBlocked = *blocked, perConn(withBlocked-withIdle, *blocked)
	step("blocked connections")

	// XADD latency with everyone connected (to a stream nobody waits on).
	r.lat = measureXAdd(ctx, *addr, *rate, *duration)
	step("XADD latency")

	// Wake everyone: as many entries per stream as consumers wait on it.
	var wg sync.WaitGroup
	for _, b := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b.read()
		}()
	}
	start := time.Now()
	per := *blocked / *streams
	p := ctl.Pipeline()
	for i := range *streams {
		for range per {
			p.XAdd(ctx, &redis.XAddArgs{Stream: streamName(i), Values: []string{"f", "v"}})
		}
	}
	if _, err := p.Exec(ctx); err != nil {
		log.Fatalf("XADD to wake the consumers: %v", err)
	}
	wg.Wait()
	r.wakeAll = time.Since(start)
	r.woken, r.problems = verify(conns, *streams, per)
	step("wake and verify")
	for _, c := range idles {
		c.Close()
	}
	fmt.Println(r)
	if r.problems != "" {
		os.Exit(1)
	}
}

func streamName(i int) string { return "load:" + strconv.Itoa(i) }

// multibulk is a request as clients send it.
func multibulk(args ...string) []byte {
	b := []byte("*" + strconv.Itoa(len(args)) + "\r\n")
	for _, a := range args {
		b = append(b, "$"+strconv.Itoa(len(a))+"\r\n"+a+"\r\n"...)
	}
	return b
}

func dial(addr string) net.Conn {
	for try := 0; ; try++ {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			return c
		}
		if try == 50 {
			log.Fatalf("dial: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// rss is the resident memory of process pid in bytes (0 without a pid).
func rss(pid int) int64 {
	if pid == 0 {
		return 0
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		log.Fatalf("server memory: %v", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb << 10
		}
	}
	return 0
}

func perConn(bytes int64, n int) float64 { return float64(bytes) / float64(max(n, 1)) }

func waitBlocked(ctx context.Context, ctl *redis.Client, n int) {
	deadline := time.Now().Add(2 * time.Minute)
	for {
		info := ctl.Info(ctx, "clients").Val()
		for _, line := range strings.Split(info, "\r\n") {
			if v, ok := strings.CutPrefix(line, "blocked_clients:"); ok {
				if got, _ := strconv.Atoi(v); got == n {
					return
				}
			}
		}
		if time.Now().After(deadline) {
			log.Fatalf("%d clients not blocked within 2 minutes:\n%s", n, info)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// measureXAdd sends XADDs at rate per second for d on its own connection
// and returns their latencies, sorted.
func measureXAdd(ctx context.Context, addr string, rate int, d time.Duration) []time.Duration {
	c := redis.NewClient(&redis.Options{Addr: addr, PoolSize: 1})
	defer c.Close()
	var lat []time.Duration
	tick := time.NewTicker(time.Second / time.Duration(rate))
	defer tick.Stop()
	for end := time.Now().Add(d); time.Now().Before(end); <-tick.C {
		start := time.Now()
		if err := c.XAdd(ctx, &redis.XAddArgs{Stream: "latency", MaxLen: 1000, Approx: true, Values: []string{"f", "v"}}).Err(); err != nil {
			log.Fatalf("XADD: %v", err)
		}
		lat = append(lat, time.Since(start))
	}
	slices.Sort(lat)
	return lat
}

// blockedConn is a client blocked in XREADGROUP, and what woke it.
type blockedConn struct {
	conn   net.Conn
	rd     *bufio.Reader
	stream int
	reply  any
	err    error
	extra  bool // something came after the reply
}

func (b *blockedConn) read() {
	b.conn.SetReadDeadline(time.Now().Add(time.Minute))
	b.reply, b.err = readValue(b.rd)
}

// verify checks that each blocked client got exactly one entry of its
// stream, that every entry went to exactly one client, and that nothing
// more came.
func verify(conns []*blockedConn, streams, per int) (woken int, problems string) {
	seen := map[string]int{}
	var bad []string
	for j, b := range conns {
		id, err := entryOf(b.reply, streamName(b.stream))
		switch {
		case b.err != nil:
			bad = append(bad, fmt.Sprintf("client %d: %v", j, b.err))
			continue
		case err != nil:
			bad = append(bad, fmt.Sprintf("client %d: %v", j, err))
			continue
		}
		woken++
		seen[streamName(b.stream)+"/"+id]++
	}
	for id, n := range seen {
		if n != 1 {
			bad = append(bad, fmt.Sprintf("entry %s delivered %d times", id, n))
		}
	}
	if len(seen) != streams*per {
		bad = append(bad, fmt.Sprintf("%d distinct entries delivered, %d added", len(seen), streams*per))
	}
	// Woken once: nothing else arrives on any connection.
	quiet := time.Now().Add(200 * time.Millisecond)
	for j, b := range conns {
		b.conn.SetReadDeadline(quiet)
		if n, _ := b.rd.Read(make([]byte, 1)); n > 0 {
			bad = append(bad, fmt.Sprintf("client %d got more than one reply", j))
		}
		b.conn.Close()
	}
	if len(bad) > 5 {
		bad = append(bad[:5], fmt.Sprintf("and %d more", len(bad)-5))
	}
	return woken, strings.Join(bad, "; ")
}

// entryOf returns the ID of the one entry of stream in an XREADGROUP
// reply (RESP2: [[stream, [[id, fields]]]]).
func entryOf(reply any, stream string) (string, error) {
	outer, ok := reply.([]any)
	if !ok || len(outer) != 1 {
		return "", fmt.Errorf("reply %v", reply)
	}
	kv, ok := outer[0].([]any)
	if !ok || len(kv) != 2 || kv[0] != stream {
		return "", fmt.Errorf("reply for another stream: %v", reply)
	}
	entries, ok := kv[1].([]any)
	if !ok || len(entries) != 1 {
		return "", fmt.Errorf("%d entries", len(entries))
	}
	e, ok := entries[0].([]any)
	if !ok || len(e) != 2 {
		return "", fmt.Errorf("entry %v", entries[0])
	}
	id, _ := e[0].(string)
	return id, nil
}

// readValue reads one RESP2 value: strings, integers, arrays, nil.
func readValue(rd *bufio.Reader) (any, error) {
	line, err := rd.ReadString('\n')
	if err != nil {
		return nil, err
	}
	line = strings.TrimSuffix(line, "\r\n")
	if line == "" {
		return nil, errors.New("empty line")
	}
	switch line[0] {
	case '+':
		return line[1:], nil
	case '-':
		return nil, errors.New(line[1:])
	case ':':
		return strconv.ParseInt(line[1:], 10, 64)
	case '$':
		n, _ := strconv.Atoi(line[1:])
		if n < 0 {
			return nil, nil
		}
		b := make([]byte, n+2)
		if _, err := readFull(rd, b); err != nil {
			return nil, err
		}
		return string(b[:n]), nil
	case '*':
		n, _ := strconv.Atoi(line[1:])
		if n < 0 {
			return nil, nil
		}
		out := make([]any, n)
		for i := range out {
			if out[i], err = readValue(rd); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	return nil, fmt.Errorf("unexpected %q", line)
}

func readFull(rd *bufio.Reader, b []byte) (int, error) {
	n := 0
	for n < len(b) {
		m, err := rd.Read(b[n:])
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

type report struct {
	name                   string
	idle, blocked, streams int
	perIdle, perBlocked    float64
	lat                    []time.Duration
	wakeAll                time.Duration
	woken                  int
	problems               string
}

func (r report) String() string {
	q := func(p float64) string {
		if len(r.lat) == 0 {
			return "-"
		}
		return fmt.Sprintf("%.3f ms", float64(r.lat[min(int(p*float64(len(r.lat))), len(r.lat)-1)].Microseconds())/1000)
	}
	ok := "every blocked client woken exactly once with its own entry"
	if r.problems != "" {
		ok = "PROBLEMS: " + r.problems
	}
	return fmt.Sprintf("%s: %d idle + %d blocked connections (%d streams)\n"+
		"  memory per idle connection (after one PING): %.0f B\n"+
		"  memory per blocked connection (XREADGROUP BLOCK 0): %.0f B\n"+
		"  XADD latency with all connected (%d XADDs): p50 %s, p99 %s, max %s\n"+
		"  wake all %d blocked clients: %d woken in %v; %s",
		r.name, r.idle, r.blocked, r.streams, r.perIdle, r.perBlocked,
		len(r.lat), q(0.5), q(0.99), q(1), r.blocked, r.woken, r.wakeAll.Round(time.Millisecond), ok)
}
