package acl

import (
	"slices"
	"strings"

	"sluice/kernel"
)

// Perm is the access a key pattern gives.
type Perm uint8

const (
	Read Perm = 1 << iota
	Write
	ReadWrite = Read | Write
)

// keyPattern is a ~pattern (read and write), %R~ or %W~ rule.
type keyPattern struct {
	perm    Perm
	pattern string
}

// selector is one set of command, key and channel permissions: Redis 7's
// selectors. A user's rules outside parentheses form its root selector;
// a command is allowed when any of the user's selectors allows it.
type selector struct {
	allKeys, allChannels, allCommands bool
	// future: the command rules start from +@all (Redis's reserved
	// command bit), so they are described as "+@all ...".
	future  bool
	allowed []uint64 // a bit per command id
	// rules are the command rules as given ("+xadd", "-@admin"), lower
	// case, a later rule for a command or category replacing an earlier
	// one (Redis 7.2's command_rules): ACL LIST shows them in this order.
	rules    []string
	keys     []keyPattern
	channels []string
}

func newSelector(cat *Catalog) *selector {
	return &selector{allowed: make([]uint64, (cat.Len()+63)/64)}
}

func (s *selector) clone() *selector {
	c := *s
	c.allowed = slices.Clone(s.allowed)
	c.rules = slices.Clone(s.rules)
	c.keys = slices.Clone(s.keys)
	c.channels = slices.Clone(s.channels)
	return &c
}

func (s *selector) bit(id int) bool { return s.allowed[id/64]&(1<<(id%64)) != 0 }

func (s *selector) setBit(id int, on bool) {
	if on {
		s.allowed[id/64] |= 1 << (id % 64)
		return
	}
	s.allowed[id/64] &^= 1 << (id % 64)
	s.allCommands = false
}

// change allows or denies a command, and a container's subcommands with
// it (Redis's ACLChangeSelectorPerm).
func (s *selector) change(cat *Catalog, id int, allow bool) {
	s.setBit(id, allow)
	for _, sub := range cat.Command(id).Subs {
		s.setBit(sub, allow)
	}
}

// apply applies one selector rule (Redis's ACLSetSelector).
func (s *selector) apply(cat *Catalog, op string) error {
	switch lower := strings.ToLower(op); {
	case lower == "allkeys" || lower == "~*":
		s.allKeys, s.keys = true, nil
	case lower == "resetkeys":
		s.allKeys, s.keys = false, nil
	case lower == "allchannels" || lower == "&*":
		s.allChannels, s.channels = true, nil
	case lower == "resetchannels":
		s.allChannels, s.channels = false, nil
	case lower == "allcommands" || lower == "+@all":
		for i := range s.allowed {
			s.allowed[i] = ^uint64(0)
		}
		s.allCommands, s.future, s.rules = true, true, nil
	case lower == "nocommands" || lower == "-@all":
		clear(s.allowed)
		s.allCommands, s.future, s.rules = false, false, nil
	case op[0] == '~' || op[0] == '%':
		return s.addKeyPattern(op)
	case op[0] == '&':
		if s.allChannels {
			return ErrChannelAfterAll
		}
		if hasSpace(op[1:]) {
			return ErrSyntax
		}
		if !slices.Contains(s.channels, op[1:]) {
			s.channels = append(s.channels, op[1:])
		}
	case (op[0] == '+' || op[0] == '-') && len(op) > 1 && op[1] == '@':
		ids, ok := cat.InCategory(op[2:])
		if !ok {
			return ErrUnknown
		}
		for _, id := range ids {
			s.change(cat, id, op[0] == '+')
		}
		s.updateRules(op[1:], op[0] == '+')
	case op[0] == '+':
		return s.allowCommand(cat, op[1:])
	case op[0] == '-':
		id, ok := cat.Lookup(op[1:])
		if !ok {
			return ErrUnknown
		}
		s.change(cat, id, false)
		s.updateRules(cat.Command(id).Name, false)
	default:
		return ErrSyntax
	}
	return nil
}

// allowCommand applies +name or +container|sub.
func (s *selector) allowCommand(cat *Catalog, name string) error {
	i := strings.LastIndexByte(name, '|')
	if i < 0 {
		id, ok := cat.Lookup(name)
		if !ok {
			return ErrUnknown
		}
		s.change(cat, id, true)
		s.updateRules(cat.Command(id).Name, true)
		return nil
	}
	parent, ok := cat.Lookup(name[:i])
	switch {
	case !ok:
		return ErrUnknown
	case cat.Command(parent).Parent >= 0:
		return ErrSubFirstArg
	case i == len(name)-1:
		return ErrSyntax
	case len(cat.Command(parent).Subs) == 0:
		return ErrFirstArg
	}
	id, ok := cat.Lookup(name)
	if !ok {
		return ErrUnknown
	}
	s.change(cat, id, true)
	s.updateRules(name, true)
	return nil
}

