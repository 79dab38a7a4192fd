package tests

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"sluice/internal/testserver"
	"sluice/wal"
)

// infoMap reads an XINFO reply (RESP2: a flat list) into a map.
func infoMap(t *testing.T, v any) map[string]any {
	t.Helper()
	list, ok := v.([]any)
	if !ok {
		t.Fatalf("not a list: %v", v)
	}
	m := map[string]any{}
	for i := 0; i+1 < len(list); i += 2 {
		m[fmt.Sprint(list[i])] = list[i+1]
	}
	return m
}

func xadd(t *testing.T, c *redis.Client, key string, fv ...any) (string, error) {
	t.Helper()
	return c.Do(context.Background(), append([]any{"XADD", key, "*"}, fv...)...).Text()
}

// A stream under MAXLEN with DISCARD OLD trims as XADD MAXLEN ~ would, on
// every XADD; XINFO STREAM shows the limits after Redis's fields, and a
// stream without limits answers as in Redis.
func TestStreamLimitsDiscardOld(t *testing.T) {
	addr := testserver.Start(t)
	c := gClient(t, addr, 2, 0)
	ctx := context.Background()
	xadd(t, c, "plain", "f", "v")
	if m := infoMap(t, do(t, c, "XINFO", "STREAM", "plain")); m["max-len"] != nil {
		t.Fatalf("a stream without limits shows them: %v", m)
	}
	expectVal(t, c, "OK", "XCFGSET", "plain", "MAXLEN", "250")
	for i := range 2000 {
		if _, err := xadd(t, c, "plain", "n", i); err != nil {
			t.Fatal(err)
		}
	}
	if n := c.XLen(ctx, "plain").Val(); n < 250 || n > 350 {
		t.Fatalf("XLEN %d under MAXLEN 250 (blocks of 100 go whole)", n)
	}
	m := infoMap(t, do(t, c, "XINFO", "STREAM", "plain"))
	if m["max-len"] != int64(250) || m["discard"] != "OLD" || m["max-age"] != int64(0) {
		t.Fatalf("XINFO STREAM: %v", m)
	}
	expectErr(t, c, "ERR MAXLEN must be a non-negative integer", "XCFGSET", "plain", "MAXLEN", "-1")
	expectErr(t, c, "ERR DISCARD must be OLD, NEW or ACKED", "XCFGSET", "plain", "DISCARD", "sometimes")
	expectErr(t, c, "ERR no such key", "XCFGSET", "nokey", "MAXLEN", "1")
	// 0 turns it off; the fields go with the last limit.
	expectVal(t, c, "OK", "XCFGSET", "plain", "MAXLEN", "0")
	if m := infoMap(t, do(t, c, "XINFO", "STREAM", "plain")); m["max-len"] != nil {
		t.Fatalf("limits shown after all were turned off: %v", m)
	}
}

// DISCARD NEW refuses the XADD that would pass MAXLEN or MAXBYTES with a
// -FULL error and stores nothing; in a transaction only that XADD fails.
func TestStreamLimitsDiscardNew(t *testing.T) {
	addr := testserver.Start(t)
	c := gClient(t, addr, 2, 0)
	ctx := context.Background()
	xadd(t, c, "q", "f", "v")
	expectVal(t, c, "OK", "XCFGSET", "q", "MAXLEN", "3", "DISCARD", "NEW")
	xadd(t, c, "q", "f", "v")
	xadd(t, c, "q", "f", "v")
	if _, err := xadd(t, c, "q", "f", "v"); err == nil || err.Error() != "FULL stream 'q' is full (MAXLEN 3)" {
		t.Fatalf("XADD past MAXLEN: %v", err)
	}
	if n := c.XLen(ctx, "q").Val(); n != 3 {
		t.Fatalf("XLEN %d", n)
	}
	cmds, _ := c.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Do(ctx, "XADD", "q", "*", "f", "v")
		p.Do(ctx, "XLEN", "q")
		return nil
	})
	if cmds[0].Err() == nil || !strings.HasPrefix(cmds[0].Err().Error(), "FULL") || cmds[1].(*redis.Cmd).Val() != int64(3) {
		t.Fatalf("in MULTI: %v, %v", cmds[0].Err(), cmds[1])
	}
	// MAXBYTES
	xadd(t, c, "b", "f", "v")
	expectVal(t, c, "OK", "XCFGSET", "b", "MAXBYTES", "2000", "DISCARD", "NEW")
	var full error
	for i := 0; i < 100 && full == nil; i++ {
		_, full = xadd(t, c, "b", "f", strings.Repeat("x", 100))
	}
	if full == nil || full.Error() != "FULL stream 'b' is full (MAXBYTES 2000)" {
		t.Fatalf("XADD past MAXBYTES: %v", full)
	}
	if n := c.XLen(ctx, "b").Val(); n < 10 || n > 20 {
		t.Fatalf("XLEN %d under MAXBYTES 2000 with 100-byte values", n)
	}
}

