package engine

import (
	"strings"
	"time"
)

// Flag describes a command as Redis's command table does.
type Flag uint32

const (
	FlagWrite Flag = 1 << iota
	FlagReadOnly
	FlagBlocking
	FlagFast
	FlagAdmin
	FlagNoAuth   // allowed before AUTH
	FlagNoMulti  // refused inside MULTI
	FlagConn     // served by the protocol layer (HELLO, AUTH, CLIENT, MULTI...)
	FlagNoScript // reported in COMMAND only
	// FlagNoWake: the command's changes never make a blocked read
	// servable (acks, claims, reads, deletions), so it wakes nobody. A
	// blocked XREADGROUP that finds nothing still records its consumer's
	// seen time, and must not wake itself and every other waiter.
	FlagNoWake
)

// Cmd is one entry of the command table. Key positions follow COMMAND INFO:
// FirstKey, LastKey (negative counts from the end) and Step.
type Cmd struct {
	Name     string // lower case
	Arity    int    // as Redis: negative means at least -Arity
	Flags    Flag
	FirstKey int
	LastKey  int
	Step     int
	Summary  string
	Group    string // "stream", "generic", "string", "server", "connection", "transactions"
	Since    string
	Run      func(c *Ctx)
	// Keys overrides the key positions where they depend on the arguments
	// (XREAD's keys follow STREAMS).
	Keys func(args [][]byte) []int
	// Subs, when set, dispatches on the second argument (XINFO STREAM, ...).
	Subs map[string]*Cmd

	// commandstats, guarded by the engine lock
	calls, usec, failed, rejected int64
}

func (c *Cmd) stat(start time.Time) {
	c.calls++
	c.usec += time.Since(start).Microseconds()
}

var table = map[string]*Cmd{}

// Register adds commands served outside the engine (FlagConn) so that the
// table, arity checks and COMMAND know them.
func Register(cmds ...*Cmd) { register(cmds...) }

// register adds commands to the table; each command file calls it from init.
func register(cmds ...*Cmd) {
	for _, c := range cmds {
		if _, dup := table[c.Name]; dup {
			panic("engine: command registered twice: " + c.Name)
		}
		table[c.Name] = c
	}
}

// registerSub adds a subcommand to a container command (created on first
// use), so each family's file owns its own subcommands.
func registerSub(parent string, sub *Cmd) {
	p, ok := table[parent]
	if !ok {
		panic("engine: no container command " + parent)
	}
	if p.Subs == nil {
		p.Subs = map[string]*Cmd{}
	}
	p.Subs[sub.Name] = sub
}

// Lookup finds a command by name, case-insensitively.
func Lookup(name []byte) *Cmd {
	if c, ok := table[string(name)]; ok {
		return c
	}
	var buf [32]byte
	if len(name) > len(buf) {
		return table[strings.ToLower(string(name))]
	}
	low := buf[:len(name)]
	for i, ch := range name {
		if ch >= 'A' && ch <= 'Z' {
			ch += 'a' - 'A'
		}
		low[i] = ch
	}
	return table[string(low)] // no allocation: the map index converts in place
}

// Commands returns the whole table, for COMMAND.
func Commands() map[string]*Cmd { return table }

// Has reports whether a flag is set.
func (c *Cmd) Has(f Flag) bool { return c.Flags&f != 0 }

// Sub finds a subcommand, case-insensitively.
func (c *Cmd) Sub(name []byte) *Cmd {
	return c.Subs[strings.ToLower(string(name))]
}

// KeyIndexes returns the positions of the key arguments in args.
func (c *Cmd) KeyIndexes(args [][]byte) []int {
	if c.Keys != nil {
		return c.Keys(args)
	}
	if c.FirstKey <= 0 {
		return nil
	}
	last := c.LastKey
	if last < 0 {
		last = len(args) + last
	}
	var idx []int
	step := c.Step
	if step <= 0 {
		step = 1
	}
	for i := c.FirstKey; i <= last && i < len(args); i += step {
		idx = append(idx, i)
	}
	return idx
}
