package acl

import (
	"sync"
	"sync/atomic"
	"time"
)

// Reason and context of an ACL LOG entry, as Redis names them.
const (
	ReasonCommand = "command"
	ReasonKey     = "key"
	ReasonAuth    = "auth"

	ContextTopLevel = "toplevel"
	ContextMulti    = "multi"
)

// DefaultLogMaxLen is Redis's acllog-max-len.
const DefaultLogMaxLen = 128

// groupWithin is how close in time a denial must be to an entry like it
// to be counted in that entry (Redis's ACL_LOG_GROUPING_MAX_TIME_DELTA).
const groupWithin = 60 * time.Second

// Entry is one ACL LOG entry.
type Entry struct {
	Count            int64
	Reason, Context  string
	Object, Username string
	Updated, Created time.Time
	ClientInfo       string
	ID               int64
}

// Log is the ACL LOG: the latest denials, newest first, similar ones
// grouped, and counters of every denial by reason for INFO.
type Log struct {
	mu      sync.Mutex
	entries []*Entry // newest first
	nextID  int64
	maxLen  atomic.Int64
	// Denied counts every denial by reason, logged or not.
	DeniedAuth, DeniedCommand, DeniedKey atomic.Int64
}

func newLog() *Log {
	l := &Log{}
	l.maxLen.Store(DefaultLogMaxLen)
	return l
}

// SetMaxLen sets acllog-max-len, dropping the oldest entries past it.
func (l *Log) SetMaxLen(n int64) {
	l.maxLen.Store(n)
	l.mu.Lock()
	l.trim()
	l.mu.Unlock()
}

// Add records a denial, as Redis's addACLLogEntry: an entry of the same
// reason, context, object and user updated within the last minute (among
// the ten newest) is counted again and moved first.
func (l *Log) Add(reason, context, object, username, clientInfo string, now time.Time) {
	switch reason {
	case ReasonAuth:
		l.DeniedAuth.Add(1)
	case ReasonCommand:
		l.DeniedCommand.Add(1)
	case ReasonKey:
		l.DeniedKey.Add(1)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.maxLen.Load() == 0 {
		l.trim()
		return
	}
	for i, e := range l.entries[:min(len(l.entries), 10)] {
		d := now.Sub(e.Updated)
		if e.Reason == reason && e.Context == context && e.Object == object && e.Username == username &&
			d <= groupWithin && d >= -groupWithin {
			e.Count++
			e.Updated, e.ClientInfo = now, clientInfo
			copy(l.entries[1:i+1], l.entries[:i])
			l.entries[0] = e
			return
		}
	}
	e := &Entry{Count: 1, Reason: reason, Context: context, Object: object, Username: username,
		Updated: now, Created: now, ClientInfo: clientInfo, ID: l.nextID}
	l.nextID++
	l.entries = append([]*Entry{e}, l.entries...)
	l.trim()
}

// trim drops entries past maxLen. Under mu.
func (l *Log) trim() {
	if n := int(l.maxLen.Load()); len(l.entries) > n {
		clear(l.entries[n:])
		l.entries = l.entries[:n]
	}
}

// Entries returns copies of the newest n entries.
func (l *Log) Entries(n int) []Entry {
	l.mu.Lock()
	defer l.mu.Unlock()
	n = min(n, len(l.entries))
	out := make([]Entry, n)
	for i := range out {
		out[i] = *l.entries[i]
	}
	return out
}

// Reset empties the log (ACL LOG RESET); entry ids go on.
func (l *Log) Reset() {
	l.mu.Lock()
	l.entries = nil
	l.mu.Unlock()
}
