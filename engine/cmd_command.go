package engine

import (
	"sort"
	"strings"
	"sync"
)

func init() {
	register(&Cmd{Name: "command", Arity: -1, Flags: 0, Group: "server", Since: "2.8.13",
		Summary: "Returns detailed information about all commands.", Run: commandAll})
	registerSub("command", &Cmd{Name: "count", Arity: 1, Group: "server", Since: "2.8.13",
		Summary: "Returns a count of commands.", Run: func(c *Ctx) { c.W.Int(int64(len(table))) }})
	registerSub("command", &Cmd{Name: "info", Arity: -1, Group: "server", Since: "2.8.13",
		Summary: "Returns information about one, multiple or all commands.", Run: commandInfo})
	registerSub("command", &Cmd{Name: "docs", Arity: -1, Group: "server", Since: "7.0.0",
		Summary: "Returns documentary information about one, multiple or all commands.", Run: commandDocs})
	registerSub("command", &Cmd{Name: "list", Arity: -1, Group: "server", Since: "7.0.0",
		Summary: "Returns a list of command names.", Run: commandList})
	registerSub("command", &Cmd{Name: "getkeys", Arity: -2, Group: "server", Since: "2.8.13",
		Summary: "Extracts the key names from an arbitrary command.", Run: commandGetKeys})
}

