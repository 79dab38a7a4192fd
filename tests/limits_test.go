package tests

import (
	"bufio"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"os/exec"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"sluice/broker"
	"sluice/internal/testserver"
)

// redisCLI runs redis-cli against addr and returns its output; the test
// is skipped where redis-cli is not installed.
func redisCLI(t *testing.T, addr string, args ...string) string {
	t.Helper()
	path, err := exec.LookPath("redis-cli")
	if err != nil {
		t.Skip("redis-cli not installed")
	}
	host, port, _ := net.SplitHostPort(addr)
	out, _ := exec.Command(path, append([]string{"-h", host, "-p", port}, args...)...).CombinedOutput()
	return strings.TrimSpace(string(out))
}

// clientField returns a field of the CLIENT LIST line of the client
// named name.
func clientField(t *testing.T, c *redis.Client, name, field string) int64 {
	t.Helper()
	for _, line := range strings.Split(c.ClientList(context.Background()).Val(), "\n") {
		if !strings.Contains(line, " name="+name+" ") {
			continue
		}
		m := regexp.MustCompile(` ` + field + `=(\d+)`).FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("no %s in %q", field, line)
		}
		n, _ := strconv.ParseInt(m[1], 10, 64)
		return n
	}
	t.Fatalf("no client named %s", name)
	return 0
}

// fillStream adds n entries of size bytes to key.
func fillStream(t *testing.T, c *redis.Client, key string, n, size int) {
	t.Helper()
	ctx := context.Background()
	value := strings.Repeat("v", size)
	for done := 0; done < n; done += 500 {
		p := c.Pipeline()
		for i := done; i < min(n, done+500); i++ {
			p.XAdd(ctx, &redis.XAddArgs{Stream: key, Values: []string{"f", value}})
		}
		if _, err := p.Exec(ctx); err != nil {
			t.Fatal(err)
		}
	}
}

// slowReader connects with a tiny receive buffer, names itself and sends
// cmds without ever reading a reply.
func slowReader(t *testing.T, addr, name string, cmds ...string) net.Conn {
	t.Helper()
	d := net.Dialer{Control: func(_, _ string, rc syscall.RawConn) error {
		return rc.Control(func(fd uintptr) { syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096) })
	}}
	conn, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	payload := "CLIENT SETNAME " + name + "\r\n" + strings.Join(cmds, "\r\n") + "\r\n"
	if _, err := conn.Write([]byte(payload)); err != nil {
		t.Fatal(err)
	}
	return conn
}

// closedWithin reads (and drops) what conn receives until the server
// closes it, and fails if that takes longer than d.
func closedWithin(t *testing.T, conn net.Conn, d time.Duration) {
	t.Helper()
	conn.SetReadDeadline(time.Now().Add(d))
	_, err := io.Copy(io.Discard, conn)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatalf("connection still open after %v", d)
	}
}

// isNetErr reports an error of the connection rather than a reply.
func isNetErr(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) || errors.Is(err, io.EOF) || errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNRESET)
}