// DISCARD ACKED trims only what every group has acked, refuses when that
// is not enough, and takes entries again once the consumer catches up.
func TestStreamLimitsDiscardAcked(t *testing.T) {
	addr := testserver.Start(t)
	c := gClient(t, addr, 2, 0)
	ctx := context.Background()
	do(t, c, "XGROUP", "CREATE", "q", "g", "$", "MKSTREAM")
	expectVal(t, c, "OK", "XCFGSET", "q", "MAXLEN", "10", "DISCARD", "ACKED")
	var ids []string
	for range 10 {
		id, err := xadd(t, c, "q", "f", "v")
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if _, err := xadd(t, c, "q", "f", "v"); err == nil || !strings.HasPrefix(err.Error(), "FULL stream 'q' is full (MAXLEN 10)") {
		t.Fatalf("XADD with nothing acked: %v", err)
	}
	// Delivered but not acked: still protected.
	c.XReadGroup(ctx, &redis.XReadGroupArgs{Group: "g", Consumer: "a", Streams: []string{"q", ">"}, Count: 4})
	if _, err := xadd(t, c, "q", "f", "v"); err == nil {
		t.Fatal("XADD trimmed an unacked entry")
	}
	c.XAck(ctx, "q", "g", ids[0], ids[1])
	for range 2 {
		if _, err := xadd(t, c, "q", "f", "v"); err != nil {
			t.Fatalf("XADD after two acks: %v", err)
		}
	}
	if _, err := xadd(t, c, "q", "f", "v"); err == nil {
		t.Fatal("a third XADD after two acks")
	}
	first := c.XRange(ctx, "q", "-", "+").Val()[0].ID
	if first != ids[2] {
		t.Fatalf("first entry %s, want %s (only the acked ones go)", first, ids[2])
	}
}

// MAXAGE drops entries whose ID time is past it, on XADD and in the
// background sweep.
func TestStreamMaxAge(t *testing.T) {
	addr := testserver.Start(t)
	c := gClient(t, addr, 2, 0)
	ctx := context.Background()
	for i := range 500 {
		c.XAdd(ctx, &redis.XAddArgs{Stream: "old", ID: fmt.Sprintf("%d-1", 1000+i), Values: []any{"f", "v"}})
	}
	expectVal(t, c, "OK", "XCFGSET", "old", "MAXAGE", "60000")
	// XCFGSET applies it at once; XADD keeps it; the sweep covers the rest.
	if n := c.XLen(ctx, "old").Val(); n != 0 {
		t.Fatalf("XLEN %d of entries from 1970 under MAXAGE 60 s", n)
	}
	xadd(t, c, "aging", "f", "v")
	expectVal(t, c, "OK", "XCFGSET", "aging", "MAXAGE", "300")
	xadd(t, c, "aging", "f", "v")
	waitFor(t, func() bool { return c.XLen(ctx, "aging").Val() == 0 })
}

// Defaults for new streams and groups come from CONFIG, and are kept as
// the stream's and group's own.
func TestLimitDefaults(t *testing.T) {
	addr := testserver.Start(t)
	c := gClient(t, addr, 2, 0)
	expectVal(t, c, "OK", "CONFIG", "SET", "stream-max-len", "5", "stream-discard", "new", "group-max-deliver", "2")
	xadd(t, c, "s", "f", "v")
	do(t, c, "XGROUP", "CREATE", "s", "g", "0")
	expectVal(t, c, "OK", "CONFIG", "SET", "stream-max-len", "0", "group-max-deliver", "0")
	m := infoMap(t, do(t, c, "XINFO", "STREAM", "s"))
	if m["max-len"] != int64(5) || m["discard"] != "NEW" {
		t.Fatalf("XINFO STREAM: %v", m)
	}
	g := infoMap(t, do(t, c, "XINFO", "GROUPS", "s").([]any)[0])
	if g["max-deliver"] != int64(2) || g["dead-letter"] != "s:dlq" {
		t.Fatalf("XINFO GROUPS: %v", g)
	}
}

// XGROUP CONFIG sets a group's settings, shown after Redis's fields in
// XINFO GROUPS; a group without them answers as in Redis.
func TestGroupConfig(t *testing.T) {
	c, _ := groupFixture(t, 3)
	if g := infoMap(t, do(t, c, "XINFO", "GROUPS", "k").([]any)[0]); len(g) != 6 {
		t.Fatalf("a plain group shows %d fields: %v", len(g), g)
	}
	expectVal(t, c, "OK", "XGROUP", "CONFIG", "k", "g", "MAXDELIVER", "3", "ACKWAIT", "500", "DEADLETTER", "dead")
	g := infoMap(t, do(t, c, "XINFO", "GROUPS", "k").([]any)[0])
	if g["max-deliver"] != int64(3) || g["ack-wait"] != int64(500) || g["dead-letter"] != "dead" || g["dead-lettered"] != int64(0) {
		t.Fatalf("XINFO GROUPS: %v", g)
	}
	expectErr(t, c, "ERR MAXDELIVER must be a non-negative integer", "XGROUP", "CONFIG", "k", "g", "MAXDELIVER", "x")
	expectErr(t, c, "ERR DEADLETTER cannot be the stream itself", "XGROUP", "CONFIG", "k", "g", "DEADLETTER", "k")
	expectErr(t, c, "ERR syntax error", "XGROUP", "CONFIG", "k", "g", "FOO", "1")
	expectErr(t, c, "NOGROUP No such consumer group 'nog' for key name 'k'", "XGROUP", "CONFIG", "k", "nog", "MAXDELIVER", "1")
	expectErr(t, c, "ERR At least one parameter must be specified", "XGROUP", "CONFIG", "k", "g")
}

// An entry delivered MAXDELIVER times goes to the dead-letter stream at
// its next delivery, whatever delivers it: XCLAIM, XAUTOCLAIM, XREADGROUP
// CLAIM, or XNACK FATAL at once.
func TestDeadLetters(t *testing.T) {
	c, _ := groupFixture(t, 4)
	ctx := context.Background()
	expectVal(t, c, "OK", "XGROUP", "CONFIG", "k", "g", "MAXDELIVER", "2")
	do(t, c, "XREADGROUP", "GROUP", "g", "a", "STREAMS", "k", ">") // 1-0..4-0 delivered once
	do(t, c, "XCLAIM", "k", "g", "b", "0", "1-0")                  // twice
	if got := do(t, c, "XCLAIM", "k", "g", "b", "0", "1-0"); fmtVal(got) != "[]" {
		t.Fatalf("XCLAIM of an entry past MAXDELIVER: %s", fmtVal(got))
	}
	do(t, c, "XAUTOCLAIM", "k", "g", "b", "0", "2-0", "COUNT", "1") // 2-0 twice
	got := do(t, c, "XAUTOCLAIM", "k", "g", "b", "0", "2-0", "COUNT", "1")
	if fmtVal(got) != "[3-0 [] []]" {
		t.Fatalf("XAUTOCLAIM past MAXDELIVER: %s", fmtVal(got))
	}
	do(t, c, "XREADGROUP", "GROUP", "g", "b", "CLAIM", "0", "STREAMS", "k", ">") // 3-0, 4-0 twice
	do(t, c, "XREADGROUP", "GROUP", "g", "b", "CLAIM", "0", "STREAMS", "k", ">") // past: dead
	dead := c.XRange(ctx, "k:dlq", "-", "+").Val()
	if len(dead) != 4 {
		t.Fatalf("dead-letter stream holds %d entries: %v", len(dead), dead)
	}
	d := dead[0].Values
	if d["f"] != "1" || d["dlq-source-key"] != "k" || d["dlq-source-id"] != "1-0" || d["dlq-group"] != "g" ||
		d["dlq-consumer"] != "b" || d["dlq-deliveries"] != "2" {
		t.Fatalf("dead letter: %v", d)
	}
	expectVal(t, c, "[0 nil nil nil]", "XPENDING", "k", "g")
	g := infoMap(t, do(t, c, "XINFO", "GROUPS", "k").([]any)[0])
	if g["dead-lettered"] != int64(4) {
		t.Fatalf("dead-lettered %v", g["dead-lettered"])
	}
	// XNACK FATAL dead-letters at once.
	c.XAdd(ctx, &redis.XAddArgs{Stream: "k", ID: "5-0", Values: []any{"f", "5"}})
	do(t, c, "XREADGROUP", "GROUP", "g", "a", "STREAMS", "k", ">")
	expectVal(t, c, "1", "XNACK", "k", "g", "FATAL", "IDS", "1", "5-0")
	if n := c.XLen(ctx, "k:dlq").Val(); n != 5 {
		t.Fatalf("XNACK FATAL: %d dead letters", n)
	}
	// REDRIVE moves them back as new entries and empties the dead letters.
	expectVal(t, c, "2", "XGROUP", "REDRIVE", "k", "g", "COUNT", "2")
	expectVal(t, c, "3", "XGROUP", "REDRIVE", "k", "g")
	if n := c.XLen(ctx, "k:dlq").Val(); n != 0 {
		t.Fatalf("%d dead letters left after REDRIVE", n)
	}
	back := c.XRange(ctx, "k", "6", "+").Val()
	if len(back) != 5 || fmt.Sprint(back[0].Values) != "map[f:1]" {
		t.Fatalf("redriven: %v", back)
	}
}

// A dead-letter stream that refuses the entry (full, DISCARD NEW) leaves
// it pending and counts the failure.
func TestDeadLetterStreamFull(t *testing.T) {
	c, _ := groupFixture(t, 2)
	xadd(t, c, "dead", "f", "v")
	expectVal(t, c, "OK", "XCFGSET", "dead", "MAXLEN", "1", "DISCARD", "NEW")
	expectVal(t, c, "OK", "XGROUP", "CONFIG", "k", "g", "MAXDELIVER", "1", "DEADLETTER", "dead")
	do(t, c, "XREADGROUP", "GROUP", "g", "a", "STREAMS", "k", ">")
	if got := do(t, c, "XCLAIM", "k", "g", "b", "0", "1-0"); fmtVal(got) != "[]" {
		t.Fatalf("XCLAIM: %s", fmtVal(got))
	}
	if p := do(t, c, "XPENDING", "k", "g").([]any); p[0] != int64(2) {
		t.Fatalf("pending %v: the entry must stay", p)
	}
	g := infoMap(t, do(t, c, "XINFO", "GROUPS", "k").([]any)[0])
	if g["dead-letter-failures"] != int64(1) || g["dead-lettered"] != int64(0) {
		t.Fatalf("XINFO GROUPS: %v", g)
	}
}

// Three consumers, one poison entry whose handler always crashes: with
// MAXDELIVER 3 and ACKWAIT 200 it lands in the dead-letter stream after
// exactly three deliveries, every other entry is acked once, and nothing
// is left pending.
func TestWorkerCrashScenario(t *testing.T) {
	addr := testserver.Start(t)
	admin := gClient(t, addr, 2, 0)
	ctx := context.Background()
	do(t, admin, "XGROUP", "CREATE", "jobs", "workers", "$", "MKSTREAM")
	expectVal(t, admin, "OK", "XGROUP", "CONFIG", "jobs", "workers", "MAXDELIVER", "3", "ACKWAIT", "200")
	const jobs = 30
	for i := range jobs {
		body := "ok"
		if i == 7 {
			body = "poison"
		}
		admin.XAdd(ctx, &redis.XAddArgs{Stream: "jobs", Values: []any{"job", i, "body", body}})
	}
	acks := make(chan string, 100)
	done := make(chan struct{})
	for w := range 3 {
		go func() {
			c := gClient(t, addr, 2, 0)
			for {
				select {
				case <-done:
					return
				default:
				}
				res, err := c.XReadGroup(ctx, &redis.XReadGroupArgs{Group: "workers", Consumer: fmt.Sprint("w", w),
					Streams: []string{"jobs", ">"}, Count: 1, Block: 50 * time.Millisecond}).Result()
				if err != nil {
					continue
				}
				for _, m := range res[0].Messages {
					if m.Values["body"] == "poison" {
						continue // the handler crashes: no ack
					}
					c.XAck(ctx, "jobs", "workers", m.ID)
					acks <- m.ID
				}
			}
		}()
	}
	defer close(done)
	waitFor(t, func() bool { return admin.XLen(ctx, "jobs:dlq").Val() == 1 })
	seen := map[string]int{}
	for len(seen) < jobs-1 {
		select {
		case id := <-acks:
			seen[id]++
		case <-time.After(3 * time.Second):
			t.Fatalf("only %d entries acked", len(seen))
		}
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("%s acked %d times", id, n)
		}
	}
	d := admin.XRange(ctx, "jobs:dlq", "-", "+").Val()[0].Values
	if d["body"] != "poison" || d["dlq-deliveries"] != "3" {
		t.Fatalf("dead letter %v", d)
	}
	waitFor(t, func() bool { return do(t, admin, "XPENDING", "jobs", "workers").([]any)[0] == int64(0) })
}

