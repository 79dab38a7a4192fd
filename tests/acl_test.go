package tests

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"sluice/broker"
	"sluice/internal/testserver"
	"sluice/wal"
)

// userClient connects as user with pass, in RESP2 or RESP3 (go-redis
// authenticates with HELLO 3 AUTH, or AUTH user pass).
func userClient(t *testing.T, addr, user, pass string, proto int) *redis.Client {
	t.Helper()
	c := redis.NewClient(&redis.Options{Addr: addr, Username: user, Password: pass, Protocol: proto, MaxRetries: -1})
	t.Cleanup(func() { c.Close() })
	return c
}

func setUser(t *testing.T, c *redis.Client, name string, rules ...any) {
	t.Helper()
	if err := c.Do(context.Background(), append([]any{"ACL", "SETUSER", name}, rules...)...).Err(); err != nil {
		t.Fatalf("ACL SETUSER %s: %v", name, err)
	}
}

const (
	noKey = "NOPERM No permissions to access a key"
)

func noCmd(user, cmd string) string {
	return "NOPERM User " + user + " has no permissions to run the '" + cmd + "' command"
}

// The README's roles: a producer that may only XADD to orders:*, a
// consumer that may only read and acknowledge them in a group, an admin.
func TestACLRoles(t *testing.T) {
	addr := testserver.Start(t)
	ctx := context.Background()
	admin := gClient(t, addr, 2, 0)
	setUser(t, admin, "producer", "on", ">ppass", "~orders:*", "-@all", "+xadd")
	setUser(t, admin, "consumer", "on", ">cpass", "~orders:*", "-@all", "+xreadgroup", "+xack")
	setUser(t, admin, "ops", "on", ">opass", "allkeys", "+@all")
	if err := admin.XGroupCreateMkStream(ctx, "orders:eu", "shipping", "$").Err(); err != nil {
		t.Fatal(err)
	}
	before := infoField(t, admin, "sluice_log_last_lsn")

	producer := userClient(t, addr, "producer", "ppass", 3)
	id, err := producer.XAdd(ctx, &redis.XAddArgs{Stream: "orders:eu", Values: []string{"item", "book"}}).Result()
	if err != nil {
		t.Fatal(err)
	}
	wantErr(t, producer.XAdd(ctx, &redis.XAddArgs{Stream: "payments", Values: []string{"a", "1"}}).Err(), noKey)
	wantErr(t, producer.XLen(ctx, "orders:eu").Err(), noCmd("producer", "xlen"))
	wantErr(t, producer.Del(ctx, "orders:eu").Err(), noCmd("producer", "del"))

	consumer := userClient(t, addr, "consumer", "cpass", 2)
	wantErr(t, consumer.XAdd(ctx, &redis.XAddArgs{Stream: "orders:eu", Values: []string{"item", "pen"}}).Err(), noCmd("consumer", "xadd"))
	got, err := consumer.XReadGroup(ctx, &redis.XReadGroupArgs{Group: "shipping", Consumer: "c1", Streams: []string{"orders:eu", ">"}}).Result()
	if err != nil || len(got) != 1 || got[0].Messages[0].ID != id {
		t.Fatalf("XREADGROUP: %v %v", got, err)
	}
	if n := consumer.XAck(ctx, "orders:eu", "shipping", id).Val(); n != 1 {
		t.Fatalf("XACK: %d", n)
	}
	wantErr(t, consumer.XReadGroup(ctx, &redis.XReadGroupArgs{Group: "shipping", Consumer: "c1", Streams: []string{"payments", ">"}}).Err(), noKey)

	// Nothing the refused commands asked for was written: one XADD and one
	// XREADGROUP+XACK are all the log holds.
	eq(t, "XLEN", admin.XLen(ctx, "orders:eu").Val(), int64(1))
	eq(t, "payments", admin.Exists(ctx, "payments").Val(), int64(0))
	// The refused XADD is in the ACL log.
	found := false
	for _, e := range admin.Do(ctx, "ACL", "LOG").Val().([]any) {
		e := e.([]any)
		found = found || e[3] == "command" && e[7] == "xadd" && e[9] == "consumer"
	}
	if !found {
		t.Fatalf("no ACL LOG entry for the consumer's XADD: %v", admin.Do(ctx, "ACL", "LOG").Val())
	}
	beforeN, _ := redisInt(before)
	afterN, _ := redisInt(infoField(t, admin, "sluice_log_last_lsn"))
	if afterN-beforeN != 3 {
		t.Fatalf("log grew by %d records, want 3", afterN-beforeN)
	}

	ops := userClient(t, addr, "ops", "opass", 2)
	if err := ops.ConfigSet(ctx, "timeout", "0").Err(); err != nil {
		t.Fatal(err)
	}
	eq(t, "WHOAMI", ops.Do(ctx, "ACL", "WHOAMI").Val(), any("ops"))
	eq(t, "CLIENT LIST user", strings.Contains(ops.ClientList(ctx).Val(), " user=producer "), true)
	eq(t, "redis-cli as producer", redisCLI(t, addr, "--user", "producer", "--pass", "ppass", "--no-auth-warning", "XLEN", "orders:eu"),
		"NOPERM User producer has no permissions to run the 'xlen' command")
}

