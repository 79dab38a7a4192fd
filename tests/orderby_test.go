package tests

import (
	"context"
	"fmt"
	"math/rand"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"sluice/internal/testserver"
	"sluice/wal"
)

// readIDs is the IDs of an XREADGROUP reply on one stream, nil for none.
func readIDs(t *testing.T, c *redis.Client, consumer string, count int) []string {
	t.Helper()
	res, err := c.XReadGroup(context.Background(), &redis.XReadGroupArgs{Group: "g", Consumer: consumer,
		Streams: []string{"q", ">"}, Count: int64(count), Block: -1}).Result()
	if err == redis.Nil {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, m := range res[0].Messages {
		ids = append(ids, m.ID)
	}
	return ids
}

// With ORDERBY, a read skips entries whose key has one pending and holds
// them; they go out, oldest first, once the key's entry is acked. Entries
// without the field are not ordered.
func TestOrderByHoldsBusyKeys(t *testing.T) {
	addr := testserver.Start(t)
	c := gClient(t, addr, 2, 0)
	do(t, c, "XGROUP", "CREATE", "q", "g", "$", "MKSTREAM")
	expectVal(t, c, "OK", "XGROUP", "CONFIG", "q", "g", "ORDERBY", "account")
	for i, k := range []string{"a", "b", "a", "c", "a", "", "b"} {
		args := []any{"XADD", "q", fmt.Sprintf("%d-0", i+1), "n", i}
		if k != "" {
			args = append(args, "account", k)
		}
		do(t, c, args...)
	}
	// 1 a, 2 b, 3 a, 4 c, 5 a, 6 (none), 7 b
	if got := fmt.Sprint(readIDs(t, c, "w1", 10)); got != "[1-0 2-0 4-0 6-0]" {
		t.Fatalf("first read: %s", got)
	}
	g := infoMap(t, do(t, c, "XINFO", "GROUPS", "q").([]any)[0])
	if g["order-by"] != "account" || g["held-back"] != int64(3) || g["pending"] != int64(4) ||
		g["last-delivered-id"] != "7-0" || g["lag"] != int64(0) {
		t.Fatalf("XINFO GROUPS: %v", g)
	}
	if ids := readIDs(t, c, "w2", 10); ids != nil {
		t.Fatalf("a read with every key busy got %v", ids)
	}
	do(t, c, "XACK", "q", "g", "1-0")
	if got := fmt.Sprint(readIDs(t, c, "w2", 10)); got != "[3-0]" {
		t.Fatalf("after 1-0 was acked: %s", got)
	}
	do(t, c, "XACK", "q", "g", "2-0", "3-0")
	if got := fmt.Sprint(readIDs(t, c, "w2", 10)); got != "[5-0 7-0]" {
		t.Fatalf("after 2-0 and 3-0 were acked: %s", got)
	}
	// A new entry of a key with an entry pending is held too.
	do(t, c, "XADD", "q", "8-0", "account", "a")
	do(t, c, "XADD", "q", "9-0", "account", "d")
	if got := fmt.Sprint(readIDs(t, c, "w1", 10)); got != "[9-0]" {
		t.Fatalf("a read with a pending: %s", got)
	}
	expectErr(t, c, `ERR ORDERBY cannot change while entries are held back for their key's turn; set ORDERBY "" and let them drain first`,
		"XGROUP", "CONFIG", "q", "g", "ORDERBY", "other")
	// ORDERBY "" lets held entries go without waiting for their key.
	expectVal(t, c, "OK", "XGROUP", "CONFIG", "q", "g", "ORDERBY", "")
	if got := fmt.Sprint(readIDs(t, c, "w1", 10)); got != "[8-0]" {
		t.Fatalf("after ORDERBY was turned off: %s", got)
	}
	if g := do(t, c, "XINFO", "GROUPS", "q").([]any)[0].([]any); len(g) != 12 {
		t.Fatalf("a group with no ORDERBY and nothing held shows extra fields: %v", g)
	}
}

// A blocked reader wakes when an ack frees a key with entries held.
func TestOrderByAckWakesBlockedReader(t *testing.T) {
	addr := testserver.Start(t)
	c := gClient(t, addr, 2, 0)
	ctx := context.Background()
	do(t, c, "XGROUP", "CREATE", "q", "g", "$", "MKSTREAM")
	do(t, c, "XGROUP", "CONFIG", "q", "g", "ORDERBY", "k")
	do(t, c, "XADD", "q", "1-0", "k", "x")
	do(t, c, "XADD", "q", "2-0", "k", "x")
	readIDs(t, c, "w1", 1)
	got := make(chan []string, 1)
	go func() {
		r := gClient(t, addr, 2, 0)
		res, err := r.XReadGroup(ctx, &redis.XReadGroupArgs{Group: "g", Consumer: "w2", Streams: []string{"q", ">"},
			Block: 5 * time.Second}).Result()
		var ids []string
		if err == nil {
			for _, m := range res[0].Messages {
				ids = append(ids, m.ID)
			}
		}
		got <- ids
	}()
	waitBlocked(t, c, 1)
	do(t, c, "XADD", "q", "3-0", "k", "x") // x is busy: the reader sleeps on
	time.Sleep(50 * time.Millisecond)
	select {
	case ids := <-got:
		t.Fatalf("served %v while its key was busy", ids)
	default:
	}
	do(t, c, "XACK", "q", "g", "1-0")
	select {
	case ids := <-got:
		if fmt.Sprint(ids) != "[2-0]" {
			t.Fatalf("woken with %v", ids)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("the ack did not wake the reader")
	}
}

// Held entries deleted from the stream are dropped; a redelivery by
// ACKWAIT keeps the key's turn, and XGROUP SETID back drops the held
// entries past it (they are read again as new).
func TestOrderByDeletesAndRedelivery(t *testing.T) {
	addr := testserver.Start(t)
	c := gClient(t, addr, 2, 0)
	do(t, c, "XGROUP", "CREATE", "q", "g", "$", "MKSTREAM")
	do(t, c, "XGROUP", "CONFIG", "q", "g", "ORDERBY", "k", "ACKWAIT", "100")
	for i := 1; i <= 4; i++ {
		do(t, c, "XADD", "q", fmt.Sprintf("%d-0", i), "k", "x")
	}
	readIDs(t, c, "w1", 10) // 1-0; 2..4 held
	do(t, c, "XDEL", "q", "2-0")
	time.Sleep(150 * time.Millisecond)
	// 1-0 is redelivered (ACKWAIT), not 3-0: the key is still 1-0's.
	if got := fmt.Sprint(readIDs(t, c, "w2", 10)); got != "[1-0]" {
		t.Fatalf("redelivery: %s", got)
	}
	do(t, c, "XACK", "q", "g", "1-0")
	if got := fmt.Sprint(readIDs(t, c, "w2", 10)); got != "[3-0]" {
		t.Fatalf("after the deleted held entry: %s", got)
	}
	if g := infoMap(t, do(t, c, "XINFO", "GROUPS", "q").([]any)[0]); g["held-back"] != int64(1) {
		t.Fatalf("held-back %v", g["held-back"])
	}
	do(t, c, "XACK", "q", "g", "3-0")
	do(t, c, "XGROUP", "SETID", "q", "g", "2-0")
	if g := infoMap(t, do(t, c, "XINFO", "GROUPS", "q").([]any)[0]); g["held-back"] != int64(0) {
		t.Fatalf("held-back %v after SETID", g["held-back"])
	}
	if got := fmt.Sprint(readIDs(t, c, "w2", 10)); got != "[3-0]" {
		t.Fatalf("after SETID 2-0: %s", got)
	}
}

// Held entries, keys pending and the ORDERBY field survive a restart,
// from the log and from a snapshot with log after it.
func TestOrderBySurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	addr, stop := testserver.StartDir(t, dir, wal.Always)
	c := gClient(t, addr, 2, 0)
	do(t, c, "XGROUP", "CREATE", "q", "g", "$", "MKSTREAM")
	do(t, c, "XGROUP", "CONFIG", "q", "g", "ORDERBY", "k")
	for i := 1; i <= 6; i++ {
		do(t, c, "XADD", "q", fmt.Sprintf("%d-0", i), "k", i%2)
	}
	readIDs(t, c, "w1", 10) // 1, 2; 3..6 held
	do(t, c, "SAVE")
	do(t, c, "XACK", "q", "g", "1-0")
	do(t, c, "XADD", "q", "7-0", "k", 1)
	state := func(c *redis.Client) string {
		return fmt.Sprint(do(t, c, "XINFO", "GROUPS", "q"), do(t, c, "XPENDING", "q", "g"))
	}
	want := state(c)
	if !strings.Contains(want, "held-back 4") {
		t.Fatalf("state: %s", want)
	}
	crashed := durCrashCopy(t, dir)
	c.Close()
	stop()
	for _, d := range []string{crashed, dir} {
		addr, stop := testserver.StartDir(t, d, wal.Always)
		c := gClient(t, addr, 2, 0)
		if got := state(c); got != want {
			t.Errorf("after restart on %s:\n%s\nwant\n%s", d, got, want)
		}
		// Key 1 is free: 3-0 goes; key 0 waits for 2-0.
		if got := fmt.Sprint(readIDs(t, c, "w2", 10)); got != "[3-0]" {
			t.Errorf("read after restart on %s: %s", d, got)
		}
		stop()
	}
}

// Eight workers on 100 keys, acking after random delays: every key's
// entries are processed in order, never two of a key at once, each exactly
// once, across a crash and
// restart midway: each worker comes back under its name and first works
// through what it held when it crashed (its pending entries, ID 0).
func TestOrderByWorkers(t *testing.T) {
	entries, keys := 100_000, 100
	if testing.Short() {
		entries = 20_000
	}
	dir := t.TempDir()
	addr, stop := testserver.StartDir(t, dir, wal.EverySec)
	c := gClient(t, addr, 2, 0)
	ctx := context.Background()
	do(t, c, "XGROUP", "CREATE", "q", "g", "$", "MKSTREAM")
	do(t, c, "XGROUP", "CONFIG", "q", "g", "ORDERBY", "key")
	r := rand.New(rand.NewSource(1))
	keyOf := map[string]string{}
	var order []string // IDs in stream order
	for i := 0; i < entries; i += 1000 {
		p := c.Pipeline()
		cmds := make([]*redis.StringCmd, 0, 1000)
		for j := 0; j < 1000; j++ {
			cmds = append(cmds, p.XAdd(ctx, &redis.XAddArgs{Stream: "q", Values: []any{"key", fmt.Sprint("k", r.Intn(keys)), "n", i + j}}))
		}
		if _, err := p.Exec(ctx); err != nil {
			t.Fatal(err)
		}
		for _, cmd := range cmds {
			order = append(order, cmd.Val())
		}
	}
	for _, m := range c.XRange(ctx, "q", "-", "+").Val() {
		keyOf[m.ID] = m.Values["key"].(string)
	}

	var mu sync.Mutex
	inFlight := map[string]string{} // key -> ID being worked on
	acked := map[string]int{}
	perKey := map[string][]string{} // IDs in the order they were acked
	var failed atomic.Value
	fail := func(format string, a ...any) { failed.CompareAndSwap(nil, fmt.Sprintf(format, a...)) }

	run := func(addr string, stopAt int) {
		var stopping atomic.Bool
		var wg sync.WaitGroup
		deadline := time.AfterFunc(2*time.Minute, func() {
			mu.Lock()
			defer mu.Unlock()
			fail("only %d entries acked after 2 minutes", len(acked))
		})
		defer deadline.Stop()
		for w := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				wc := gClient(t, addr, 2, 0)
				from := "0" // what it was working on before a crash, then new entries
				for !stopping.Load() && failed.Load() == nil {
					res, err := wc.XReadGroup(ctx, &redis.XReadGroupArgs{Group: "g", Consumer: fmt.Sprint("w", w),
						Streams: []string{"q", from}, Count: 10, Block: 100 * time.Millisecond}).Result()
					if err == nil && from == "0" && len(res[0].Messages) == 0 {
						from = ">"
						continue
					}
					if err == redis.Nil {
						continue
					}
					if err != nil {
						fail("read: %v", err)
						return
					}
					var done []string
					mu.Lock()
					for _, m := range res[0].Messages {
						k := keyOf[m.ID]
						if other, ok := inFlight[k]; ok {
							fail("%s of key %s handed out while %s is in flight", m.ID, k, other)
						}
						inFlight[k] = m.ID
						done = append(done, m.ID)
					}
					mu.Unlock()
					if stopping.Load() {
						// The worker crashes with the batch in hand: no ack.
						mu.Lock()
						for _, id := range done {
							delete(inFlight, keyOf[id])
						}
						mu.Unlock()
						return
					}
					time.Sleep(time.Duration(rand.Intn(500)) * time.Microsecond) // the work
					mu.Lock()
					for _, id := range done {
						delete(inFlight, keyOf[id])
						acked[id]++
						perKey[keyOf[id]] = append(perKey[keyOf[id]], id)
					}
					n := len(acked)
					mu.Unlock()
					if err := wc.XAck(ctx, "q", "g", done...).Err(); err != nil {
						fail("ack: %v", err)
						return
					}
					if n >= stopAt {
						stopping.Store(true)
					}
				}
			}()
		}
		wg.Wait()
	}
	run(addr, entries/2)
	if f := failed.Load(); f != nil {
		t.Fatal(f)
	}
	crashed := durCrashCopy(t, dir) // every ack before it was answered, so is in the log
	c.Close()
	stop()
	addr, stop = testserver.StartDir(t, crashed, wal.EverySec)
	defer stop()
	run(addr, entries)
	if f := failed.Load(); f != nil {
		t.Fatal(f)
	}
	if len(acked) != entries {
		t.Fatalf("%d of %d entries acked", len(acked), entries)
	}
	for id, n := range acked {
		if n != 1 {
			t.Fatalf("%s acked %d times", id, n)
		}
	}
	pos := map[string]int{}
	for i, id := range order {
		pos[id] = i
	}
	for k, ids := range perKey {
		for i := 1; i < len(ids); i++ {
			if pos[ids[i]] < pos[ids[i-1]] {
				t.Fatalf("key %s: %s processed after %s", k, ids[i], ids[i-1])
			}
		}
	}
	g := infoMap(t, do(t, gClient(t, addr, 2, 0), "XINFO", "GROUPS", "q").([]any)[0])
	if g["pending"] != int64(0) || g["held-back"] != int64(0) {
		t.Fatalf("after all were processed: %v", g)
	}
}
