package kernel

import (
	"fmt"
	"strings"
)

// Flag describes a command as Redis's command table does.
type Flag uint32

const (
	Write    Flag = 1 << iota
	ReadOnly      // reads data
	DenyOOM       // may add data: refused past maxmemory
	Admin
	NoAuth   // allowed before AUTH
	NoMulti  // refused inside MULTI
	NoScript // reported in COMMAND only
	Blocking
	Fast
	Loading // allowed while loading (reported only)
	Stale   // allowed on a stale replica (reported only)
	// Conn: served by the protocol layer (HELLO, AUTH, CLIENT, MULTI...),
	// which finds its handler by the command's name; Run is nil.
	Conn
)

// Command is one row of the command table: everything COMMAND, ACL, the
// dispatcher and the documentation need to know of a command.
type Command struct {
	Name  string // lower case; a subcommand's own name ("create")
	Arity int    // as Redis: negative means at least -Arity; a subcommand counts from its name
	Flags Flag
	// Key positions as COMMAND INFO reports them; First 0 means no keys.
	First, Last, Step int
	// Keys overrides the key positions where they depend on the arguments
	// (XREAD's keys follow STREAMS); COMMAND reports it as movablekeys.
	Keys func(args [][]byte) []int
	// ACL are the categories beyond those the flags imply (see
	// Categories), without the '@'.
	ACL        []string
	Group      string // COMMAND DOCS group: "stream", "generic", "string", "server", "connection", "transactions"
	Since      string
	Summary    string
	Complexity string
	// Syntax is the argument syntax COMMAND DOCS renders as Redis's
	// argument tree; its notation is described in commands/syntax.go.
	Syntax string
	Run    func(c *Ctx)
	// Subs are a container's subcommands (XINFO STREAM...). A container's
	// own Run serves HELP.
	Subs []*Command

	parent *Command
	id     int // index into per-engine statistics
	subs   map[string]*Command
}

// FullName is "name" or "parent|name", as Redis names subcommands.
func (c *Command) FullName() string {
	if c.parent != nil {
		return c.parent.Name + "|" + c.Name
	}
	return c.Name
}

// Parent is the container of a subcommand, nil otherwise.
func (c *Command) Parent() *Command { return c.parent }

// ID is the command's position in its table (see Table.All).
func (c *Command) ID() int { return c.id }

// Has reports whether a flag is set.
func (c *Command) Has(f Flag) bool { return c.Flags&f != 0 }

// Sub finds a subcommand, case-insensitively.
func (c *Command) Sub(name []byte) *Command {
	if c.subs == nil {
		return nil
	}
	return c.subs[lower(name)]
}

// KeyIndexes returns the positions of the key arguments in args.
func (c *Command) KeyIndexes(args [][]byte) []int {
	if c.Keys != nil {
		return c.Keys(args)
	}
	if c.First <= 0 {
		return nil
	}
	last := c.Last
	if last < 0 {
		last = len(args) + last
	}
	step := max(c.Step, 1)
	var idx []int
	for i := c.First; i <= last && i < len(args); i += step {
		idx = append(idx, i)
	}
	return idx
}

// Table is the command table, built once from its rows.
type Table struct {
	byName map[string]*Command
	all    []*Command // every command and subcommand, by id
}

// NewTable indexes the given rows. A name given twice is an error.
func NewTable(rows ...[]*Command) (*Table, error) {
	t := &Table{byName: map[string]*Command{}}
	for _, list := range rows {
		for _, c := range list {
			if _, dup := t.byName[c.Name]; dup {
				return nil, fmt.Errorf("kernel: command %q given twice", c.Name)
			}
			t.byName[c.Name] = c
			t.add(c)
			for _, s := range c.Subs {
				if c.subs == nil {
					c.subs = map[string]*Command{}
				}
				if _, dup := c.subs[s.Name]; dup {
					return nil, fmt.Errorf("kernel: subcommand %q|%q given twice", c.Name, s.Name)
				}
				s.parent = c
				c.subs[s.Name] = s
				t.add(s)
			}
		}
	}
	return t, nil
}

func (t *Table) add(c *Command) {
	c.id = len(t.all)
	t.all = append(t.all, c)
}

// All returns every command and subcommand, each at the position of its
// ID. The slice is the table's own: it must not be changed.
func (t *Table) All() []*Command { return t.all }

// Len is the number of top-level commands.
func (t *Table) Len() int { return len(t.byName) }

