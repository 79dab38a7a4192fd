// Package acl is Redis 6/7's access control model, the part a broker needs:
// users with passwords, command rules by name and category, key patterns
// with read and write permissions, selectors, the ACL file and the ACL
// log. It knows nothing of connections: the protocol layer asks it who a
// user is and whether that user may run a command on some keys.
package acl

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
)

// ACL holds the users. Readers take a snapshot (Users) without locking;
// every change builds a new snapshot and publishes it at once, so a
// change applies whole or not at all.
type ACL struct {
	cat   *Catalog
	file  string
	mu    sync.Mutex // serializes changes
	users atomic.Pointer[Users]
	// Log is the ACL LOG.
	Log *Log
}

// Users is one published state of the users.
type Users struct {
	byName map[string]*User
}

// New returns the users of a server without an ACL file: only "default",
// with every permission and no password, as Redis starts. file is the ACL
// file LOAD and SAVE use ("" for none).
func New(cat *Catalog, file string) *ACL {
	a := &ACL{cat: cat, file: file, Log: newLog()}
	a.users.Store(&Users{byName: map[string]*User{"default": a.defaultUser()}})
	return a
}

// defaultUser is Redis's default user: on, nopass, every key, channel and
// command.
func (a *ACL) defaultUser() *User {
	u := newUser(a.cat, "default")
	for _, op := range []string{"+@all", "~*", "&*", "on", "nopass"} {
		u.apply(a.cat, op)
	}
	return u
}

// Catalog is the command table the rules refer to.
func (a *ACL) Catalog() *Catalog { return a.cat }

// Users returns the users now.
func (a *ACL) Users() *Users { return a.users.Load() }

// Get returns a user, nil if there is none of that name.
func (s *Users) Get(name string) *User { return s.byName[name] }

// Default returns the default user, which always exists.
func (s *Users) Default() *User { return s.byName["default"] }

// Names returns the user names, sorted as Redis lists them (by bytes).
func (s *Users) Names() []string {
	names := make([]string, 0, len(s.byName))
	for n := range s.byName {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// ErrUsername is ACL SETUSER's error for a name with a blank in it.
var ErrUsername = errors.New("Usernames can't contain spaces or null characters")

// SetUser creates or changes a user with rules, as ACL SETUSER: all of
// them apply, or (on an error, which names the rule) none.
func (a *ACL) SetUser(name string, rules []string) error {
	if hasSpace(name) {
		return ErrUsername
	}
	rules, err := mergeSelectors(rules)
	if err != nil {
		return err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	cur := a.users.Load()
	u := newUser(a.cat, name)
	if old := cur.byName[name]; old != nil {
		u = old.clone()
	}
	for _, r := range rules {
		if err := u.apply(a.cat, r); err != nil {
			return fmt.Errorf("Error in ACL SETUSER modifier '%s': %w", r, err)
		}
	}
	a.publish(cur, map[string]*User{name: u}, nil)
	return nil
}

// ErrDeleteDefault is ACL DELUSER's error for "default".
var ErrDeleteDefault = errors.New("The 'default' user cannot be removed")

// DelUser deletes users and returns those that existed; their connections
// must be closed by the caller.
func (a *ACL) DelUser(names []string) ([]string, error) {
	if slices.Contains(names, "default") {
		return nil, ErrDeleteDefault
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	cur := a.users.Load()
	var gone []string
	for _, n := range names {
		if cur.byName[n] != nil && !slices.Contains(gone, n) {
			gone = append(gone, n)
		}
	}
	a.publish(cur, nil, gone)
	return gone, nil
}

// SetDefaultPassword gives the default user exactly one password, or none
// ("": nopass), as Redis's requirepass does.
func (a *ACL) SetDefaultPassword(pass string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	cur := a.users.Load()
	u := cur.Default().clone()
	u.apply(a.cat, "resetpass")
	if pass == "" {
		u.apply(a.cat, "nopass")
	} else {
		u.apply(a.cat, ">"+pass)
	}
	a.publish(cur, map[string]*User{"default": u}, nil)
}

// Authenticate returns the user name and pass log in as, or nil.
func (a *ACL) Authenticate(name, pass string) *User {
	u := a.Users().Get(name)
	if u == nil || !u.Authenticate(pass) {
		return nil
	}
	return u
}

// publish makes a new state from cur with users set and deleted. Under mu.
func (a *ACL) publish(cur *Users, set map[string]*User, deleted []string) {
	next := &Users{byName: make(map[string]*User, len(cur.byName)+len(set))}
	for n, u := range cur.byName {
		next.byName[n] = u
	}
	for n, u := range set {
		next.byName[n] = u
	}
	for _, n := range deleted {
		delete(next.byName, n)
	}
	a.users.Store(next)
}

// List is ACL LIST: every user as a line of the ACL file.
func (s *Users) List() []string {
	names := s.Names()
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = "user " + n + " " + s.byName[n].Describe()
	}
	return out
}

// mergeSelectors joins a selector given over several arguments, "(~a"
// "+get)", into one, as Redis's ACLMergeSelectorArguments.
func mergeSelectors(rules []string) ([]string, error) {
	var out []string
	open := -1
	var sel strings.Builder
	for i, r := range rules {
		if open < 0 && strings.HasPrefix(r, "(") && !strings.HasSuffix(r, ")") {
			open = i
			sel.Reset()
			sel.WriteString(r)
			continue
		}
		if open >= 0 {
			sel.WriteString(" " + r)
			if strings.HasSuffix(r, ")") {
				out = append(out, sel.String())
				open = -1
			}
			continue
		}
		out = append(out, r)
	}
	if open >= 0 {
		return nil, fmt.Errorf("Unmatched parenthesis in acl selector starting at '%s'.", rules[open])
	}
	return out, nil
}
