package engine

import (
	"github.com/tidwall/btree"

	"sluice/groups"
)

// streamExt holds what a stream key carries beyond its entries: consumer
// groups (ordered by name, as XINFO GROUPS lists them) and the
// idempotent-producer state of XADD IDMP.
type streamExt struct {
	groups *btree.Map[string, *groups.Group] // nil until the first group
	idmp   *idmpState                        // nil until the first IDMP
}

// group returns the named group or nil.
func (sv *streamValue) group(name []byte) *groups.Group {
	if sv.ext.groups == nil {
		return nil
	}
	g, _ := sv.ext.groups.Get(string(name))
	return g
}

// addGroup stores a new group.
func (sv *streamValue) addGroup(g *groups.Group) {
	if sv.ext.groups == nil {
		sv.ext.groups = &btree.Map[string, *groups.Group]{}
	}
	sv.ext.groups.Set(g.Name(), g)
}

// deleteGroup removes a group and reports whether it existed.
func (sv *streamValue) deleteGroup(name []byte) bool {
	if sv.ext.groups == nil {
		return false
	}
	_, ok := sv.ext.groups.Delete(string(name))
	return ok
}

// eachGroup calls fn for every group in name order until it returns false.
func (sv *streamValue) eachGroup(fn func(*groups.Group) bool) {
	if sv.ext.groups != nil {
		sv.ext.groups.Scan(func(_ string, g *groups.Group) bool { return fn(g) })
	}
}

// numGroups counts the groups.
func (sv *streamValue) numGroups() int {
	if sv.ext.groups == nil {
		return 0
	}
	return sv.ext.groups.Len()
}