// Each calls fn for every top-level command, in no particular order.
func (t *Table) Each(fn func(*Command)) {
	for _, c := range t.byName {
		fn(c)
	}
}

// Lookup finds a command by name, case-insensitively.
func (t *Table) Lookup(name []byte) *Command {
	if c, ok := t.byName[string(name)]; ok {
		return c
	}
	var buf [32]byte
	if len(name) > len(buf) {
		return t.byName[strings.ToLower(string(name))]
	}
	low := buf[:len(name)]
	for i, ch := range name {
		if ch >= 'A' && ch <= 'Z' {
			ch += 'a' - 'A'
		}
		low[i] = ch
	}
	return t.byName[string(low)] // no allocation: the map index converts in place
}

// LookupFull finds "name" or "container|sub".
func (t *Table) LookupFull(name string) *Command {
	parent, sub, isSub := strings.Cut(strings.ToLower(name), "|")
	c := t.byName[parent]
	if c == nil || !isSub {
		return c
	}
	return c.subs[sub]
}

// Check finds the command for args and checks its arity. On failure it
// returns Redis's error text and a nil command.
func (t *Table) Check(args [][]byte) (*Command, string) {
	cmd := t.Lookup(args[0])
	if cmd == nil {
		return nil, unknownCommand(args)
	}
	if !ArityOK(cmd.Arity, len(args)) {
		return nil, "ERR wrong number of arguments for '" + cmd.Name + "' command"
	}
	if cmd.subs != nil && len(args) >= 2 {
		sub := cmd.Sub(args[1])
		if sub == nil {
			if Equal(args[1], "help") {
				return cmd, ""
			}
			return nil, "ERR unknown subcommand '" + trunc(string(args[1]), 128) + "'. Try " + strings.ToUpper(cmd.Name) + " HELP."
		}
		if !ArityOK(sub.Arity, len(args)-1) {
			return nil, "ERR wrong number of arguments for '" + cmd.Name + "|" + sub.Name + "' command"
		}
		return sub, ""
	}
	return cmd, ""
}

// ArityOK reports whether n arguments satisfy arity.
func ArityOK(arity, n int) bool {
	return (arity >= 0 && n == arity) || (arity < 0 && n >= -arity)
}

func unknownCommand(args [][]byte) string {
	var b strings.Builder
	b.WriteString("ERR unknown command '")
	b.WriteString(trunc(string(args[0]), 128))
	b.WriteString("', with args beginning with: ")
	for _, a := range args[1:] {
		if b.Len() >= 128+60 {
			break
		}
		b.WriteString("'")
		b.WriteString(trunc(string(a), 128))
		b.WriteString("' ")
	}
	return b.String()
}

func trunc(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

func lower(b []byte) string {
	return strings.ToLower(string(b))
}

// Equal compares an argument with a lower-case keyword.
func Equal(b []byte, kw string) bool {
	if len(b) != len(kw) {
		return false
	}
	for i := range b {
		x := b[i]
		if x >= 'A' && x <= 'Z' {
			x += 'a' - 'A'
		}
		if x != kw[i] {
			return false
		}
	}
	return true
}

// Categories are a command's ACL categories in Redis's order: those its
// flags imply (Redis's setImplicitACLCategories), then its own.
func (c *Command) Categories() []string {
	if len(c.Subs) > 0 && c.Name != "command" {
		return []string{"slow"} // a container: only HELP is its own
	}
	var w []string
	has := func(cat string) bool {
		for _, x := range c.ACL {
			if x == cat {
				return true
			}
		}
		return false
	}
	if has("keyspace") {
		w = append(w, "keyspace")
	}
	if c.Has(ReadOnly) {
		w = append(w, "read")
	}
	if c.Has(Write) {
		w = append(w, "write")
	}
	for _, cat := range []string{"string", "stream"} {
		if has(cat) {
			w = append(w, cat)
		}
	}
	if c.Has(Admin) {
		w = append(w, "admin")
	}
	if c.Has(Fast) {
		w = append(w, "fast")
	} else {
		w = append(w, "slow")
	}
	if c.Has(Blocking) {
		w = append(w, "blocking")
	}
	if c.Has(Admin) || has("dangerous") {
		w = append(w, "dangerous")
	}
	for _, cat := range []string{"connection", "transaction", "scripting"} {
		if has(cat) {
			w = append(w, cat)
		}
	}
	return w
}