// sortedNames returns the table's names in order.
func sortedNames(m map[string]*Cmd) []string {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// COMMAND (all), COMMAND HELP
func commandAll(c *Ctx) {
	if len(c.Args) >= 2 { // HELP
		replyHelp(c, "COMMAND",
			"(no subcommand)",
			"    Return details about all commands.",
			"COUNT",
			"    Return the total number of commands in this server.",
			"LIST",
			"    Return a list of all commands in this server.",
			"INFO [<command-name> ...]",
			"    Return details about multiple commands.",
			"    If no command names are given, documentation details for all",
			"    commands are returned.",
			"DOCS [<command-name> ...]",
			"    Return documentation details about multiple commands.",
			"    If no command names are given, documentation details for all",
			"    commands are returned.",
			"GETKEYS <full-command>",
			"    Return the keys from a full command.")
		return
	}
	names := sortedNames(table)
	c.W.Array(len(names))
	for _, n := range names {
		replyCommandInfo(c.W, n, table[n], false)
	}
}

// lookupFull finds "name" or "container|sub".
func lookupFull(name string) (*Cmd, string, bool) {
	name = strings.ToLower(name)
	parent, sub, isSub := strings.Cut(name, "|")
	cmd := table[parent]
	if cmd == nil {
		return nil, "", false
	}
	if !isSub {
		return cmd, name, false
	}
	s := cmd.Subs[sub]
	if s == nil {
		return nil, "", false
	}
	return s, name, true
}

// COMMAND INFO [command-name ...]
func commandInfo(c *Ctx) {
	if len(c.Args) == 2 {
		commandAll(&Ctx{e: c.e, cl: c.cl, cmd: c.cmd, db: c.db, Args: c.Args[:1], W: c.W, Now: c.Now})
		return
	}
	c.W.Array(len(c.Args) - 2)
	for _, a := range c.Args[2:] {
		cmd, name, sub := lookupFull(string(a))
		if cmd == nil {
			c.W.NullArray()
			continue
		}
		replyCommandInfo(c.W, name, cmd, sub)
	}
}

// cmdArity renders a subcommand's arity as Redis counts it (from the
// container's name).
func cmdArity(cmd *Cmd, sub bool) int64 {
	a := int64(cmd.Arity)
	if sub {
		if a > 0 {
			a++
		} else {
			a--
		}
	}
	return a
}

// denyOOM lists write commands that do not add data (Redis does not mark
// them denyoom).
var noDenyOOM = map[string]bool{"del": true, "unlink": true, "persist": true, "expire": true, "pexpire": true,
	"expireat": true, "pexpireat": true, "getdel": true, "xdel": true, "xtrim": true, "xack": true, "xackdel": true,
	"xdelex": true, "flushdb": true, "flushall": true, "swapdb": true, "rename": true, "renamenx": true, "getex": true,
	"xnack": true, "function|flush": true, "xgroup|destroy": true, "xgroup|delconsumer": true, "xgroup|setid": true}

// dangerous lists the commands Redis puts in the @dangerous category
// beyond the admin ones.
var dangerous = map[string]bool{"flushall": true, "flushdb": true, "keys": true, "swapdb": true, "info": true,
	"client|kill": true, "client|list": true, "debug": true}

// keyspaceCmds are server commands in the @keyspace category.
var keyspaceCmds = map[string]bool{"dbsize": true, "flushall": true, "flushdb": true, "swapdb": true}

// flagWords renders a command's flags as Redis's COMMAND words, in
// Redis's order.
func flagWords(name string, cmd *Cmd) []string {
	if cmd.Subs != nil && name != "command" { // a container has no flags of its own
		return nil
	}
	var w []string
	if cmd.Has(FlagWrite) {
		w = append(w, "write")
	}
	if cmd.Has(FlagReadOnly) {
		w = append(w, "readonly")
	}
	if cmd.Has(FlagWrite) && !noDenyOOM[name] {
		w = append(w, "denyoom")
	}
	if cmd.Has(FlagAdmin) {
		w = append(w, "admin")
	}
	if cmd.Has(FlagNoScript) || cmd.Has(FlagAdmin) || cmd.Has(FlagConn) {
		w = append(w, "noscript")
	}
	if cmd.Has(FlagBlocking) {
		w = append(w, "blocking")
	}
	if !cmd.Has(FlagWrite) && !cmd.Has(FlagReadOnly) && name != "ping" &&
		(cmd.Has(FlagAdmin) || cmd.Has(FlagConn) || cmd.Group == "connection" || cmd.Group == "server" || cmd.Group == "transactions") {
		w = append(w, "loading", "stale")
	}
	if cmd.Has(FlagFast) {
		w = append(w, "fast")
	}
	if cmd.Has(FlagNoAuth) {
		w = append(w, "no_auth")
	}
	if cmd.Has(FlagNoMulti) {
		w = append(w, "no_multi")
	}
	if cmd.Keys != nil {
		w = append(w, "movablekeys")
	}
	return w
}

// aclCategories renders a command's ACL categories in Redis's order.
func aclCategories(name string, cmd *Cmd) []string {
	var w []string
	if cmd.Subs != nil && name != "command" {
		return []string{"@slow"}
	}
	if cmd.Group == "generic" || keyspaceCmds[name] {
		w = append(w, "@keyspace")
	}
	if cmd.Has(FlagReadOnly) {
		w = append(w, "@read")
	}
	if cmd.Has(FlagWrite) {
		w = append(w, "@write")
	}
	switch cmd.Group {
	case "string":
		w = append(w, "@string")
	case "stream":
		w = append(w, "@stream")
	}
	if cmd.Has(FlagAdmin) {
		w = append(w, "@admin")
	}
	if cmd.Has(FlagFast) {
		w = append(w, "@fast")
	} else {
		w = append(w, "@slow")
	}
	if cmd.Has(FlagBlocking) {
		w = append(w, "@blocking")
	}
	if cmd.Has(FlagAdmin) || dangerous[name] {
		w = append(w, "@dangerous")
	}
	switch {
	case cmd.Group == "connection", strings.HasPrefix(name, "command"):
		w = append(w, "@connection")
	case cmd.Group == "transactions":
		w = append(w, "@transaction")
	case cmd.Group == "scripting":
		w = append(w, "@scripting")
	}
	return w
}

// replyCommandInfo writes one COMMAND INFO entry (Redis 7 shape).
func replyCommandInfo(w Reply, name string, cmd *Cmd, sub bool) {
	w.Array(10)
	w.BulkString(name)
	w.Int(cmdArity(cmd, sub))
	flags := flagWords(name, cmd)
	w.Set(len(flags))
	for _, f := range flags {
		w.Status(f)
	}
	first, last, step := int64(cmd.FirstKey), int64(cmd.LastKey), int64(cmd.Step)
	if cmd.Keys != nil {
		first, last, step = 0, 0, 0
	}
	w.Int(first)
	w.Int(last)
	w.Int(step)
	cats := aclCategories(name, cmd)
	w.Set(len(cats))
	for _, c := range cats {
		w.Status(c)
	}
	w.Set(0) // tips
	replyKeySpecs(w, name, cmd)
	names := sortedNames(cmd.Subs)
	if len(names) == 0 {
		w.Set(0)
		return
	}
	w.Array(len(names))
	for _, n := range names {
		replyCommandInfo(w, name+"|"+n, cmd.Subs[n], true)
	}
}

// replyKeySpecs writes the key specifications of a command.
func replyKeySpecs(w Reply, name string, cmd *Cmd) {
	if cmd.FirstKey <= 0 && cmd.Keys == nil {
		w.Set(0)
		return
	}
	w.Set(1)
	w.Map(3)
	w.BulkString("flags")
	w.Set(2)
	switch {
	case name == "del" || name == "unlink" || name == "getdel":
		w.Status("RM")
		w.Status("delete")
	case cmd.Has(FlagWrite):
		w.Status("RW")
		w.Status("update")
	default:
		w.Status("RO")
		w.Status("access")
	}
	w.BulkString("begin_search")
	if cmd.Keys != nil {
		w.Map(2)
		w.BulkString("type")
		w.BulkString("keyword")
		w.BulkString("spec")
		w.Map(2)
		w.BulkString("keyword")
		w.BulkString("STREAMS")
		w.BulkString("startfrom")
		w.Int(1)
		w.BulkString("find_keys")
		w.Map(2)
		w.BulkString("type")
		w.BulkString("range")
		w.BulkString("spec")
		w.Map(3)
		w.BulkString("lastkey")
		w.Int(-1)
		w.BulkString("keystep")
		w.Int(1)
		w.BulkString("limit")
		w.Int(2)
		return
	}
	w.Map(2)
	w.BulkString("type")
	w.BulkString("index")
	w.BulkString("spec")
	w.Map(1)
	w.BulkString("index")
	w.Int(int64(cmd.FirstKey))
	w.BulkString("find_keys")
	w.Map(2)
	w.BulkString("type")
	w.BulkString("range")
	w.BulkString("spec")
	w.Map(3)
	last := int64(cmd.LastKey)
	if last >= 0 {
		last -= int64(cmd.FirstKey)
	}
	w.BulkString("lastkey")
	w.Int(last)
	w.BulkString("keystep")
	w.Int(int64(max(cmd.Step, 1)))
	w.BulkString("limit")
	w.Int(0)
}

// COMMAND DOCS [command-name ...]
func commandDocs(c *Ctx) {
	type entry struct {
		name string
		cmd  *Cmd
	}
	var list []entry
	if len(c.Args) == 2 {
		for _, n := range sortedNames(table) {
			list = append(list, entry{n, table[n]})
		}
	} else {
		for _, a := range c.Args[2:] {
			if cmd, name, _ := lookupFull(string(a)); cmd != nil {
				list = append(list, entry{name, cmd})
			}
		}
	}
	c.W.Map(len(list))
	for _, e := range list {
		c.W.BulkString(e.name)
		replyCommandDoc(c.W, e.name, e.cmd)
	}
}

// replyCommandDoc writes one command's documentation map.
func replyCommandDoc(w Reply, name string, cmd *Cmd) {
	args := commandArgs(name)
	n := 4
	if len(args) > 0 {
		n++
	}
	if len(cmd.Subs) > 0 {
		n++
	}
	w.Map(n)
	w.BulkString("summary")
	w.BulkString(cmd.Summary)
	w.BulkString("since")
	w.BulkString(cmd.Since)
	w.BulkString("group")
	group := cmd.Group
	if group == "" {
		group = "server"
	}
	w.BulkString(group)
	w.BulkString("complexity")
	w.BulkString(complexity(name, cmd))
	if len(args) > 0 {
		w.BulkString("arguments")
		replyArgs(w, args)
	}
	if len(cmd.Subs) > 0 {
		w.BulkString("subcommands")
		names := sortedNames(cmd.Subs)
		w.Map(len(names))
		for _, s := range names {
			full := name + "|" + s
			w.BulkString(full)
			replyCommandDoc(w, full, cmd.Subs[s])
		}
	}
}

func complexity(name string, cmd *Cmd) string {
	switch name {
	case "keys", "flushdb", "flushall", "command", "command|info", "command|docs", "command|list", "info", "mget", "mset", "msetnx",
		"del", "unlink", "exists", "touch", "config|get", "xrange", "xrevrange", "xread":
		return "O(N)"
	}
	if cmd.Has(FlagFast) {
		return "O(1)"
	}
	return "O(N)"
}

// COMMAND LIST [FILTERBY MODULE name | ACLCAT category | PATTERN pattern]
func commandList(c *Ctx) {
	var filter func(name string, cmd *Cmd) bool
	switch {
	case len(c.Args) == 2:
	case len(c.Args) == 5 && Equal(c.Args[2], "filterby"):
		v := string(c.Args[4])
		switch {
		case Equal(c.Args[3], "module"):
			filter = func(string, *Cmd) bool { return false }
		case Equal(c.Args[3], "aclcat"):
			filter = func(name string, cmd *Cmd) bool {
				for _, cat := range aclCategories(name, cmd) {
					if strings.EqualFold(cat[1:], v) {
						return true
					}
				}
				return false
			}
		case Equal(c.Args[3], "pattern"):
			filter = func(name string, _ *Cmd) bool { return GlobMatch([]byte(strings.ToLower(v)), []byte(name)) }
		default:
			c.Error(ErrSyntax)
			return
		}
	default:
		c.Error(ErrSyntax)
		return
	}
	var out []string
	for _, n := range sortedNames(table) {
		cmd := table[n]
		if filter == nil || filter(n, cmd) {
			out = append(out, n)
		}
		for _, s := range sortedNames(cmd.Subs) {
			full := n + "|" + s
			if filter == nil || filter(full, cmd.Subs[s]) {
				out = append(out, full)
			}
		}
	}
	c.W.Array(len(out))
	for _, n := range out {
		c.W.BulkString(n)
	}
}

// COMMAND GETKEYS command [arg ...]
func commandGetKeys(c *Ctx) {
	args := c.Args[2:]
	cmd := Lookup(args[0])
	if cmd == nil {
		c.Error("ERR Invalid command specified")
		return
	}
	if cmd.Subs != nil && len(args) >= 2 {
		if s := cmd.Sub(args[1]); s != nil {
			if !arityOK(s.Arity, len(args)-1) {
				c.Error("ERR Invalid number of arguments specified for command")
				return
			}
			cmd = s
		}
	} else if !arityOK(cmd.Arity, len(args)) {
		c.Error("ERR Invalid number of arguments specified for command")
		return
	}
	idx := cmd.KeyIndexes(args)
	if len(idx) == 0 {
		c.Error("ERR The command has no key arguments")
		return
	}
	c.W.Array(len(idx))
	for _, i := range idx {
		c.W.Bulk(args[i])
	}
}

// cmdSyntax is each command's argument syntax, from which COMMAND DOCS
// builds Redis's argument trees (redis-cli draws its hints from them).
// Notation: [optional], (group), a|b (one of), x... (multiple); a word
// without lower-case letters is a pure token; TOKEN=arg is an argument
// introduced by a token; type prefixes key:, int:, dbl:, pat:, time:.
var cmdSyntax = map[string]string{
	"append": "key:key value", "auth": "[username] password", "bgsave": "[SCHEDULE]", "bgrewriteaof": "",
	"copy": "key:source key:destination [DB=int:destination-db] [REPLACE]",
	"decr": "key:key", "decrby": "key:key int:decrement", "del": "key:key...", "echo": "message",
	"exists": "key:key...", "touch": "key:key...", "unlink": "key:key...", "watch": "key:key...",
	"expire":     "key:key int:seconds [NX|XX|GT|LT]",
	"pexpire":    "key:key int:milliseconds [NX|XX|GT|LT]",
	"expireat":   "key:key time:unix-time-seconds [NX|XX|GT|LT]",
	"pexpireat":  "key:key time:unix-time-milliseconds [NX|XX|GT|LT]",
	"expiretime": "key:key", "pexpiretime": "key:key", "ttl": "key:key", "pttl": "key:key", "persist": "key:key",
	"type": "key:key", "get": "key:key", "getdel": "key:key", "strlen": "key:key", "incr": "key:key",
	"flushall": "[ASYNC|SYNC]", "flushdb": "[ASYNC|SYNC]",
	"getex":  "key:key [EX=int:seconds|PX=int:milliseconds|EXAT=time:unix-time-seconds|PXAT=time:unix-time-milliseconds|PERSIST]",
	"getset": "key:key value",
	"hello":  "[int:protover [AUTH=username password] [SETNAME=clientname]]",
	"incrby": "key:key int:increment",
	"info":   "[section...]",
	"keys":   "pat:pattern",
	"mget":   "key:key...", "mset": "(key:key value)...", "msetnx": "(key:key value)...",
	"ping":   "[message]",
	"psetex": "key:key int:milliseconds value", "setex": "key:key int:seconds value", "setnx": "key:key value",
	"rename": "key:key key:newkey", "renamenx": "key:key key:newkey",
	"scan":      "int:cursor [MATCH=pat:pattern] [COUNT=int:count] [TYPE=type]",
	"select":    "int:index",
	"set":       "key:key value [NX|XX] [GET] [EX=int:seconds|PX=int:milliseconds|EXAT=time:unix-time-seconds|PXAT=time:unix-time-milliseconds|KEEPTTL]",
	"swapdb":    "int:index1 int:index2",
	"client|id": "", "client|getname": "", "client|setname": "connection-name",
	"client|setinfo":  "LIB-NAME=libname|LIB-VER=libver",
	"client|kill":     "(ip:port|([ID=int:client-id] [TYPE=type] [USER=username] [ADDR=ip:port] [LADDR=ip:port] [SKIPME=yes/no] [MAXAGE=int:maxage])...)",
	"client|list":     "[TYPE=type] [ID=int:client-id...]",
	"client|no-evict": "ON|OFF", "client|no-touch": "ON|OFF", "client|reply": "ON|OFF|SKIP",
	"config|get": "pat:parameter...", "config|set": "(parameter value)...",
	"command|docs": "[command-name...]", "command|info": "[command-name...]",
	"command|list":    "[FILTERBY=(MODULE=module-name|ACLCAT=category|PATTERN=pat:pattern)]",
	"command|getkeys": "command [arg...]",
	"object|encoding": "key:key", "object|freq": "key:key", "object|idletime": "key:key", "object|refcount": "key:key",
	"memory|usage":   "key:key [SAMPLES=int:count]",
	"function|flush": "[ASYNC|SYNC]", "script|flush": "[ASYNC|SYNC]",
	"debug":                 "subcommand [arg...]",
	"xack":                  "key:key group id...",
	"xackdel":               "key:key group [KEEPREF|DELREF|ACKED] IDS=int:numids id...",
	"xadd":                  "key:key [NOMKSTREAM] [KEEPREF|DELREF|ACKED] [(MAXLEN|MINID) [=|~] threshold [LIMIT=int:count]] *|id (field value)...",
	"xautoclaim":            "key:key group consumer int:min-idle-time start [COUNT=int:count] [JUSTID]",
	"xclaim":                "key:key group consumer int:min-idle-time id... [IDLE=int:ms] [TIME=time:unix-time-milliseconds] [RETRYCOUNT=int:count] [FORCE] [JUSTID] [LASTID=lastid]",
	"xdel":                  "key:key id...",
	"xdelex":                "key:key [KEEPREF|DELREF|ACKED] IDS=int:numids id...",
	"xgroup|create":         "key:key group id|$ [MKSTREAM] [ENTRIESREAD=int:entries-read]",
	"xgroup|createconsumer": "key:key group consumer", "xgroup|delconsumer": "key:key group consumer",
	"xgroup|destroy": "key:key group", "xgroup|setid": "key:key group id|$ [ENTRIESREAD=int:entries-read]",
	"xinfo|stream": "key:key [FULL [COUNT=int:count]]", "xinfo|groups": "key:key", "xinfo|consumers": "key:key group",
	"xlen":       "key:key",
	"xpending":   "key:key group [[IDLE=int:min-idle-time] start end int:count [consumer]]",
	"xrange":     "key:key start end [COUNT=int:count]",
	"xrevrange":  "key:key end start [COUNT=int:count]",
	"xread":      "[COUNT=int:count] [BLOCK=int:milliseconds] STREAMS key:key... id...",
	"xreadgroup": "GROUP group consumer [COUNT=int:count] [BLOCK=int:milliseconds] [CLAIM=int:min-idle-time] [NOACK] STREAMS key:key... id...",
	"xsetid":     "key:key last-id [ENTRIESADDED=int:entries-added] [MAXDELETEDID=max-deleted-id]",
	"xtrim":      "key:key (MAXLEN|MINID) [=|~] threshold [LIMIT=int:count] [KEEPREF|DELREF|ACKED]",
}

// cmdArg is one node of a command's argument tree.
type cmdArg struct {
	name, typ, token string
	optional, multi  bool
	sub              []*cmdArg
}

var (
	parsedMu   sync.Mutex // engines in one process share the cache
	parsedArgs = map[string][]*cmdArg{}
)

// commandArgs returns the argument tree of a command ("name" or
// "container|sub"), nil when unknown.
func commandArgs(name string) []*cmdArg {
	parsedMu.Lock()
	defer parsedMu.Unlock()
	if a, ok := parsedArgs[name]; ok {
		return a
	}
	s, ok := cmdSyntax[name]
	if !ok {
		return nil
	}
	p := &syntaxParser{toks: tokenizeSyntax(s)}
	a := p.seq("")
	parsedArgs[name] = a
	return a
}

func tokenizeSyntax(s string) []string {
	var out []string
	cur := ""
	flush := func() {
		if cur != "" {
			out = append(out, cur)
			cur = ""
		}
	}
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case ch == ' ':
			flush()
		case ch == '[' || ch == ']' || ch == '(' || ch == ')' || ch == '|':
			if ch == '(' && strings.HasSuffix(cur, "=") { // TOKEN=( ... )
				out = append(out, cur)
				cur = ""
				out = append(out, "(")
				continue
			}
			flush()
			out = append(out, string(ch))
		case ch == '.' && strings.HasPrefix(s[i:], "..."):
			flush()
			out = append(out, "...")
			i += 2
		default:
			cur += string(ch)
		}
	}
	flush()
	return out
}