// Past maxmemory, commands that add data get OOM; reads, acks, deletes
// and trims go on, so consumers can drain.
func TestMaxMemory(t *testing.T) {
	c, _ := groupFixture(t, 3)
	do(t, c, "XREADGROUP", "GROUP", "g", "a", "STREAMS", "k", ">")
	expectVal(t, c, "OK", "CONFIG", "SET", "maxmemory", "1")
	time.Sleep(250 * time.Millisecond) // the memory in use is sampled every 100 ms
	const oom = "OOM command not allowed when used memory > 'maxmemory'."
	expectErr(t, c, oom, "XADD", "k", "*", "f", "v")
	expectErr(t, c, oom, "SET", "x", "y")
	expectVal(t, c, "1", "XACK", "k", "g", "1-0")
	expectVal(t, c, "1", "XDEL", "k", "2-0")
	expectVal(t, c, "2", "XLEN", "k")
	if !strings.Contains(c.Info(context.Background(), "memory").Val(), "maxmemory:1\r\n") {
		t.Fatal("INFO memory does not show maxmemory")
	}
	expectErr(t, c, "ERR CONFIG SET failed (possibly related to argument 'maxmemory-policy') - sluice never evicts data; the only policy is noeviction",
		"CONFIG", "SET", "maxmemory-policy", "allkeys-lru")
	expectVal(t, c, "OK", "CONFIG", "SET", "maxmemory", "0")
	time.Sleep(250 * time.Millisecond)
	expectVal(t, c, "OK", "SET", "x", "y")
}

