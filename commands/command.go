package commands

import (
	"sort"
	"strings"

	"sluice/kernel"
)

// sorted returns the table's top-level commands in name order.
func sorted(t *kernel.Table) []*kernel.Command {
	var out []*kernel.Command
	t.Each(func(c *kernel.Command) { out = append(out, c) })
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// sortedSubs returns a container's subcommands in name order.
func sortedSubs(cmd *kernel.Command) []*kernel.Command {
	out := append([]*kernel.Command(nil), cmd.Subs...)
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
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
	replyAllInfo(c)
}

func replyAllInfo(c *Ctx) {
	all := sorted(c.Commands())
	c.W.Array(len(all))
	for _, cmd := range all {
		replyCommandInfo(c.W, cmd)
	}
}

// COMMAND COUNT
func commandCount(c *Ctx) { c.W.Int(int64(c.Commands().Len())) }

// COMMAND INFO [command-name ...]
func commandInfo(c *Ctx) {
	if len(c.Args) == 2 {
		replyAllInfo(c)
		return
	}
	c.W.Array(len(c.Args) - 2)
	for _, a := range c.Args[2:] {
		cmd := c.Commands().LookupFull(string(a))
		if cmd == nil {
			c.W.NullArray()
			continue
		}
		replyCommandInfo(c.W, cmd)
	}
}

// arity renders a command's arity as Redis counts it: a subcommand's from
// its container's name.
func arity(cmd *kernel.Command) int64 {
	a := int64(cmd.Arity)
	if cmd.Parent() != nil {
		if a > 0 {
			a++
		} else {
			a--
		}
	}
	return a
}

// isContainer reports whether cmd only groups subcommands; COMMAND gives
// it no flags of its own. (COMMAND itself also answers without one.)
func isContainer(cmd *kernel.Command) bool { return len(cmd.Subs) > 0 && cmd.Name != "command" }

// flagWords renders a command's flags as Redis's COMMAND words, in
// Redis's order.
func flagWords(cmd *kernel.Command) []string {
	if isContainer(cmd) {
		return nil
	}
	var w []string
	for _, f := range []struct {
		flag kernel.Flag
		word string
	}{{kernel.Write, "write"}, {kernel.ReadOnly, "readonly"}, {kernel.DenyOOM, "denyoom"}, {kernel.Admin, "admin"},
		{kernel.NoScript, "noscript"}, {kernel.Blocking, "blocking"}, {kernel.Loading, "loading"}, {kernel.Stale, "stale"},
		{kernel.Fast, "fast"}, {kernel.NoAuth, "no_auth"}, {kernel.NoMulti, "no_multi"}} {
		if cmd.Has(f.flag) {
			w = append(w, f.word)
		}
	}
	if cmd.Keys != nil {
		w = append(w, "movablekeys")
	}
	return w
}

// replyCommandInfo writes one COMMAND INFO entry (Redis 7 shape).
func replyCommandInfo(w Reply, cmd *kernel.Command) {
	w.Array(10)
	w.BulkString(cmd.FullName())
	w.Int(arity(cmd))
	flags := flagWords(cmd)
	w.Set(len(flags))
	for _, f := range flags {
		w.Status(f)
	}
	first, last, step := int64(cmd.First), int64(cmd.Last), int64(cmd.Step)
	if cmd.Keys != nil {
		first, last, step = 0, 0, 0
	}
	w.Int(first)
	w.Int(last)
	w.Int(step)
	cats := cmd.Categories()
	w.Set(len(cats))
	for _, c := range cats {
		w.Status("@" + c)
	}
	w.Set(0) // tips
	replyKeySpecs(w, cmd)
	subs := sortedSubs(cmd)
	if len(subs) == 0 {
		w.Set(0)
		return
	}
	w.Array(len(subs))
	for _, s := range subs {
		replyCommandInfo(w, s)
	}
}

// replyKeySpecs writes the key specifications of a command.
func replyKeySpecs(w Reply, cmd *kernel.Command) {
	if cmd.First <= 0 && cmd.Keys == nil {
		w.Set(0)
		return
	}
	w.Set(1)
	w.Map(3)
	w.BulkString("flags")
	w.Set(2)
	switch name := cmd.Name; {
	case name == "del" || name == "unlink" || name == "getdel":
		w.Status("RM")
		w.Status("delete")
	case cmd.Has(kernel.Write):
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
	w.Int(int64(cmd.First))
	w.BulkString("find_keys")
	w.Map(2)
	w.BulkString("type")
	w.BulkString("range")
	w.BulkString("spec")
	w.Map(3)
	last := int64(cmd.Last)
	if last >= 0 {
		last -= int64(cmd.First)
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
	var list []*kernel.Command
	if len(c.Args) == 2 {
		list = sorted(c.Commands())
	} else {
		for _, a := range c.Args[2:] {
			if cmd := c.Commands().LookupFull(string(a)); cmd != nil {
				list = append(list, cmd)
			}
		}
	}
	c.W.Map(len(list))
	for _, cmd := range list {
		c.W.BulkString(cmd.FullName())
		replyCommandDoc(c.W, cmd)
	}
}

// replyCommandDoc writes one command's documentation map.
func replyCommandDoc(w Reply, cmd *kernel.Command) {
	args := commandArgs(cmd)
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
	w.BulkString(cmd.Group)
	w.BulkString("complexity")
	w.BulkString(cmd.Complexity)
	if len(args) > 0 {
		w.BulkString("arguments")
		replyArgs(w, args)
	}
	if len(cmd.Subs) > 0 {
		w.BulkString("subcommands")
		subs := sortedSubs(cmd)
		w.Map(len(subs))
		for _, s := range subs {
			w.BulkString(s.FullName())
			replyCommandDoc(w, s)
		}
	}
}

// COMMAND LIST [FILTERBY MODULE name | ACLCAT category | PATTERN pattern]
func commandList(c *Ctx) {
	var filter func(cmd *kernel.Command) bool
	switch {
	case len(c.Args) == 2:
	case len(c.Args) == 5 && equal(c.Args[2], "filterby"):
		v := string(c.Args[4])
		switch {
		case equal(c.Args[3], "module"):
			filter = func(*kernel.Command) bool { return false }
		case equal(c.Args[3], "aclcat"):
			filter = func(cmd *kernel.Command) bool {
				for _, cat := range cmd.Categories() {
					if strings.EqualFold(cat, v) {
						return true
					}
				}
				return false
			}
		case equal(c.Args[3], "pattern"):
			pat := []byte(strings.ToLower(v))
			filter = func(cmd *kernel.Command) bool { return kernel.GlobMatch(pat, []byte(cmd.FullName())) }
		default:
			c.Error(errSyntax)
			return
		}
	default:
		c.Error(errSyntax)
		return
	}
	var out []string
	for _, cmd := range sorted(c.Commands()) {
		if filter == nil || filter(cmd) {
			out = append(out, cmd.FullName())
		}
		for _, s := range sortedSubs(cmd) {
			if filter == nil || filter(s) {
				out = append(out, s.FullName())
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
	cmd := c.Commands().Lookup(args[0])
	if cmd == nil {
		c.Error("ERR Invalid command specified")
		return
	}
	if len(cmd.Subs) > 0 && len(args) >= 2 {
		if s := cmd.Sub(args[1]); s != nil {
			if !kernel.ArityOK(s.Arity, len(args)-1) {
				c.Error("ERR Invalid number of arguments specified for command")
				return
			}
			cmd = s
		}
	} else if !kernel.ArityOK(cmd.Arity, len(args)) {
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
