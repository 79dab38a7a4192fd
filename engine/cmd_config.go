package engine

import (
	"errors"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
)

func init() {
	register(&Cmd{Name: "config", Arity: -2, Flags: 0, Group: "server", Since: "2.0.0",
		Summary: "A container for server configuration commands.", Run: configHelp})
	registerSub("config", &Cmd{Name: "get", Arity: -2, Flags: FlagAdmin, Group: "server", Since: "2.0.0",
		Summary: "Returns the effective values of configuration parameters.", Run: configGet})
	registerSub("config", &Cmd{Name: "set", Arity: -3, Flags: FlagAdmin, Group: "server", Since: "2.0.0",
		Summary: "Sets configuration parameters in-flight.", Run: configSet})
	registerSub("config", &Cmd{Name: "resetstat", Arity: 1, Flags: FlagAdmin, Group: "server", Since: "2.0.0",
		Summary: "Resets the server's statistics.", Run: configResetStat})
	registerSub("config", &Cmd{Name: "rewrite", Arity: 1, Flags: FlagAdmin, Group: "server", Since: "2.8.0",
		Summary: "Persists the effective configuration to file.", Run: func(c *Ctx) {
			c.Error("ERR The server is running without a config file")
		}})
}

func configHelp(c *Ctx) {
	replyHelp(c, "CONFIG",
		"GET <pattern>",
		"    Return parameters matching the glob-like <pattern> and their values.",
		"SET <directive> <value>",
		"    Set the configuration <directive> to <value>.",
		"RESETSTAT",
		"    Reset statistics reported by the INFO command.",
		"REWRITE",
		"    Rewrite the configuration file.")
}

// replyHelp writes a HELP reply as Redis's addReplyHelp.
func replyHelp(c *Ctx, name string, lines ...string) {
	c.W.Array(len(lines) + 3)
	c.W.Status(name + " <subcommand> [<arg> [value] [opt] ...]. Subcommands are:")
	for _, l := range lines {
		c.W.Status(l)
	}
	c.W.Status("HELP")
	c.W.Status("    Print this help.")
}

func checkBool(v string) (string, error) {
	switch strings.ToLower(v) {
	case "yes":
		return "yes", nil
	case "no":
		return "no", nil
	}
	return "", errors.New("argument must be 'yes' or 'no'")
}

func checkEnum(vals ...string) func(string) (string, error) {
	return func(v string) (string, error) {
		lv := strings.ToLower(v)
		for _, x := range vals {
			if lv == x {
				return x, nil
			}
		}
		return "", errors.New("argument(s) must be one of the following: " + strings.Join(vals, ", "))
	}
}

func checkAny(v string) (string, error) { return v, nil }

// addGenericParams registers the parameters Redis tools ask for, with
// Redis's defaults where sluice has a meaning for them (or where a tool
// only reads them). New calls it once.
func addGenericParams(cfg *config, databases int) {
	dir, _ := os.Getwd()
	add := func(name, value string, check func(string) (string, error)) {
		if _, ok := cfg.params[name]; ok {
			return
		}
		cfg.add(&param{name: name, value: value, check: check, readOnly: check == nil})
	}
	add("appendonly", "yes", func(v string) (string, error) {
		v, err := checkBool(v)
		if err == nil && v == "no" {
			err = errors.New("sluice always keeps its write-ahead log")
		}
		return v, err
	})
	add("appendfsync", "everysec", checkEnum("everysec", "always", "no"))
	add("appendfilename", "appendonly.aof", nil)
	add("appenddirname", "appendonlydir", nil)
	add("save", "", checkAny)
	add("dbfilename", "dump.rdb", nil)
	add("dir", dir, nil)
	add("maxmemory", "0", checkMemory)
	add("maxmemory-policy", "noeviction", checkEnum("volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl",
		"allkeys-lru", "allkeys-lfu", "allkeys-random", "noeviction"))
	add("maxmemory-samples", "5", checkInt(1, 64))
	add("requirepass", "", nil)
	add("port", "6379", nil)
	add("bind", "127.0.0.1", nil)
	add("timeout", "0", checkInt(0, 1<<31-1))
	add("tcp-keepalive", "300", checkInt(0, 1<<31-1))
	add("maxclients", "10000", checkInt(1, 1<<31-1))
	add("hz", "10", checkInt(0, 1<<31-1))
	add("loglevel", "notice", checkEnum("debug", "verbose", "notice", "warning", "nothing"))
	add("logfile", "", nil)
	add("daemonize", "no", nil)
	add("protected-mode", "no", checkBool)
	add("notify-keyspace-events", "", checkAny)
	add("slowlog-log-slower-than", "10000", checkInt(-1, 1<<62))
	add("slowlog-max-len", "128", checkInt(0, 1<<62))
	add("latency-monitor-threshold", "0", checkInt(0, 1<<62))
	add("lazyfree-lazy-eviction", "no", checkBool)
	add("lazyfree-lazy-expire", "no", checkBool)
	add("lazyfree-lazy-server-del", "no", checkBool)
	add("lazyfree-lazy-user-del", "no", checkBool)
	add("lazyfree-lazy-user-flush", "no", checkBool)
	add("proto-max-bulk-len", "536870912", checkMemoryBetween(1<<20, math.MaxInt64))
	add("client-query-buffer-limit", "1073741824", checkMemoryBetween(1<<20, math.MaxInt64))
	add("cluster-enabled", "no", nil)
	add("replica-read-only", "yes", checkBool)
	add("io-threads", "1", nil)
	add("busy-reply-threshold", "5000", checkInt(0, 1<<62))
	add("lua-time-limit", "5000", checkInt(0, 1<<62))
	add("enable-debug-command", "no", nil)
	add("active-expire-effort", "1", checkInt(1, 10))
	add("activerehashing", "yes", checkBool)
	if p, ok := cfg.params["databases"]; ok && databases > 0 {
		p.value = strconv.Itoa(databases)
		cfg.ints["databases"] = int64(databases)
	}
}