func TestMaxClients(t *testing.T) {
	addr := testserver.Start(t)
	ctx := context.Background()
	c := gClient(t, addr, 2, 0)
	eq(t, "default", c.ConfigGet(ctx, "maxclients").Val()["maxclients"], "10000")
	wantErr(t, c.ConfigSet(ctx, "maxclients", "0").Err(),
		"ERR CONFIG SET failed (possibly related to argument 'maxclients') - argument must be between 1 and 4294967295 inclusive")
	// More clients than the open file limit allows is refused with the
	// number that would work.
	err := c.ConfigSet(ctx, "maxclients", "4294967295").Err()
	if err == nil || !strings.HasPrefix(err.Error(), "ERR CONFIG SET failed (possibly related to argument 'maxclients') - The operating system is not able to handle the specified number of clients, try with ") {
		t.Fatalf("maxclients past the file limit: %v", err)
	}
	eq(t, "unchanged", c.ConfigGet(ctx, "maxclients").Val()["maxclients"], "10000")

	if err := c.ConfigSet(ctx, "maxclients", "2").Err(); err != nil {
		t.Fatal(err)
	}
	eq(t, "INFO maxclients", infoInt(t, c, "clients", "maxclients"), 2)
	second, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer second.Close()
	second.Write([]byte("PING\r\n"))
	if line, _ := bufio.NewReader(second).ReadString('\n'); line != "+PONG\r\n" {
		t.Fatalf("second client: %q", line)
	}
	// The third gets Redis's error and is closed, before sending anything.
	wantClosedWith(t, addr, "", "-ERR max number of clients reached\r\n")
	// go-redis gets the error, or, as with Redis, a broken pipe when the
	// close came before its first write.
	refused := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1})
	defer refused.Close()
	if err := refused.Ping(ctx).Err(); err == nil || err.Error() != "ERR max number of clients reached" && !isNetErr(err) {
		t.Fatalf("go-redis: %v", err)
	}
	eq(t, "redis-cli", redisCLI(t, addr, "PING"), "ERR max number of clients reached")
	eq(t, "rejected_connections", infoInt(t, c, "stats", "rejected_connections"), 3)
	// A place that frees up is taken.
	second.Close()
	waitFor(t, func() bool { return redisCLI(t, addr, "PING") == "PONG" })
}

func TestIdleTimeout(t *testing.T) {
	addr := testserver.Start(t)
	ctx := context.Background()
	c := gClient(t, addr, 2, 0)
	wantErr(t, c.ConfigSet(ctx, "timeout", "-1").Err(),
		"ERR CONFIG SET failed (possibly related to argument 'timeout') - argument must be between 0 and 2147483647 inclusive")
	if err := c.ConfigSet(ctx, "timeout", "1").Err(); err != nil {
		t.Fatal(err)
	}
	idle, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer idle.Close()
	// A blocked client is waiting, not idle.
	blocked, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer blocked.Close()
	blocked.Write([]byte("XREAD BLOCK 0 STREAMS s $\r\n"))
	waitBlocked(t, c, 1)
	start := time.Now()
	closedWithin(t, idle, 5*time.Second)
	if d := time.Since(start); d < time.Second {
		t.Fatalf("idle client closed after %v, before its timeout", d)
	}
	if err := c.XAdd(ctx, &redis.XAddArgs{Stream: "s", Values: []string{"f", "v"}}).Err(); err != nil {
		t.Fatal(err)
	}
	blocked.SetReadDeadline(time.Now().Add(5 * time.Second))
	if line, err := bufio.NewReader(blocked).ReadString('\n'); err != nil || line != "*1\r\n" {
		t.Fatalf("blocked client: %q, %v", line, err)
	}
	// timeout 0: never.
	if err := c.ConfigSet(ctx, "timeout", "0").Err(); err != nil {
		t.Fatal(err)
	}
	quiet, _ := rawSend(t, addr, "PING\r\n", 2500*time.Millisecond)
	eq(t, "timeout 0", quiet, "+PONG\r\n")
}

