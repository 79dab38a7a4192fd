package commands

import (
	"strconv"
	"strings"
	"sync"

	"sluice/kernel"
)

// A command's Syntax (kernel.Command.Syntax) is written in a small
// notation from which COMMAND DOCS builds Redis's argument trees
// (redis-cli draws its hints from them): [optional], (group), a|b (one
// of), x... (multiple); a word without lower-case letters is a pure token;
// TOKEN=arg is an argument introduced by a token; type prefixes key:,
// int:, dbl:, pat:, time:.

// cmdArg is one node of a command's argument tree.
type cmdArg struct {
	name, typ, token string
	optional, multi  bool
	sub              []*cmdArg
}

// parsed caches each command's argument tree; engines in one process
// share it.
var parsed sync.Map // *kernel.Command -> []*cmdArg

// commandArgs returns the argument tree of a command, nil when it has no
// syntax.
func commandArgs(cmd *kernel.Command) []*cmdArg {
	if a, ok := parsed.Load(cmd); ok {
		return a.([]*cmdArg)
	}
	if cmd.Syntax == "" {
		return nil
	}
	p := &syntaxParser{toks: tokenizeSyntax(cmd.Syntax)}
	a := p.seq("")
	parsed.Store(cmd, a)
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
	one.name = "arg" + strconv.Itoa(p.n)
	return []*cmdArg{one}
}

// group turns a parsed sequence into one argument (itself, or a block).
func (p *syntaxParser) group(items []*cmdArg) *cmdArg {
	if len(items) == 1 {
		return items[0]
	}
	p.n++
	return &cmdArg{name: "block" + strconv.Itoa(p.n), typ: "block", sub: items}
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