type syntaxParser struct {
	toks []string
	pos  int
	n    int
}

// seq parses items until end (a closing bracket or the end), handling |
// alternatives at this level.
func (p *syntaxParser) seq(end string) []*cmdArg {
	var alts [][]*cmdArg
	var cur []*cmdArg
	for p.pos < len(p.toks) {
		t := p.toks[p.pos]
		if t == end {
			p.pos++
			break
		}
		p.pos++
		var a *cmdArg
		switch {
		case t == "|":
			alts = append(alts, cur)
			cur = nil
			continue
		case t == "...":
			if len(cur) > 0 {
				cur[len(cur)-1].multi = true
			}
			continue
		case t == "[":
			a = p.group(p.seq("]"))
			a.optional = true
		case t == "(":
			a = p.group(p.seq(")"))
		case strings.HasSuffix(t, "=") && p.pos < len(p.toks) && p.toks[p.pos] == "(":
			p.pos++
			a = p.group(p.seq(")"))
			a.token = strings.TrimSuffix(t, "=")
		default:
			a = leafArg(t)
		}
		cur = append(cur, a)
	}
	if alts == nil {
		return cur
	}
	alts = append(alts, cur)
	one := &cmdArg{typ: "oneof"}
	for _, alt := range alts {
		one.sub = append(one.sub, p.group(alt))
	}
	p.n++
	one.name = "arg" + itoa(int64(p.n))
	return []*cmdArg{one}
}