func redisInt(s string) (int64, bool) {
	var n int64
	for _, ch := range s {
		if ch < '0' || ch > '9' {
			return 0, false
		}
		n = n*10 + int64(ch-'0')
	}
	return n, true
}

// Every stream command checks its keys against the user's patterns, every
// key of a multi-key XREAD and XREADGROUP included.
func TestACLKeyPatternsOnStreamCommands(t *testing.T) {
	c, addr := groupFixture(t, 3)
	ctx := context.Background()
	for _, k := range []string{"ok:1", "ok:2", "no"} {
		c.XAdd(ctx, &redis.XAddArgs{Stream: k, ID: "1-0", Values: []string{"f", "v"}})
		c.XGroupCreate(ctx, k, "g", "0")
	}
	setUser(t, c, "u", "on", "nopass", "~ok:*", "+@all")
	u := userClient(t, addr, "u", "x", 2)
	cmds := [][]any{
		{"XADD", "%s", "*", "f", "v"},
		{"XRANGE", "%s", "-", "+"},
		{"XREVRANGE", "%s", "+", "-"},
		{"XLEN", "%s"},
		{"XDEL", "%s", "9-9"},
		{"XDELEX", "%s", "IDS", "1", "9-9"},
		{"XTRIM", "%s", "MAXLEN", "100"},
		{"XSETID", "%s", "9999-0"},
		{"XACK", "%s", "g", "9-9"},
		{"XACKDEL", "%s", "g", "IDS", "1", "9-9"},
		{"XCLAIM", "%s", "g", "c", "0", "9-9"},
		{"XAUTOCLAIM", "%s", "g", "c", "0", "0"},
		{"XPENDING", "%s", "g"},
		{"XNACK", "%s", "g", "FAIL", "IDS", "1", "9-9"},
		{"XCFGSET", "%s", "IDMP-DURATION", "100"},
		{"XINFO", "STREAM", "%s"},
		{"XINFO", "GROUPS", "%s"},
		{"XINFO", "CONSUMERS", "%s", "g"},
		{"XGROUP", "CREATECONSUMER", "%s", "g", "c2"},
		{"XGROUP", "DELCONSUMER", "%s", "g", "c2"},
		{"XGROUP", "SETID", "%s", "g", "0"},
		{"XGROUP", "CREATE", "%s", "g2", "0"},
		{"XGROUP", "DESTROY", "%s", "g2"},
		{"XREAD", "STREAMS", "%s", "0"},
		{"XREADGROUP", "GROUP", "g", "c", "STREAMS", "%s", ">"},
	}
	with := func(cmd []any, key string) []any {
		out := make([]any, len(cmd))
		for i, a := range cmd {
			if a == "%s" {
				a = key
			}
			out[i] = a
		}
		return out
	}
	for _, cmd := range cmds {
		if err := u.Do(ctx, with(cmd, "no")...).Err(); err == nil || err.Error() != noKey {
			t.Errorf("%v on a key outside the patterns: %v", cmd[:2], err)
		}
		if err := u.Do(ctx, with(cmd, "ok:1")...).Err(); err != nil && strings.HasPrefix(err.Error(), "NOPERM") {
			t.Errorf("%v on a key inside the patterns: %v", cmd[:2], err)
		}
	}
	// Multi-key reads check every key, the last one included.
	wantErr(t, u.Do(ctx, "XREAD", "STREAMS", "ok:1", "ok:2", "no", "0", "0", "0").Err(), noKey)
	wantErr(t, u.Do(ctx, "XREADGROUP", "GROUP", "g", "c", "STREAMS", "ok:1", "no", ">", ">").Err(), noKey)
	if err := u.Do(ctx, "XREAD", "STREAMS", "ok:1", "ok:2", "0", "0").Err(); err != nil {
		t.Fatal(err)
	}
	// The key refused is in the ACL log.
	entries := c.Do(ctx, "ACL", "LOG", "1").Val().([]any)
	e := entries[0].([]any)
	if e[3] != "key" || e[5] != "toplevel" || e[7] != "no" || e[9] != "u" {
		t.Fatalf("ACL LOG: %v", e)
	}
}