// ConfigParam lets the embedder give a parameter its real value and a
// hook: CONFIG GET shows value; CONFIG SET validates the new value as the
// parameter's type requires, then calls set (nil = immutable), and stores
// the value if set returns nil. An error from set is shown as
// "ERR CONFIG SET failed (possibly related to argument 'name') - <err>".
// The broker uses it for requirepass, appendfsync, dir, port. set runs
// under the engine lock: it must not call Engine methods that lock.
func (e *Engine) ConfigParam(name, value string, set func(v string) error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	name = strings.ToLower(name)
	p := &param{name: name, value: value, readOnly: set == nil, check: checkAny}
	if old, ok := e.cfg.params[name]; ok && old.check != nil {
		p.check = old.check
	}
	e.cfg.add(p)
	g := e.gen()
	if g.paramHooks == nil {
		g.paramHooks = map[string]func(string) error{}
	}
	g.paramHooks[name] = set
}

// ConfigGet returns a parameter's value (for the embedder).
func (e *Engine) ConfigGet(name string) (string, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.cfg.get(name)
}

// CONFIG GET parameter [parameter ...]
func configGet(c *Ctx) {
	seen := map[string]bool{}
	var out []*param
	for _, pat := range c.Args[2:] {
		for _, p := range c.e.cfg.match(string(pat)) {
			if !seen[p.name] {
				seen[p.name] = true
				out = append(out, p)
			}
		}
	}
	c.W.Map(len(out))
	for _, p := range out {
		c.W.BulkString(p.name)
		c.W.BulkString(p.value)
	}
}

// CONFIG SET parameter value [parameter value ...]
func configSet(c *Ctx) {
	args := c.Args[2:]
	if len(args)%2 != 0 {
		c.ArgErr()
		return
	}
	failed := func(name, why string) {
		c.Error("ERR CONFIG SET failed (possibly related to argument '" + name + "') - " + why)
	}
	seen := map[string]bool{}
	type change struct {
		p     *param
		value string
	}
	var changes []change
	for i := 0; i < len(args); i += 2 {
		name := strings.ToLower(string(args[i]))
		p, ok := c.e.cfg.params[name]
		if !ok {
			c.Error("ERR Unknown option or number of arguments for CONFIG SET - '" + string(args[i]) + "'")
			return
		}
		if p.readOnly {
			failed(name, "can't set immutable config")
			return
		}
		if seen[name] {
			failed(name, "duplicate parameter")
			return
		}
		seen[name] = true
		changes = append(changes, change{p, string(args[i+1])})
	}
	// Validate every value before changing any, as Redis does.
	for i, ch := range changes {
		if ch.p.check == nil {
			continue
		}
		v, err := ch.p.check(ch.value)
		if err != nil {
			failed(ch.p.name, err.Error())
			return
		}
		changes[i].value = v
	}
	hooks := c.e.gen().paramHooks
	for _, ch := range changes {
		if hook := hooks[ch.p.name]; hook != nil {
			if err := hook(ch.value); err != nil {
				failed(ch.p.name, err.Error())
				return
			}
		}
		if err := c.e.cfg.set(ch.p.name, ch.value); err != nil {
			failed(ch.p.name, err.Error())
			return
		}
		if slices.Contains(persistedConfig, ch.p.name) {
			// Replay must run later commands with the value they ran
			// with (an IDMP stream created now keeps this maxsize).
			c.logAlways = true
		}
	}
	c.W.Status("OK")
}

// CONFIG RESETSTAT
func configResetStat(c *Ctx) {
	c.e.resetStatsLocked()
	c.W.Status("OK")
}

// resetStatsLocked is ResetStats for a caller holding the lock.
func (e *Engine) resetStatsLocked() {
	for _, cmd := range table {
		cmd.calls, cmd.usec, cmd.failed = 0, 0, 0
		for _, s := range cmd.Subs {
			s.calls, s.usec, s.failed = 0, 0, 0
		}
	}
	e.stats.init()
	e.gen().expiredKeys = 0
}
