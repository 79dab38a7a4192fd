package tests

import (
	"context"
	"log/slog"
	"net"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"

	"sluice/broker"
	"sluice/internal/testserver"
)

// nonLoopbackIP is an address of this machine other than loopback; the
// test is skipped on a machine without one.
func nonLoopbackIP(t *testing.T) string {
	t.Helper()
	addrs, _ := net.InterfaceAddrs()
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && !n.IP.IsLoopback() && n.IP.To4() != nil {
			return n.IP.String()
		}
	}
	t.Skip("no network interface besides loopback")
	return ""
}

const deniedStart = "-DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user. " +
	"In this mode connections are only accepted from the loopback interface. "

func TestProtectedMode(t *testing.T) {
	ip := nonLoopbackIP(t)
	log := &logBuffer{}
	addr, _ := testserver.StartConfig(t, broker.Config{Dir: t.TempDir(), Addr: "0.0.0.0:0",
		Logger: slog.New(slog.NewTextHandler(log, nil))})
	_, port, _ := net.SplitHostPort(addr)
	local, remote := "127.0.0.1:"+port, net.JoinHostPort(ip, port)
	waitFor(t, func() bool { return strings.Contains(log.String(), "protected mode: the default user has no password") })
	ctx := context.Background()
	c := gClient(t, local, 2, 0)
	eq(t, "CONFIG GET", c.ConfigGet(ctx, "protected-mode").Val()["protected-mode"], "yes")

	got, closed := rawSend(t, remote, "PING\r\n", 5e9)
	if !strings.HasPrefix(got, deniedStart) || !strings.HasSuffix(got, "'--protected-mode no' option. "+
		"3) Set up an authentication password for the default user (--requirepass, or the default user of the --aclfile file). "+
		"NOTE: You only need to do one of the above things in order for the server to start accepting connections from the outside.\r\n") || !closed {
		t.Fatalf("remote client: %q (closed %v)", got, closed)
	}
	r := redis.NewClient(&redis.Options{Addr: remote, MaxRetries: -1})
	defer r.Close()
	if err := r.Ping(ctx).Err(); err == nil || !strings.HasPrefix(err.Error(), deniedStart[1:40]) && !isNetErr(err) {
		t.Fatalf("go-redis from another host: %v", err)
	}
	if out := redisCLI(t, remote, "PING"); !strings.Contains(out, "DENIED Redis is running in protected mode") {
		t.Fatalf("redis-cli from another host: %q", out)
	}
	if n := infoInt(t, c, "stats", "rejected_connections"); n != 3 {
		t.Fatalf("rejected_connections %d", n)
	}
	eq(t, "local redis-cli", redisCLI(t, local, "PING"), "PONG")

	// Off, or with a password for the default user, others are served.
	if err := c.ConfigSet(ctx, "protected-mode", "no").Err(); err != nil {
		t.Fatal(err)
	}
	eq(t, "protected-mode no", redisCLI(t, remote, "PING"), "PONG")
	c.ConfigSet(ctx, "protected-mode", "yes")
	if err := c.ConfigSet(ctx, "requirepass", "pw").Err(); err != nil {
		t.Fatal(err)
	}
	eq(t, "with a password", gRaw(t, remote, "PING", "AUTH pw", "PING"), "-NOAUTH Authentication required.\r\n+OK\r\n+PONG\r\n")
}