// %R~ allows what reads, %W~ what writes; categories and single commands
// add and remove; allkeys, allcommands, nopass, off, reset.
func TestACLRuleKinds(t *testing.T) {
	addr := testserver.Start(t)
	ctx := context.Background()
	c := gClient(t, addr, 2, 0)
	c.XAdd(ctx, &redis.XAddArgs{Stream: "r:1", ID: "1-0", Values: []string{"f", "v"}})
	c.XAdd(ctx, &redis.XAddArgs{Stream: "w:1", ID: "1-0", Values: []string{"f", "v"}})

	setUser(t, c, "rw", "on", ">p", "%R~r:*", "%W~w:*", "+@all")
	rw := userClient(t, addr, "rw", "p", 2)
	eq(t, "read r", rw.XLen(ctx, "r:1").Val(), int64(1))
	wantErr(t, rw.XAdd(ctx, &redis.XAddArgs{Stream: "r:1", Values: []string{"f", "v"}}).Err(), noKey)
	if err := rw.XAdd(ctx, &redis.XAddArgs{Stream: "w:1", Values: []string{"f", "v"}}).Err(); err != nil {
		t.Fatal(err)
	}
	wantErr(t, rw.XRange(ctx, "w:1", "-", "+").Err(), noKey)

	setUser(t, c, "cats", "on", ">p", "allkeys", "+@read", "+@stream", "-@write", "+xack", "-xlen")
	cats := userClient(t, addr, "cats", "p", 2)
	if err := cats.XRange(ctx, "r:1", "-", "+").Err(); err != nil {
		t.Fatal(err)
	}
	wantErr(t, cats.XLen(ctx, "r:1").Err(), noCmd("cats", "xlen"))
	wantErr(t, cats.XAdd(ctx, &redis.XAddArgs{Stream: "r:1", Values: []string{"f", "v"}}).Err(), noCmd("cats", "xadd"))
	if err := cats.XAck(ctx, "r:1", "g", "1-0").Err(); err != nil && strings.HasPrefix(err.Error(), "NOPERM") {
		t.Fatal(err)
	}
	wantErr(t, cats.Do(ctx, "CLIENT", "KILL", "ID", "999").Err(), noCmd("cats", "client|kill"))
	eq(t, "GETUSER commands", c.Do(ctx, "ACL", "GETUSER", "cats").Val().([]any)[5], any("-@all +@read +@stream -@write +xack -xlen"))

	// Subcommands one by one; admin commands with +@admin.
	setUser(t, c, "sub", "on", "nopass", "+client|id", "+acl", "-acl|setuser")
	sub := userClient(t, addr, "sub", "any", 2)
	if err := sub.ClientID(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	wantErr(t, sub.ClientList(ctx).Err(), noCmd("sub", "client|list"))
	if err := sub.Do(ctx, "ACL", "WHOAMI").Err(); err != nil {
		t.Fatal(err)
	}
	wantErr(t, sub.Do(ctx, "ACL", "SETUSER", "x").Err(), noCmd("sub", "acl|setuser"))

	// nopass: any password; off: none; reset: off and nothing allowed.
	if err := userClient(t, addr, "sub", "whatever", 2).ClientID(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	setUser(t, c, "sub", "off")
	wantErr(t, userClient(t, addr, "sub", "any", 2).Ping(ctx).Err(), "WRONGPASS invalid username-password pair or user is disabled.")
	// A connection made before "off" goes on, as in Redis.
	if err := sub.ClientID(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	setUser(t, c, "sub", "reset", "on", "nopass")
	wantErr(t, sub.ClientID(ctx).Err(), noCmd("sub", "client|id"))
	eq(t, "reset", c.Do(ctx, "ACL", "LIST").Val().([]any)[3], any("user sub on nopass sanitize-payload resetchannels -@all"))

	// Errors are Redis's, and a SETUSER with one changes nothing.
	wantErr(t, c.Do(ctx, "ACL", "SETUSER", "sub", "+get", "+nosuch").Err(), "ERR Error in ACL SETUSER modifier '+nosuch': Unknown command or category name in ACL")
	eq(t, "unchanged", c.Do(ctx, "ACL", "GETUSER", "sub").Val().([]any)[5], any("-@all"))
}

func TestACLCommands(t *testing.T) {
	addr := testserver.Start(t)
	ctx := context.Background()
	c := gClient(t, addr, 3, 0)
	setUser(t, c, "alice", "on", ">pw", "~k:*", "+get", "(%R~log:* +xrange)")
	pw := sha256.Sum256([]byte("pw"))
	hash := hex.EncodeToString(pw[:])
	eq(t, "USERS", strings.Join(toStrings(c.Do(ctx, "ACL", "USERS").Val()), ","), "alice,default")
	eq(t, "LIST", strings.Join(toStrings(c.Do(ctx, "ACL", "LIST").Val()), "\n"),
		"user alice on sanitize-payload #"+hash+" ~k:* resetchannels -@all +get (%R~log:* resetchannels -@all +xrange)\n"+
			"user default on nopass sanitize-payload ~* &* +@all")
	got := c.Do(ctx, "ACL", "GETUSER", "alice").Val().(map[any]any)
	if got["commands"] != "-@all +get" || got["keys"] != "~k:*" || got["channels"] != "" ||
		len(got["passwords"].([]any)) != 1 || len(got["selectors"].([]any)) != 1 {
		t.Fatalf("GETUSER: %v", got)
	}
	if c.Do(ctx, "ACL", "GETUSER", "nobody").Val() != nil {
		t.Fatal("GETUSER of no user")
	}
	cats := toStrings(c.Do(ctx, "ACL", "CAT").Val())
	if len(cats) != 21 || cats[0] != "keyspace" || cats[11] != "stream" {
		t.Fatalf("CAT: %v", cats)
	}
	stream := toStrings(c.Do(ctx, "ACL", "CAT", "stream").Val())
	if !contains(stream, "xadd") || !contains(stream, "xgroup|create") || contains(stream, "get") {
		t.Fatalf("CAT stream: %v", stream)
	}
	wantErr(t, c.Do(ctx, "ACL", "CAT", "nosuch").Err(), "ERR Unknown category 'nosuch'")
	if p := c.Do(ctx, "ACL", "GENPASS").Val().(string); len(p) != 64 {
		t.Fatalf("GENPASS: %q", p)
	}
	if p := c.Do(ctx, "ACL", "GENPASS", "5").Val().(string); len(p) != 2 {
		t.Fatalf("GENPASS 5: %q", p)
	}
	wantErr(t, c.Do(ctx, "ACL", "GENPASS", "0").Err(), "ERR ACL GENPASS argument must be the number of bits for the output password, a positive number up to 4096")
	eq(t, "DRYRUN ok", c.Do(ctx, "ACL", "DRYRUN", "alice", "GET", "k:1").Val(), any("OK"))
	eq(t, "DRYRUN key", c.Do(ctx, "ACL", "DRYRUN", "alice", "GET", "x").Val(), any("User alice has no permissions to access the 'x' key"))
	eq(t, "DRYRUN cmd", c.Do(ctx, "ACL", "DRYRUN", "alice", "SET", "k:1", "v").Val(), any("User alice has no permissions to run the 'set' command"))
	eq(t, "DRYRUN selector", c.Do(ctx, "ACL", "DRYRUN", "alice", "XRANGE", "log:1", "-", "+").Val(), any("OK"))
	wantErr(t, c.Do(ctx, "ACL", "DRYRUN", "nobody", "GET", "x").Err(), "ERR User 'nobody' not found")
	wantErr(t, c.Do(ctx, "ACL", "DRYRUN", "alice", "NOSUCH").Err(), "ERR Command 'NOSUCH' not found")
	wantErr(t, c.Do(ctx, "ACL", "DELUSER", "default").Err(), "ERR The 'default' user cannot be removed")
	wantErr(t, c.Do(ctx, "ACL", "SAVE").Err(), "ERR This Redis instance is not configured to use an ACL file. You may want to specify users via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis configuration file set) in order to store users in the Redis configuration.")
	wantErr(t, c.Do(ctx, "ACL", "SETUSER", "a b").Err(), "ERR Usernames can't contain spaces or null characters")
	wantErr(t, c.Do(ctx, "ACL", "NOSUCH").Err(), "ERR unknown subcommand 'NOSUCH'. Try ACL HELP.")

	// DELUSER closes the user's connections.
	alice := userClient(t, addr, "alice", "pw", 2)
	if err := alice.Get(ctx, "k:1").Err(); err != redis.Nil {
		t.Fatal(err)
	}
	eq(t, "DELUSER", c.Do(ctx, "ACL", "DELUSER", "alice", "nobody").Val(), any(int64(1)))
	if err := alice.Get(ctx, "k:1").Err(); err == nil || err == redis.Nil {
		t.Fatalf("alice's connection survived DELUSER: %v", err)
	}
}

func toStrings(v any) []string {
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return out
}

// A failed AUTH and a refused command are in ACL LOG and INFO stats; the
// log groups repeats.
func TestACLLog(t *testing.T) {
	addr := testserver.Start(t)
	ctx := context.Background()
	c := gClient(t, addr, 2, 0)
	setUser(t, c, "bob", "on", ">pw", "~*", "+get")
	got := gRaw(t, addr, "AUTH bob wrong", "AUTH bob pw", "SET k v", "SET k v", "SET k v", "GET k")
	eq(t, "replies", got, "-WRONGPASS invalid username-password pair or user is disabled.\r\n+OK\r\n"+
		strings.Repeat("-"+noCmd("bob", "set")+"\r\n", 3)+"$-1\r\n")
	log := c.Do(ctx, "ACL", "LOG").Val().([]any)
	if len(log) != 2 {
		t.Fatalf("ACL LOG: %v", log)
	}
	cmd, auth := log[0].([]any), log[1].([]any)
	for i, want := range []any{"count", int64(3), "reason", "command", "context", "toplevel", "object", "set", "username", "bob"} {
		if cmd[i] != want {
			t.Fatalf("command entry: %v", cmd)
		}
	}
	for i, want := range []any{"count", int64(1), "reason", "auth", "context", "toplevel", "object", "AUTH", "username", "bob"} {
		if auth[i] != want {
			t.Fatalf("auth entry: %v", auth)
		}
	}
	if !strings.Contains(cmd[13].(string), " user=bob ") || cmd[14] != "entry-id" || cmd[15] != int64(1) || auth[15] != int64(0) {
		t.Fatalf("command entry: %v", cmd)
	}
	eq(t, "acl_access_denied_auth", infoInt(t, c, "stats", "acl_access_denied_auth"), 1)
	eq(t, "acl_access_denied_cmd", infoInt(t, c, "stats", "acl_access_denied_cmd"), 3)
	eq(t, "errorstat", strings.Contains(c.Info(ctx, "errorstats").Val(), "errorstat_NOPERM:count=3"), true)
	if err := c.Do(ctx, "ACL", "LOG", "RESET").Err(); err != nil {
		t.Fatal(err)
	}
	eq(t, "after RESET", len(c.Do(ctx, "ACL", "LOG").Val().([]any)), 0)
	// go-redis fails to log in the same way.
	wantErr(t, userClient(t, addr, "bob", "wrong", 3).Ping(ctx).Err(), "WRONGPASS invalid username-password pair or user is disabled.")
	if n := infoInt(t, c, "stats", "acl_access_denied_auth"); n < 2 {
		t.Fatalf("acl_access_denied_auth %d", n)
	}
}

// AUTH and HELLO AUTH with users; requirepass is the default user's
// password.
func TestACLAuth(t *testing.T) {
	addr := testserver.Start(t)
	ctx := context.Background()
	c := gClient(t, addr, 2, 0)
	setUser(t, c, "u", "on", ">pw", "+@all", "~*")
	got := gRaw(t, addr, "AUTH u pw", "ACL WHOAMI", "AUTH u bad", "ACL WHOAMI", "HELLO 3 AUTH u bad", "HELLO 2 AUTH default x", "ACL WHOAMI")
	want := "+OK\r\n$1\r\nu\r\n-WRONGPASS invalid username-password pair or user is disabled.\r\n$1\r\nu\r\n" +
		"-WRONGPASS invalid username-password pair or user is disabled.\r\n*14\r\n"
	if !strings.HasPrefix(got, want) || !strings.HasSuffix(got, "*0\r\n$7\r\ndefault\r\n") {
		t.Fatalf("got %q", got)
	}
	if err := c.ConfigSet(ctx, "requirepass", "secret").Err(); err != nil {
		t.Fatal(err)
	}
	wantErr(t, redis.NewClient(&redis.Options{Addr: addr}).Ping(ctx).Err(), "NOAUTH Authentication required.")
	if err := redis.NewClient(&redis.Options{Addr: addr, Password: "secret"}).Ping(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	if err := userClient(t, addr, "u", "pw", 3).Ping(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	eq(t, "RESET", gRaw(t, addr, "AUTH u pw", "RESET", "ACL WHOAMI"), "+OK\r\n+RESET\r\n-NOAUTH Authentication required.\r\n")
}

// Commands queued in MULTI are checked when queued, and again at EXEC.
func TestACLInTransactions(t *testing.T) {
	addr := testserver.Start(t)
	ctx := context.Background()
	c := gClient(t, addr, 2, 0)
	setUser(t, c, "u", "on", "nopass", "~*", "+@all", "-set")
	got := gRaw(t, addr, "AUTH u x", "MULTI", "SET k v", "EXEC")
	eq(t, "queued", got, "+OK\r\n+OK\r\n-"+noCmd("u", "set")+"\r\n-EXECABORT Transaction discarded because of previous errors.\r\n")

	// The rules change between the queueing and the EXEC: the command
	// refused then gets Redis's error in EXEC's reply, the others run.
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	r := bufio.NewReader(conn)
	conn.Write([]byte("AUTH u x\r\nMULTI\r\nINCR n\r\nDECR n\r\n"))
	for i := 0; i < 4; i++ {
		if line, err := r.ReadString('\n'); err != nil || line != []string{"+OK\r\n", "+OK\r\n", "+QUEUED\r\n", "+QUEUED\r\n"}[i] {
			t.Fatalf("reply %d: %q %v", i, line, err)
		}
	}
	setUser(t, c, "u", "-decr")
	conn.Write([]byte("EXEC\r\n"))
	want := "*2\r\n:1\r\n-NOPERM ACLs rules changed between the moment the transaction was accumulated and the EXEC call. " +
		"This command is no longer allowed for the following reason: User u has no permissions to run the 'decr' command\r\n"
	reply := make([]byte, len(want))
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.ReadFull(r, reply); err != nil || string(reply) != want {
		t.Fatalf("EXEC: %q %v", reply, err)
	}
	e := c.Do(ctx, "ACL", "LOG", "1").Val().([]any)[0].([]any)
	if e[5] != "multi" || e[7] != "decr" {
		t.Fatalf("ACL LOG: %v", e)
	}
}

// The ACL file: loaded at start, written by ACL SAVE, read again by ACL
// LOAD (all or nothing), and what it holds survives a restart.
func TestACLFile(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "users.acl")
	if err := os.WriteFile(file, []byte("user default on >adminpw ~* &* +@all\nuser producer on >ppw ~orders:* -@all +xadd\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := broker.Config{Dir: filepath.Join(dir, "data"), Fsync: wal.EverySec, ACLFile: file}
	addr, stop := testserver.StartConfig(t, cfg)
	ctx := context.Background()
	admin := userClient(t, addr, "default", "adminpw", 2)
	eq(t, "CONFIG GET aclfile", admin.ConfigGet(ctx, "aclfile").Val()["aclfile"], file)
	if err := userClient(t, addr, "producer", "ppw", 2).XAdd(ctx, &redis.XAddArgs{Stream: "orders:1", Values: []string{"a", "1"}}).Err(); err != nil {
		t.Fatal(err)
	}
	setUser(t, admin, "consumer", "on", ">cpw", "~orders:*", "+xreadgroup", "+xack", "(%R~audit:* +xrange)")
	if err := admin.Do(ctx, "ACL", "SAVE").Err(); err != nil {
		t.Fatal(err)
	}
	saved := toStrings(admin.Do(ctx, "ACL", "LIST").Val())
	data, _ := os.ReadFile(file)
	eq(t, "file", string(data), strings.Join(saved, "\n")+"\n")

	// A broken file changes nothing.
	os.WriteFile(file, []byte("user producer on +nosuch\n"), 0o644)
	wantErr(t, admin.Do(ctx, "ACL", "LOAD").Err(), "ERR "+file+":1: Error in applying operation '+nosuch': Unknown command or category name in ACL. "+
		"WARNING: ACL errors detected, no change to the previously active ACL rules was performed")
	eq(t, "after a failed LOAD", strings.Join(toStrings(admin.Do(ctx, "ACL", "LIST").Val()), "\n"), strings.Join(saved, "\n"))

	// LOAD of a file without consumer closes consumer's connections.
	consumer := userClient(t, addr, "consumer", "cpw", 2)
	if err := consumer.Do(ctx, "AUTH", "consumer", "cpw").Err(); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(file, []byte(saved[1]+"\n"+saved[2]+"\n"), 0o644)
	if err := admin.Do(ctx, "ACL", "LOAD").Err(); err != nil {
		t.Fatal(err)
	}
	if err := consumer.Do(ctx, "AUTH", "consumer", "cpw").Err(); err == nil {
		t.Fatal("a deleted user's connection survived ACL LOAD")
	}
	// Save it back, restart, and the users are as saved.
	os.WriteFile(file, []byte(strings.Join(saved, "\n")+"\n"), 0o644)
	admin.Do(ctx, "ACL", "LOAD")
	stop()
	addr, _ = testserver.StartConfig(t, cfg)
	admin = userClient(t, addr, "default", "adminpw", 2)
	eq(t, "after restart", strings.Join(toStrings(admin.Do(ctx, "ACL", "LIST").Val()), "\n"), strings.Join(saved, "\n"))
	if err := userClient(t, addr, "consumer", "cpw", 2).Do(ctx, "AUTH", "consumer", "cpw").Err(); err != nil {
		t.Fatal(err)
	}

	// An ACL file with errors, or one beside requirepass, stops the start.
	os.WriteFile(file, []byte("user x on +nosuch\n"), 0o644)
	if _, err := broker.Open(broker.Config{Dir: t.TempDir(), ACLFile: file}); err == nil || !strings.Contains(err.Error(), "Unknown command") {
		t.Fatalf("start with a broken ACL file: %v", err)
	}
	if _, err := broker.Open(broker.Config{Dir: t.TempDir(), ACLFile: file, RequirePass: "x"}); err == nil || !strings.Contains(err.Error(), "--requirepass and --aclfile") {
		t.Fatalf("start with both: %v", err)
	}
}
