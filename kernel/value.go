package kernel

import (
	"github.com/tidwall/btree"

	"sluice/groups"
	"sluice/streams"
)

// Value is what a key holds: a *Stream or a *String.
type Value interface{ TypeName() string }

// String is a string key. Its bytes never change: a write stores a new
// String.
type String struct{ B []byte }

// TypeName is what TYPE answers.
func (*String) TypeName() string { return "string" }

// Stream is a stream key: its entries, consumer groups (ordered by name,
// as XINFO GROUPS lists them) and idempotent-producer memory. Commands read
// it freely; every change goes through a Ctx effect method, so that it is
// logged exactly as it was applied.
type Stream struct {
	*streams.Stream
	groups    *btree.Map[string, *groups.Group] // nil until the first group
	idmp      *idmpState                        // nil until the first IDMP
	retention Retention
}

// TypeName is what TYPE answers.
func (*Stream) TypeName() string { return "stream" }

func newStream() *Stream { return &Stream{Stream: streams.New()} }

// Group returns the named group or nil.
func (s *Stream) Group(name []byte) *groups.Group {
	if s.groups == nil {
		return nil
	}
	g, _ := s.groups.Get(string(name))
	return g
}

// EachGroup calls fn for every group in name order until it returns false.
func (s *Stream) EachGroup(fn func(*groups.Group) bool) {
	if s.groups != nil {
		s.groups.Scan(func(_ string, g *groups.Group) bool { return fn(g) })
	}
}

// NumGroups counts the groups.
func (s *Stream) NumGroups() int {
	if s.groups == nil {
		return 0
	}
	return s.groups.Len()
}

// Has reports whether the stream holds a live entry id.
func (s *Stream) Has(id streams.ID) bool { return s.Get(id, nil) }

// Info is what the groups package needs to know about the stream.
func (s *Stream) Info() groups.StreamInfo {
	return groups.StreamInfo{
		Length: s.Len(), EntriesAdded: s.EntriesAdded(),
		FirstID: s.FirstID(), LastID: s.LastID(), MaxDeletedID: s.MaxDeletedID(),
	}
}

func (s *Stream) addGroup(g *groups.Group) {
	if s.groups == nil {
		s.groups = &btree.Map[string, *groups.Group]{}
	}
	s.groups.Set(g.Name(), g)
}

func (s *Stream) deleteGroup(name string) bool {
	if s.groups == nil {
		return false
	}
	_, ok := s.groups.Delete(name)
	return ok
}

// Referenced reports whether some group still needs id: a group has not
// read that far, or has it pending (Redis's streamEntryIsReferenced). It
// decides what the ACKED policy may delete.
func (s *Stream) Referenced(id streams.ID) bool {
	found := false
	s.EachGroup(func(g *groups.Group) bool {
		if g.LastID().Less(id) {
			found = true
		} else if _, ok := g.Lookup(id); ok {
			found = true
		}
		return !found
	})
	return found
}
