package tests

import (
	"bufio"
	"context"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"sluice/internal/testserver"
)

// A small scripts/load-test.sh: idle clients and clients blocked in
// XREADGROUP on many streams; one XADD per blocked client wakes each
// exactly once with an entry of its own, and XADD is served meanwhile.
func TestManyBlockedClientsWokenOnce(t *testing.T) {
	const streams, perStream, idle = 20, 10, 300
	addr := testserver.Start(t)
	ctx := context.Background()
	c := gClient(t, addr, 2, 0)
	name := func(i int) string { return "load:" + strconv.Itoa(i) }
	for i := range streams {
		if err := c.XGroupCreateMkStream(ctx, name(i), "g", "$").Err(); err != nil {
			t.Fatal(err)
		}
	}
	var conns []net.Conn
	defer func() {
		for _, cn := range conns {
			cn.Close()
		}
	}()
	dial := func() net.Conn {
		cn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, cn)
		return cn
	}
	for range idle {
		cn := dial()
		cn.Write([]byte("PING\r\n"))
		if line, _ := bufio.NewReader(cn).ReadString('\n'); line != "+PONG\r\n" {
			t.Fatalf("PING: %q", line)
		}
	}
	type woken struct{ stream, id, err string }
	results := make(chan woken, streams*perStream)
	var wg sync.WaitGroup
	for j := range streams * perStream {
		cn := dial()
		stream := name(j % streams)
		cn.Write([]byte("XREADGROUP GROUP g c" + strconv.Itoa(j) + " BLOCK 0 COUNT 1 STREAMS " + stream + " >\r\n"))
		wg.Add(1)
		go func() {
			defer wg.Done()
			cn.SetReadDeadline(time.Now().Add(30 * time.Second))
			rd := bufio.NewReader(cn)
			// [[stream, [[id, [f, v]]]]]: 13 lines.
			var lines []string
			for range 13 {
				l, err := rd.ReadString('\n')
				if err != nil {
					results <- woken{err: err.Error()}
					return
				}
				lines = append(lines, strings.TrimSuffix(l, "\r\n"))
			}
			// Nothing more: woken once.
			cn.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
			if n, _ := rd.Read(make([]byte, 1)); n > 0 {
				results <- woken{err: "a second reply"}
				return
			}
			results <- woken{stream: lines[3], id: lines[7]}
		}()
	}
	waitBlocked(t, c, streams*perStream)
	eq(t, "connected", infoInt(t, c, "clients", "connected_clients"), int64(1+idle+streams*perStream))
	p := c.Pipeline()
	for i := range streams {
		for range perStream {
			p.XAdd(ctx, &redis.XAddArgs{Stream: name(i), Values: []string{"f", "v"}})
		}
	}
	if _, err := p.Exec(ctx); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	close(results)
	seen := map[string]bool{}
	for r := range results {
		if r.err != "" {
			t.Fatal(r.err)
		}
		if seen[r.stream+" "+r.id] {
			t.Fatalf("%s %s delivered twice", r.stream, r.id)
		}
		seen[r.stream+" "+r.id] = true
	}
	eq(t, "entries delivered", len(seen), streams*perStream)
	for i := range streams {
		eq(t, "pending", c.XPending(ctx, name(i), "g").Val().Count, int64(perStream))
	}
	eq(t, "blocked", infoInt(t, c, "clients", "blocked_clients"), 0)
}