// Limits, settings, counters and dead letters survive a restart from the
// log alone (kill -9) and from the shutdown snapshot.
func TestFeaturesSurviveRestart(t *testing.T) {
	dir := t.TempDir()
	addr, stop := testserver.StartDir(t, dir, wal.Always)
	c := gClient(t, addr, 2, 0)
	for i := 1; i <= 5; i++ {
		do(t, c, "XADD", "k", fmt.Sprintf("%d-0", i), "f", i)
	}
	do(t, c, "XGROUP", "CREATE", "k", "g", "0")
	do(t, c, "XCFGSET", "k", "MAXLEN", "100", "MAXAGE", "99999999999", "DISCARD", "ACKED")
	do(t, c, "XGROUP", "CONFIG", "k", "g", "MAXDELIVER", "1", "ACKWAIT", "1000")
	do(t, c, "XREADGROUP", "GROUP", "g", "a", "STREAMS", "k", ">")
	do(t, c, "XCLAIM", "k", "g", "b", "0", "1-0", "2-0")
	state := func(c *redis.Client) string {
		return fmt.Sprint(withoutTiers(do(t, c, "XINFO", "STREAM", "k", "FULL")), c.XRange(context.Background(), "k:dlq", "-", "+").Val())
	}
	want := state(c)
	if !strings.Contains(want, "dead-lettered 2") {
		t.Fatalf("nothing dead-lettered: %s", want)
	}
	crashed := durCrashCopy(t, dir)
	c.Close()
	stop()
	for _, d := range []string{crashed, dir} {
		addr, stop := testserver.StartDir(t, d, wal.Always)
		if got := state(gClient(t, addr, 2, 0)); got != want {
			t.Errorf("after restart on %s:\n%s\nwant\n%s", d, got, want)
		}
		stop()
	}
}

