package tests

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"sluice/internal/testserver"
)

// infoField reads one INFO field as an integer.
func infoInt(t *testing.T, c *redis.Client, section, field string) int64 {
	t.Helper()
	for _, line := range strings.Split(c.Info(context.Background(), section).Val(), "\r\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			n, _ := strconv.ParseInt(v, 10, 64)
			return n
		}
	}
	t.Fatalf("no %s in INFO %s", field, section)
	return 0
}

// waitBlocked waits until n clients are blocked.
func waitBlocked(t *testing.T, c *redis.Client, n int64) {
	t.Helper()
	waitFor(t, func() bool { return infoInt(t, c, "clients", "blocked_clients") == n })
}

// An XADD serves the first client blocked on a group and leaves the next
// asleep; that one times out at its own deadline, not later.
func TestBlockedGroupReadersServedInOrder(t *testing.T) {
	c, addr := groupFixture(t, 0)
	first := blockedRead(t, addr, "xreadgroup", "group", "g", "a", "block", "0", "streams", "k", ">")
	start := time.Now()
	second := make(chan any, 1)
	go func() {
		v, err := gClient(t, addr, 2, 0).Do(context.Background(), "xreadgroup", "group", "g", "b", "block", "1000", "streams", "k", ">").Result()
		if err == redis.Nil {
			v = nil
		}
		second <- v
	}()
	waitBlocked(t, c, 2)
	time.Sleep(200*time.Millisecond - time.Since(start))
	do(t, c, "xadd", "k", "1-0", "f", "1")
	if got := fmtVal(wait(t, first)); got != "[[k [[1-0 [f 1]]]]]" {
		t.Errorf("first reader: %s", got)
	}
	if got := infoInt(t, c, "clients", "blocked_clients"); got != 1 {
		t.Errorf("blocked_clients = %d after one entry for two readers, want 1", got)
	}
	select {
	case v := <-second:
		if v != nil {
			t.Errorf("second reader got %v, want a timeout", v)
		}
		if took := time.Since(start); took < 950*time.Millisecond || took > 1150*time.Millisecond {
			t.Errorf("second reader timed out after %v, want about 1 s", took)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("second reader never timed out")
	}
	expectVal(t, c, "[1 1-0 1-0 [[a 1]]]", "xpending", "k", "g")
}

// One XADD with fifty consumers blocked on the group delivers once and
// wakes nobody else.
func TestOneEntryOneDelivery(t *testing.T) {
	c, addr := groupFixture(t, 0)
	for i := range 50 {
		cl := gClient(t, addr, 2, 0)
		go cl.Do(context.Background(), "xreadgroup", "group", "g", "c"+itoa(i), "block", "0", "streams", "k", ">")
	}
	waitBlocked(t, c, 50)
	do(t, c, "xadd", "k", "1-0", "f", "1")
	waitBlocked(t, c, 49)
	time.Sleep(50 * time.Millisecond)
	if got := infoInt(t, c, "clients", "blocked_clients"); got != 49 {
		t.Errorf("blocked_clients = %d, want 49", got)
	}
	expectVal(t, c, "1", "xlen", "k")
	if p := do(t, c, "xpending", "k", "g").([]any); p[0] != int64(1) {
		t.Errorf("pending %v, want one entry delivered once", p)
	}
}

// XREAD waits on through a key that is deleted and set to a string, and is
// served by the next stream entry; XREADGROUP in the same case fails.
func TestXReadWaitsThroughTypeChange(t *testing.T) {
	addr := testserver.Start(t)
	c := gClient(t, addr, 2, 0)
	do(t, c, "xadd", "k", "1-0", "f", "1")
	ch := make(chan any, 1)
	go func() {
		v, err := gClient(t, addr, 2, 0).Do(context.Background(), "xread", "block", "0", "streams", "k", "$").Result()
		if err != nil {
			v = "ERR:" + err.Error()
		}
		ch <- v
	}()
	waitBlocked(t, c, 1)
	do(t, c, "set", "k", "string now")
	time.Sleep(50 * time.Millisecond)
	if got := infoInt(t, c, "clients", "blocked_clients"); got != 1 {
		t.Fatalf("XREAD stopped waiting when its key became a string")
	}
	do(t, c, "del", "k")
	do(t, c, "xadd", "k", "2-0", "f", "2")
	if got := fmtVal(wait(t, ch)); got != "[[k [[2-0 [f 2]]]]]" {
		t.Errorf("XREAD after DEL and XADD: %s", got)
	}

	do(t, c, "xgroup", "create", "k", "g", "$")
	gch := blockedRead(t, addr, "xreadgroup", "group", "g", "a", "block", "0", "streams", "k", ">")
	do(t, c, "set", "k", "string")
	if got := wait(t, gch); got != "ERR:WRONGTYPE Operation against a key holding the wrong kind of value" {
		t.Errorf("XREADGROUP on a key that became a string: %v", got)
	}
}

// The NOGROUP a destroyed group gives its blocked reader counts once.
func TestDestroyedGroupCountsOneError(t *testing.T) {
	c, addr := groupFixture(t, 0)
	ch := blockedRead(t, addr, "xreadgroup", "group", "g", "a", "block", "0", "streams", "k", ">")
	do(t, c, "config", "resetstat")
	do(t, c, "xgroup", "destroy", "k", "g")
	wait(t, ch)
	info := c.Info(context.Background(), "errorstats").Val()
	if !strings.Contains(info, "errorstat_NOGROUP:count=1\r\n") {
		t.Errorf("errorstats after one NOGROUP:\n%s", info)
	}
}

// rdb_changes_since_last_save counts one change for an XREADGROUP that
// delivers, however many entries, and none for one that re-reads the PEL.
func TestReadGroupChangeCount(t *testing.T) {
	c, _ := groupFixture(t, 5)
	before := infoInt(t, c, "persistence", "rdb_changes_since_last_save")
	do(t, c, "xreadgroup", "group", "g", "a", "streams", "k", ">")
	if n := infoInt(t, c, "persistence", "rdb_changes_since_last_save") - before; n != 1 {
		t.Errorf("delivering 5 entries counted %d changes, want 1", n)
	}
	before += 1
	do(t, c, "xreadgroup", "group", "g", "a", "streams", "k", "0")
	if n := infoInt(t, c, "persistence", "rdb_changes_since_last_save") - before; n != 0 {
		t.Errorf("re-reading the PEL counted %d changes, want 0", n)
	}
}

// Integer arguments are parsed as Redis parses them: no leading zeros, no
// sign but '-'.
func TestIntegersAsRedisParsesThem(t *testing.T) {
	addr := testserver.Start(t)
	c := gClient(t, addr, 2, 0)
	do(t, c, "xadd", "k", "1-0", "f", "1")
	for _, args := range [][]any{
		{"xrange", "k", "-", "+", "count", "007"},
		{"xadd", "k", "maxlen", "+5", "*", "f", "v"},
		{"select", "01"},
		{"expire", "k", "010"},
		{"client", "kill", "id", "07"},
		{"hello", "03"},
	} {
		if got, _ := do(t, c, args...).(string); !strings.HasPrefix(got, "ERR:") {
			t.Errorf("%v: got %v, want an error", args, got)
		}
	}
}