func TestOutputBufferLimitConfig(t *testing.T) {
	addr := testserver.Start(t)
	ctx := context.Background()
	c := gClient(t, addr, 2, 0)
	get := func() string {
		return c.ConfigGet(ctx, "client-output-buffer-limit").Val()["client-output-buffer-limit"]
	}
	eq(t, "default", get(), "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60")
	if err := c.ConfigSet(ctx, "client-output-buffer-limit", "normal 1mb 512kb 10").Err(); err != nil {
		t.Fatal(err)
	}
	eq(t, "normal set", get(), "normal 1048576 524288 10 slave 268435456 67108864 60 pubsub 33554432 8388608 60")
	if err := c.ConfigSet(ctx, "client-output-buffer-limit", "replica 1 2 3 pubsub 0 0 0").Err(); err != nil {
		t.Fatal(err)
	}
	eq(t, "two classes", get(), "normal 1048576 524288 10 slave 1 2 3 pubsub 0 0 0")
	failed := "ERR CONFIG SET failed (possibly related to argument 'client-output-buffer-limit') - "
	// The errors redis-server 7.0 gives for the same values.
	for v, msg := range map[string]string{
		"normal 1mb 512kb": "Wrong number of arguments in buffer limit configuration.",
		"foo 1 1 1":        "Invalid client class specified in buffer limit configuration.",
		"master 1 1 1":     "Invalid client class specified in buffer limit configuration.",
		"normal x 1 1":     "Error in hard, soft or soft_seconds setting in buffer limit configuration.",
		"normal 1 1 -1":    "Error in hard, soft or soft_seconds setting in buffer limit configuration.",
	} {
		wantErr(t, c.ConfigSet(ctx, "client-output-buffer-limit", v).Err(), failed+msg)
	}
	eq(t, "unchanged by errors", get(), "normal 1048576 524288 10 slave 1 2 3 pubsub 0 0 0")
}

// A reply larger than the hard limit closes its client while it is being
// built (Redis's "closed for overcoming of output buffer limits"): it is
// logged and counted, and nothing else is disturbed.
func TestOutputBufferHardLimit(t *testing.T) {
	log := &logBuffer{}
	addr, _ := testserver.StartConfig(t, broker.Config{Dir: t.TempDir(), Logger: slog.New(slog.NewTextHandler(log, nil))})
	ctx := context.Background()
	c := gClient(t, addr, 2, 0)
	fillStream(t, c, "big", 2000, 1000) // XRANGE: about 2 MB
	if err := c.ConfigSet(ctx, "client-output-buffer-limit", "normal 1mb 0 0").Err(); err != nil {
		t.Fatal(err)
	}
	victim := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1})
	defer victim.Close()
	if _, err := victim.XRange(ctx, "big", "-", "+").Result(); err == nil || strings.HasPrefix(err.Error(), "ERR") {
		t.Fatalf("XRANGE past the hard limit: %v, want the connection closed", err)
	}
	waitFor(t, func() bool { return infoInt(t, c, "stats", "client_output_buffer_limit_disconnections") == 1 })
	if !strings.Contains(log.String(), "closed for overcoming of output buffer limits") {
		t.Fatalf("not logged:\n%s", log.String())
	}
	// Within the limit the same client is served.
	if n := len(victim.XRangeN(ctx, "big", "-", "+", 100).Val()); n != 100 {
		t.Fatalf("XRANGE COUNT 100: %d entries", n)
	}
	eq(t, "redis-cli", redisCLI(t, addr, "XLEN", "big"), "2000")
	if out := redisCLI(t, addr, "XRANGE", "big", "-", "+"); strings.Contains(out, "vvvv") {
		t.Fatalf("redis-cli got the reply past the limit")
	}
	eq(t, "disconnections", infoInt(t, c, "stats", "client_output_buffer_limit_disconnections"), 2)
}