// With MAXAGE 1000 and a steady producer, the stream stays bounded and
// its oldest entry is never older than the limit plus a sweep interval.
func TestMaxAgeSteadyProducer(t *testing.T) {
	addr := testserver.Start(t)
	c := gClient(t, addr, 2, 0)
	ctx := context.Background()
	xadd(t, c, "events", "f", "v")
	expectVal(t, c, "OK", "XCFGSET", "events", "MAXAGE", "1000")
	stop := time.Now().Add(2500 * time.Millisecond)
	oldest := time.Duration(0)
	maxLen := int64(0)
	for time.Now().Before(stop) {
		p := c.Pipeline()
		for range 50 {
			p.XAdd(ctx, &redis.XAddArgs{Stream: "events", Values: []any{"f", "v"}})
		}
		if _, err := p.Exec(ctx); err != nil {
			t.Fatal(err)
		}
		msgs := c.XRangeN(ctx, "events", "-", "+", 1).Val()
		if len(msgs) > 0 {
			var ms int64
			fmt.Sscanf(msgs[0].ID, "%d-", &ms)
			oldest = max(oldest, time.Since(time.UnixMilli(ms)))
		}
		maxLen = max(maxLen, c.XLen(ctx, "events").Val())
		time.Sleep(10 * time.Millisecond)
	}
	if oldest > 1000*time.Millisecond+150*time.Millisecond {
		t.Errorf("oldest entry was %v old under MAXAGE 1000 ms", oldest)
	}
	t.Logf("oldest entry seen %v, longest XLEN %d", oldest, maxLen)
	// Between XADDs the sweep keeps the limit.
	time.Sleep(1300 * time.Millisecond)
	if n := c.XLen(ctx, "events").Val(); n != 0 {
		t.Errorf("XLEN %d a second after the last XADD", n)
	}
	if !strings.Contains(c.Info(ctx, "stats").Val(), "stream_retention_sweep_max_lock_us:") {
		t.Error("INFO stats has no sweep figure")
	}
}