// updateRules records a command or category rule, dropping earlier rules
// for the same name and, for a command, for its subcommands.
func (s *selector) updateRules(name string, allow bool) {
	name = strings.ToLower(name)
	s.rules = slices.DeleteFunc(s.rules, func(r string) bool {
		r = r[1:]
		return r == name || strings.HasPrefix(r, name+"|")
	})
	sign := "-"
	if allow {
		sign = "+"
	}
	s.rules = append(s.rules, sign+name)
}

// addKeyPattern applies ~pattern, %R~pattern, %W~pattern or %RW~pattern.
func (s *selector) addKeyPattern(op string) error {
	if s.allKeys {
		return ErrKeyAfterAll
	}
	perm, at := ReadWrite, 1
	if op[0] == '%' {
		perm = 0
		for ; at < len(op); at++ {
			c := op[at] &^ 0x20 // upper case
			if c == 'R' && perm&Read == 0 {
				perm |= Read
			} else if c == 'W' && perm&Write == 0 {
				perm |= Write
			} else if op[at] == '~' {
				at++
				break
			} else {
				return ErrSyntax
			}
		}
		if perm == 0 {
			return ErrSyntax
		}
	}
	pattern := op[min(at, len(op)):]
	if hasSpace(pattern) {
		return ErrSyntax
	}
	for i := range s.keys {
		if s.keys[i].pattern == pattern {
			s.keys[i].perm |= perm
			return nil
		}
	}
	s.keys = append(s.keys, keyPattern{perm: perm, pattern: pattern})
	return nil
}

// KeyRef is a key a command names: its position in the arguments, and
// the access the command needs.
type KeyRef struct {
	Pos  int
	Key  []byte
	Perm Perm
}

// Denial says why a command was refused (Redis's ACL_DENIED_*, in the
// order Redis ranks them when several selectors refuse).
type Denial int

const (
	Allowed Denial = iota
	DeniedCommand
	DeniedKey
)

// check decides one command for this selector; pos is the argument
// position of a key that was refused.
func (s *selector) check(id int, cmd *Command, keys []KeyRef) (d Denial, pos int) {
	if !s.allCommands && !cmd.NoAuth && !s.bit(id) {
		return DeniedCommand, 0
	}
	if s.allKeys {
		return Allowed, 0
	}
	for _, k := range keys {
		if !s.keyAllowed(k) {
			return DeniedKey, k.Pos
		}
	}
	return Allowed, 0
}

// keyAllowed reports whether one pattern gives all the access k needs.
func (s *selector) keyAllowed(k KeyRef) bool {
	for _, p := range s.keys {
		if p.perm&k.Perm == k.Perm && kernel.GlobMatch([]byte(p.pattern), k.Key) {
			return true
		}
	}
	return false
}

// describe renders the selector as rules ACL SETUSER takes back: keys,
// channels, then commands (Redis's ACLDescribeSelector).
func (s *selector) describe() string {
	var parts []string
	if s.allKeys {
		parts = append(parts, "~*")
	} else {
		for _, p := range s.keys {
			parts = append(parts, p.String())
		}
	}
	if s.allChannels {
		parts = append(parts, "&*")
	} else {
		parts = append(parts, "resetchannels")
		for _, c := range s.channels {
			parts = append(parts, "&"+c)
		}
	}
	return strings.Join(append(parts, s.describeCommands()), " ")
}

// describeCommands renders the command rules: +@all or -@all, then the
// rules in the order given.
func (s *selector) describeCommands() string {
	start := "-@all"
	if s.future {
		start = "+@all"
	}
	return strings.Join(append([]string{start}, s.rules...), " ")
}

// describeKeys and describeChannels are ACL GETUSER's keys and channels.
func (s *selector) describeKeys() string {
	if s.allKeys {
		return "~*"
	}
	parts := make([]string, len(s.keys))
	for i, p := range s.keys {
		parts[i] = p.String()
	}
	return strings.Join(parts, " ")
}

func (s *selector) describeChannels() string {
	if s.allChannels {
		return "&*"
	}
	parts := make([]string, len(s.channels))
	for i, c := range s.channels {
		parts[i] = "&" + c
	}
	return strings.Join(parts, " ")
}

func (p keyPattern) String() string {
	switch p.perm {
	case Read:
		return "%R~" + p.pattern
	case Write:
		return "%W~" + p.pattern
	}
	return "~" + p.pattern
}

// hasSpace reports a blank or NUL in a name or pattern, which ACL rules
// refuse (Redis's ACLStringHasSpaces).
func hasSpace(s string) bool {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ' ', '\t', '\n', '\v', '\f', '\r', 0:
			return true
		}
	}
	return false
}