// A client that pipelines big reads and never reads the replies holds at
// most the reply being sent (the next is built only once the client takes
// it), so it may stay; past the soft limit for its seconds it is closed.
// Meanwhile a fast client on the same server keeps its latency.
func TestSlowReaderHeldAndDisconnected(t *testing.T) {
	addr := testserver.Start(t)
	ctx := context.Background()
	c := gClient(t, addr, 2, 0)
	fillStream(t, c, "big", 4000, 1000) // XRANGE: about 4 MB
	reply := int64(4000 * 1100)

	var lat []time.Duration
	stop := make(chan struct{})
	done := make(chan struct{})
	fast := gClient(t, addr, 2, 0)
	go func() {
		defer close(done)
		for {
			select {
			case <-stop:
				return
			default:
			}
			start := time.Now()
			if err := fast.XAdd(ctx, &redis.XAddArgs{Stream: "fast", Values: []string{"f", "v"}}).Err(); err != nil {
				t.Error(err)
				return
			}
			lat = append(lat, time.Since(start))
			time.Sleep(200 * time.Microsecond) // a steady client, not a core-eating one
		}
	}()

	// Ten XRANGEs of 4 MB: a server that built replies as fast as it read
	// the requests would hold 40 MB for this client.
	slowReader(t, addr, "slow", strings.Split(strings.Repeat("XRANGE big - +,", 10), ",")[:10]...)
	// The server may not have read CLIENT SETNAME yet.
	waitFor(t, func() bool { return strings.Contains(c.ClientList(ctx).Val(), "name=slow ") })
	waitFor(t, func() bool { return clientField(t, c, "slow", "omem") > 0 })
	time.Sleep(1500 * time.Millisecond)
	if omem := clientField(t, c, "slow", "omem"); omem > reply {
		t.Fatalf("slow reader holds %d bytes of output, more than one reply (%d)", omem, reply)
	}
	if mem := clientField(t, c, "slow", "tot-mem"); mem > 2*reply {
		t.Fatalf("slow reader's tot-mem is %d", mem)
	}
	if n := infoInt(t, c, "stats", "client_output_buffer_limit_disconnections"); n != 0 {
		t.Fatalf("closed without a limit: %d", n)
	}
	if out := infoInt(t, c, "clients", "client_recent_max_output_buffer"); out < reply/2 {
		t.Fatalf("client_recent_max_output_buffer %d", out)
	}

	if err := c.ConfigSet(ctx, "client-output-buffer-limit", "normal 0 1mb 1").Err(); err != nil {
		t.Fatal(err)
	}
	// Closed on the server within the soft seconds and a housekeeping
	// round or two (the client itself may take long to read what its tiny
	// window still lets through).
	start := time.Now()
	for infoInt(t, c, "stats", "client_output_buffer_limit_disconnections") != 1 {
		if time.Since(start) > 5*time.Second {
			t.Fatal("slow reader not closed past the soft limit")
		}
		time.Sleep(20 * time.Millisecond)
	}
	waitFor(t, func() bool { return !strings.Contains(c.ClientList(ctx).Val(), "name=slow ") })
	close(stop)
	<-done
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	if len(lat) < 100 {
		t.Fatalf("the fast client made only %d XADDs", len(lat))
	}
	p99 := lat[len(lat)*99/100]
	t.Logf("fast client: %d XADDs, p50 %v, p99 %v", len(lat), lat[len(lat)/2], p99)
	if p99 > 100*time.Millisecond {
		t.Fatalf("fast client's p99 was %v beside the slow reader", p99)
	}
}

// CLIENT LIST and INFO show a client's query buffer as it fills.
func TestClientBuffersShown(t *testing.T) {
	addr := testserver.Start(t)
	ctx := context.Background()
	c := gClient(t, addr, 2, 0)
	partial := slowReader(t, addr, "partial", "*2\r\n$4\r\nECHO\r\n$200000\r\n"+strings.Repeat("x", 100000))
	_ = partial
	waitFor(t, func() bool { return strings.Contains(c.ClientList(ctx).Val(), "name=partial ") })
	waitFor(t, func() bool { return clientField(t, c, "partial", "qbuf") >= 100000 })
	if free, rbs := clientField(t, c, "partial", "qbuf-free"), clientField(t, c, "partial", "rbs"); rbs < 100000 || free > rbs {
		t.Fatalf("qbuf-free %d rbs %d", free, rbs)
	}
	if mem := clientField(t, c, "partial", "tot-mem"); mem < 100000 {
		t.Fatalf("tot-mem %d", mem)
	}
	waitFor(t, func() bool { return infoInt(t, c, "clients", "client_recent_max_input_buffer") >= 100000 })
	// An idle client holds no query buffer.
	if err := c.Do(ctx, "CLIENT", "SETNAME", "idle").Err(); err != nil {
		t.Fatal(err)
	}
	other := gClient(t, addr, 2, 0)
	waitFor(t, func() bool { return clientField(t, other, "idle", "rbs") == 0 })
}
