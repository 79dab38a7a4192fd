package acl

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// ErrNoFile is ACL LOAD and SAVE's error without an ACL file.
var ErrNoFile = errors.New("This Redis instance is not configured to use an ACL file. You may want to specify users via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis configuration file set) in order to store users in the Redis configuration.")

// Load replaces every user with those of the ACL file, as ACL LOAD: if any
// line is wrong nothing changes, and the error lists every problem in
// Redis's words. A file without a "default" user gives the default user
// Redis's defaults (every permission, no password). It returns the users
// that no longer exist: their connections must be closed.
func (a *ACL) Load() (removed []string, err error) {
	if a.file == "" {
		return nil, ErrNoFile
	}
	data, err := os.ReadFile(a.file)
	if err != nil {
		return nil, fmt.Errorf("Error loading ACLs, opening file '%s': %s", a.file, strerror(err))
	}
	users := map[string]*User{}
	var problems strings.Builder
	for i, line := range strings.Split(string(data), "\n") {
		a.loadLine(users, strings.Trim(line, " \t\r\n"), i+1, &problems)
	}
	if problems.Len() > 0 {
		return nil, errors.New(problems.String() + "WARNING: ACL errors detected, no change to the previously active ACL rules was performed")
	}
	if users["default"] == nil {
		users["default"] = a.defaultUser()
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	for n := range a.users.Load().byName {
		if users[n] == nil {
			removed = append(removed, n)
		}
	}
	a.users.Store(&Users{byName: users})
	return removed, nil
}

// loadLine adds the user one line of the file defines to users, or says
// what is wrong with it in problems (Redis's ACLLoadFromFile).
func (a *ACL) loadLine(users map[string]*User, line string, n int, problems *strings.Builder) {
	if line == "" {
		return
	}
	// Split on single spaces as Redis does: a double space is an empty
	// rule, which does nothing.
	args := strings.Split(line, " ")
	if args[0] != "user" || len(args) < 2 {
		fmt.Fprintf(problems, "%s:%d should start with user keyword followed by the username. ", a.file, n)
		return
	}
	name := args[1]
	if hasSpace(name) {
		fmt.Fprintf(problems, "'%s:%d: username '%s' contains invalid characters. ", a.file, n, name)
		return
	}
	if users[name] != nil {
		fmt.Fprintf(problems, "WARNING: Duplicate user '%s' found on line %d. ", name, n)
		return
	}
	u := newUser(a.cat, name)
	users[name] = u
	rules, err := mergeSelectors(args[2:])
	if err != nil {
		fmt.Fprintf(problems, "%s:%d: Unmatched parenthesis in selector definition.", a.file, n)
		return
	}
	reported := false
	for _, r := range rules {
		r = strings.Trim(r, "\t\r\n")
		err := u.apply(a.cat, r)
		switch {
		case errors.Is(err, ErrUnknown):
			fmt.Fprintf(problems, "%s:%d: Error in applying operation '%s': %s. ", a.file, n, r, err)
		case err != nil && !reported:
			// Only the first: it may be why the rules after it fail.
			fmt.Fprintf(problems, "%s:%d: %s. ", a.file, n, err)
			reported = true
		}
	}
}

// ErrSave is ACL SAVE's error; the log says what failed.
var ErrSave = errors.New("There was an error trying to save the ACLs. Please check the server logs for more information")

// Save writes every user to the ACL file, as ACL SAVE: a temporary file
// beside it, synced, then renamed over it, and the directory synced.
func (a *ACL) Save() error {
	if a.file == "" {
		return ErrNoFile
	}
	var b strings.Builder
	for _, line := range a.Users().List() {
		b.WriteString(line + "\n")
	}
	tmp := fmt.Sprintf("%s.tmp-%d-%d", a.file, os.Getpid(), time.Now().UnixMilli())
	if err := writeSynced(tmp, b.String()); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("acl: save %s: %w", a.file, err)
	}
	if err := os.Rename(tmp, a.file); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("acl: save %s: %w", a.file, err)
	}
	dir, err := os.Open(filepath.Dir(a.file))
	if err != nil {
		return fmt.Errorf("acl: save %s: sync directory: %w", a.file, err)
	}
	defer dir.Close()
	if err := dir.Sync(); err != nil {
		return fmt.Errorf("acl: save %s: sync directory: %w", a.file, err)
	}
	return nil
}

func writeSynced(path, content string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(content); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// strerror is an error as C's strerror words it ("No such file or
// directory"), for Redis's messages.
func strerror(err error) string {
	var errno syscall.Errno
	if !errors.As(err, &errno) {
		return err.Error()
	}
	s := errno.Error()
	return strings.ToUpper(s[:1]) + s[1:]
}
