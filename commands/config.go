package commands

import (
	"errors"
	"math"
	"os"
	"strings"

	"sluice/kernel"
)

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

func checkAny(v string) (string, error) { return v, nil }

// Params are the parameters Redis tools ask for, with Redis's defaults
// where sluice has a meaning for them (or where a tool only reads them).
// Parameters whose values live elsewhere (appendfsync, requirepass, dir,
// port, the protocol limits) are given their real values and hooks by
// the broker. Each call returns fresh values for one engine.
func Params() []*kernel.Param {
	dir, _ := os.Getwd()
	var out []*kernel.Param
	add := func(name, value string, check func(string) (string, error)) {
		out = append(out, &kernel.Param{Name: name, Value: value, Check: check, ReadOnly: check == nil})
	}
	add("appendonly", "yes", func(v string) (string, error) {
		v, err := kernel.CheckBool(v)
		if err == nil && v == "no" {
			err = errors.New("sluice always keeps its write-ahead log")
		}
		return v, err
	})
	add("appendfsync", "everysec", kernel.CheckEnum("everysec", "always", "no"))
	add("appendfilename", "appendonly.aof", nil)
	add("appenddirname", "appendonlydir", nil)
	add("save", "", checkAny)
	add("dbfilename", "dump.rdb", nil)
	add("dir", dir, nil)
	add("maxmemory", "0", kernel.CheckMemory)
	add("maxmemory-policy", "noeviction", func(v string) (string, error) {
		// sluice never evicts: past maxmemory it refuses what adds data.
		if !strings.EqualFold(v, "noeviction") {
			return "", errors.New("sluice never evicts data; the only policy is noeviction")
		}
		return "noeviction", nil
	})
	add("block-cache", "67108864", kernel.CheckMemory) // the broker sets it
	add("maxmemory-samples", "5", kernel.CheckInt(1, 64))
	add("tls-port", "0", nil)
	add("tls-cert-file", "", nil)
	add("tls-key-file", "", nil)
	add("tls-ca-cert-file", "", nil)
	// Changeable once a TLS listener is configured (the broker's hooks).
	out = append(out, &kernel.Param{Name: "tls-auth-clients", Value: "yes", ReadOnly: true, Check: kernel.CheckEnum("yes", "no", "optional")})
	add("requirepass", "", nil)
	add("aclfile", "", nil)
	add("acllog-max-len", "128", kernel.CheckInt(0, math.MaxInt64))
	add("port", "6379", nil)
	add("bind", "127.0.0.1", nil)
	add("timeout", "0", kernel.CheckInt(0, 1<<31-1))
	add("tcp-keepalive", "300", kernel.CheckInt(0, 1<<31-1))
	add("maxclients", "10000", kernel.CheckInt(1, 1<<32-1))
	add("hz", "10", kernel.CheckInt(0, 1<<31-1))
	add("loglevel", "notice", kernel.CheckEnum("debug", "verbose", "notice", "warning", "nothing"))
	add("logfile", "", nil)
	add("daemonize", "no", nil)
	add("protected-mode", "yes", kernel.CheckBool)
	add("notify-keyspace-events", "", checkAny)
	add("slowlog-log-slower-than", "10000", kernel.CheckInt(-1, 1<<62))
	add("slowlog-max-len", "128", kernel.CheckInt(0, 1<<62))
	add("latency-monitor-threshold", "0", kernel.CheckInt(0, 1<<62))
	add("lazyfree-lazy-eviction", "no", kernel.CheckBool)
	add("lazyfree-lazy-expire", "no", kernel.CheckBool)
	add("lazyfree-lazy-server-del", "no", kernel.CheckBool)
	add("lazyfree-lazy-user-del", "no", kernel.CheckBool)
	add("lazyfree-lazy-user-flush", "no", kernel.CheckBool)
	add("proto-max-bulk-len", "536870912", kernel.CheckMemoryBetween(1<<20, math.MaxInt64))
	add("client-query-buffer-limit", "1073741824", kernel.CheckMemoryBetween(1<<20, math.MaxInt64))
	out = append(out, &kernel.Param{Name: "client-output-buffer-limit", Value: DefaultOutputBufferLimit, Update: updateOutputBufferLimit})
	add("cluster-enabled", "no", nil)
	add("replica-read-only", "yes", kernel.CheckBool)
	add("io-threads", "1", nil)
	add("busy-reply-threshold", "5000", kernel.CheckInt(0, 1<<62))
	add("lua-time-limit", "5000", kernel.CheckInt(0, 1<<62))
	add("enable-debug-command", "no", nil)
	add("active-expire-effort", "1", kernel.CheckInt(1, 10))
	add("activerehashing", "yes", kernel.CheckBool)
	return out
}

// CONFIG GET parameter [parameter ...]
func configGet(c *Ctx) {
	seen := map[string]bool{}
	var out []*kernel.Param
	for _, pat := range c.Args[2:] {
		for _, p := range c.Config().Match(string(pat)) {
			if !seen[p.Name] {
				seen[p.Name] = true
				out = append(out, p)
			}
		}
	}
	c.W.Map(len(out))
	for _, p := range out {
		c.W.BulkString(p.Name)
		c.W.BulkString(p.Value)
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
		p     *kernel.Param
		value string
	}
	var changes []change
	for i := 0; i < len(args); i += 2 {
		name := strings.ToLower(string(args[i]))
		p, ok := c.Config().Param(name)
		if !ok {
			c.Error("ERR Unknown option or number of arguments for CONFIG SET - '" + string(args[i]) + "'")
			return
		}
		if p.ReadOnly {
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
		v, err := ch.p.Validate(ch.value)
		if err != nil {
			failed(ch.p.Name, err.Error())
			return
		}
		changes[i].value = v
	}
	names := make([]string, len(changes))
	old := make([]string, len(changes))
	for i, ch := range changes {
		names[i], old[i] = ch.p.Name, ch.p.Value
		if err := setParam(c, ch.p.Name, ch.value); err != nil {
			failed(ch.p.Name, err.Error())
			return
		}
	}
	for _, a := range c.ConfigApplies(names) {
		if err := a.Apply(); err != nil {
			// Put every value back, and apply those, as Redis restores its
			// backup when an apply function fails.
			for i := len(names) - 1; i >= 0; i-- {
				setParam(c, names[i], old[i])
			}
			for _, a := range c.ConfigApplies(names) {
				a.Apply()
			}
			failed(a.Name, err.Error())
			return
		}
	}
	c.W.Status("OK")
}

// setParam gives a parameter a validated value: the embedder's hook
// first, then the stored value.
func setParam(c *Ctx, name, value string) error {
	if hook := c.ConfigHook(name); hook != nil {
		if err := hook(value); err != nil {
			return err
		}
	}
	if kernel.IsPersisted(name) {
		// Replay must run later records with the value they ran with.
		return c.SetConfig(name, value)
	}
	return c.Config().Set(name, value)
}

// CONFIG RESETSTAT
func configResetStat(c *Ctx) {
	c.ResetStats()
	c.W.Status("OK")
}

// CONFIG REWRITE
func configRewrite(c *Ctx) {
	c.Error("ERR The server is running without a config file")
}