// group turns a parsed sequence into one argument (itself, or a block).
func (p *syntaxParser) group(items []*cmdArg) *cmdArg {
	if len(items) == 1 {
		return items[0]
	}
	p.n++
	return &cmdArg{name: "block" + itoa(int64(p.n)), typ: "block", sub: items}
}

func leafArg(t string) *cmdArg {
	token := ""
	if i := strings.Index(t, "="); i > 0 && i < len(t)-1 {
		token, t = t[:i], t[i+1:]
	}
	if token == "" && !strings.ContainsAny(t, "abcdefghijklmnopqrstuvwxyz") {
		name := strings.ToLower(t)
		switch t {
		case "=":
			name = "equal"
		case "~":
			name = "approximately"
		case "*":
			name = "auto-id"
		case "$":
			name = "last-id"
		}
		return &cmdArg{name: name, typ: "pure-token", token: t}
	}
	typ := "string"
	if i := strings.Index(t, ":"); i > 0 {
		switch t[:i] {
		case "key":
			typ = "key"
		case "int":
			typ = "integer"
		case "dbl":
			typ = "double"
		case "pat":
			typ = "pattern"
		case "time":
			typ = "unix-time"
		}
		if typ != "string" {
			t = t[i+1:]
		}
	}
	return &cmdArg{name: t, typ: typ, token: token}
}

// replyArgs writes an argument tree as COMMAND DOCS does.
func replyArgs(w Reply, args []*cmdArg) {
	w.Array(len(args))
	for _, a := range args {
		n := 2
		if a.typ == "key" {
			n++
		}
		if a.token != "" {
			n++
		}
		if a.optional || a.multi {
			n++
		}
		if len(a.sub) > 0 {
			n++
		}
		w.Map(n)
		w.BulkString("name")
		w.BulkString(a.name)
		w.BulkString("type")
		w.BulkString(a.typ)
		if a.typ == "key" {
			w.BulkString("key_spec_index")
			w.Int(0)
		}
		if a.token != "" {
			w.BulkString("token")
			w.BulkString(a.token)
		}
		if a.optional || a.multi {
			w.BulkString("flags")
			var f []string
			if a.optional {
				f = append(f, "optional")
			}
			if a.multi {
				f = append(f, "multiple")
			}
			w.Set(len(f))
			for _, x := range f {
				w.Status(x)
			}
		}
		if len(a.sub) > 0 {
			w.BulkString("arguments")
			replyArgs(w, a.sub)
		}
	}
}