// A producer at full speed against a DISCARD ACKED stream with a slow
// consumer: the stream stays within its limit, the producer gets -FULL and
// resumes when the consumer catches up, every acked entry was produced
// once and no unacked entry was trimmed.
func TestDiscardAckedBackpressure(t *testing.T) {
	addr := testserver.Start(t)
	prod, cons := gClient(t, addr, 2, 0), gClient(t, addr, 2, 0)
	ctx := context.Background()
	do(t, prod, "XGROUP", "CREATE", "work", "g", "$", "MKSTREAM")
	expectVal(t, prod, "OK", "XCFGSET", "work", "MAXLEN", "500", "DISCARD", "ACKED")
	produced, full := map[string]bool{}, 0
	done := make(chan map[string]bool)
	started := make(chan struct{}) // the consumer starts once the producer was pushed back
	go func() {
		<-started
		got := map[string]bool{}
		for len(got) < 3000 {
			res, err := cons.XReadGroup(ctx, &redis.XReadGroupArgs{Group: "g", Consumer: "slow", Streams: []string{"work", ">"},
				Count: 50, Block: time.Second}).Result()
			if err != nil {
				continue
			}
			for _, m := range res[0].Messages {
				if got[m.ID] {
					t.Errorf("%s delivered twice", m.ID)
				}
				got[m.ID] = true
				cons.XAck(ctx, "work", "g", m.ID)
			}
			time.Sleep(2 * time.Millisecond) // slow
		}
		done <- got
	}()
	for len(produced) < 3000 {
		id, err := xadd(t, prod, "work", "f", "v")
		switch {
		case err != nil && strings.HasPrefix(err.Error(), "FULL "):
			if full++; full == 1 {
				close(started)
			}
			time.Sleep(time.Millisecond)
		case err != nil:
			t.Fatal(err)
		default:
			produced[id] = true
		}
		if n := prod.XLen(ctx, "work").Val(); n > 500 {
			t.Fatalf("XLEN %d past MAXLEN 500", n)
		}
	}
	if full == 0 {
		t.Fatal("the producer was never pushed back")
	}
	got := <-done
	for id := range produced {
		if !got[id] {
			t.Errorf("%s produced but never delivered: an unacked entry was trimmed", id)
		}
	}
	t.Logf("3000 entries through a 500-entry stream; the producer got -FULL %d times", full)
}
