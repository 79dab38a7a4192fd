package acl

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"slices"
	"strings"
)

// User is one ACL user. A User is never changed once published: a change
// makes a new one (see ACL), so a connection reads its user without locks.
type User struct {
	name    string
	enabled bool
	nopass  bool
	// skipSanitize is Redis's skip-sanitize-payload flag (RESTORE, which
	// sluice lacks): kept so that rules and files round-trip.
	skipSanitize bool
	passwords    []string // hex SHA-256, in the order added
	root         *selector
	selectors    []*selector
}

// newUser is a user as ACL SETUSER creates it: off, no password, no
// command, no key.
func newUser(cat *Catalog, name string) *User {
	return &User{name: name, root: newSelector(cat)}
}

func (u *User) clone() *User {
	c := *u
	c.passwords = slices.Clone(u.passwords)
	c.root = u.root.clone()
	c.selectors = make([]*selector, len(u.selectors))
	for i, s := range u.selectors {
		c.selectors[i] = s.clone()
	}
	return &c
}

// Name is the user's name.
func (u *User) Name() string { return u.name }

// Enabled reports whether the user may authenticate.
func (u *User) Enabled() bool { return u.enabled }

// NoPass reports whether any password authenticates the user.
func (u *User) NoPass() bool { return u.nopass }

// apply applies one rule (Redis's ACLSetUser); an empty one does nothing.
func (u *User) apply(cat *Catalog, op string) error {
	if op == "" {
		return nil
	}
	switch lower := strings.ToLower(op); {
	case lower == "on":
		u.enabled = true
	case lower == "off":
		u.enabled = false
	case lower == "skip-sanitize-payload":
		u.skipSanitize = true
	case lower == "sanitize-payload":
		u.skipSanitize = false
	case lower == "nopass":
		u.nopass, u.passwords = true, nil
	case lower == "resetpass":
		u.nopass, u.passwords = false, nil
	case op[0] == '>' || op[0] == '#':
		hash := hashPassword(op[1:])
		if op[0] == '#' {
			if !validHash(op[1:]) {
				return ErrBadHash
			}
			hash = op[1:]
		}
		if !slices.Contains(u.passwords, hash) {
			u.passwords = append(u.passwords, hash)
		}
		u.nopass = false
	case op[0] == '<' || op[0] == '!':
		hash := hashPassword(op[1:])
		if op[0] == '!' {
			if !validHash(op[1:]) {
				return ErrBadHash
			}
			hash = op[1:]
		}
		i := slices.Index(u.passwords, hash)
		if i < 0 {
			return ErrNoSuchPassword
		}
		u.passwords = slices.Delete(u.passwords, i, i+1)
	case op[0] == '(' && op[len(op)-1] == ')':
		s := newSelector(cat)
		for _, rule := range strings.Fields(op[1 : len(op)-1]) {
			if err := s.apply(cat, rule); err != nil {
				return err
			}
		}
		u.selectors = append(u.selectors, s)
	case lower == "clearselectors":
		u.selectors = nil
	case lower == "reset":
		// resetpass resetkeys resetchannels off sanitize-payload
		// clearselectors -@all: the user as created.
		*u = *newUser(cat, u.name)
	default:
		return u.root.apply(cat, op)
	}
	return nil
}

// Authenticate reports whether pass is one of the user's passwords (any
// is, for a nopass user), comparing hashes in constant time; a disabled
// user never authenticates.
func (u *User) Authenticate(pass string) bool {
	if !u.enabled {
		return false
	}
	if u.nopass {
		return true
	}
	h := hashPassword(pass)
	ok := 0
	for _, p := range u.passwords {
		ok |= subtle.ConstantTimeCompare([]byte(h), []byte(p))
	}
	return ok == 1
}

// Unrestricted reports whether the user may run every command on every
// key, so checks can be skipped.
func (u *User) Unrestricted() bool { return u.root.allCommands && u.root.allKeys }

// Check decides whether the user may run command id of cat on keys; when
// not, pos is the argument position of the key refused. As Redis decides:
// any selector that allows the command is enough; otherwise the denial is
// the last key no selector allowed, or the command.
func (u *User) Check(cat *Catalog, id int, keys []KeyRef) (d Denial, pos int) {
	cmd := cat.Command(id)
	d, pos = u.root.check(id, cmd, keys)
	if d == Allowed {
		return Allowed, 0
	}
	for _, s := range u.selectors {
		sd, spos := s.check(id, cmd, keys)
		if sd == Allowed {
			return Allowed, 0
		}
		if sd > d || sd == d && spos > pos {
			d, pos = sd, spos
		}
	}
	return d, pos
}

// Describe renders the user's rules as ACL LIST and the ACL file show
// them, without "user <name>" (Redis's ACLDescribeUser).
func (u *User) Describe() string {
	parts := u.Flags()
	for _, p := range u.passwords {
		parts = append(parts, "#"+p)
	}
	parts = append(parts, u.root.describe())
	for _, s := range u.selectors {
		parts = append(parts, "("+s.describe()+")")
	}
	return strings.Join(parts, " ")
}

// Flags are the user's flags in Redis's order.
func (u *User) Flags() []string {
	flags := []string{"off"}
	if u.enabled {
		flags[0] = "on"
	}
	if u.nopass {
		flags = append(flags, "nopass")
	}
	if u.skipSanitize {
		return append(flags, "skip-sanitize-payload")
	}
	return append(flags, "sanitize-payload")
}

// Passwords are the hashes of the user's passwords.
func (u *User) Passwords() []string { return slices.Clone(u.passwords) }

// SelectorInfo is one selector as ACL GETUSER shows it.
type SelectorInfo struct{ Commands, Keys, Channels string }

// Root is the user's root selector, Selectors the others.
func (u *User) Root() SelectorInfo { return u.root.info() }

func (u *User) Selectors() []SelectorInfo {
	out := make([]SelectorInfo, len(u.selectors))
	for i, s := range u.selectors {
		out[i] = s.info()
	}
	return out
}

func (s *selector) info() SelectorInfo {
	return SelectorInfo{Commands: s.describeCommands(), Keys: s.describeKeys(), Channels: s.describeChannels()}
}

// hashPassword is a password as users keep it: hex SHA-256.
func hashPassword(p string) string {
	h := sha256.Sum256([]byte(p))
	return hex.EncodeToString(h[:])
}

// validHash accepts what #<hash> may give: 64 lower-case hex digits.
func validHash(h string) bool {
	if len(h) != 64 {
		return false
	}
	for i := 0; i < len(h); i++ {
		if (h[i] < '0' || h[i] > '9') && (h[i] < 'a' || h[i] > 'f') {
			return false
		}
	}
	return true
}
