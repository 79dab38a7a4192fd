package acl

import "strings"

// Categories are Redis's ACL categories, in the order ACL CAT lists them.
var Categories = []string{"keyspace", "read", "write", "set", "sortedset", "list", "hash", "string",
	"bitmap", "hyperloglog", "geo", "stream", "pubsub", "admin", "fast", "slow", "blocking",
	"dangerous", "connection", "transaction", "scripting"}

// Command is what ACL rules need to know of a command.
type Command struct {
	Name       string   // the full name: "xadd", "client|kill"
	Categories []string // without '@'
	// NoAuth commands (AUTH, HELLO) run whatever the rules say, as in Redis.
	NoAuth bool
	Parent int   // the container's id, -1 for a command
	Subs   []int // a container's subcommands
}

// Catalog is the command table as ACL rules see it: a command's id is its
// position.
type Catalog struct {
	cmds   []Command
	byName map[string]int
	byCat  map[string][]int
}

// NewCatalog indexes cmds. Each Parent and Subs must name positions in
// cmds.
func NewCatalog(cmds []Command) *Catalog {
	c := &Catalog{cmds: cmds, byName: map[string]int{}, byCat: map[string][]int{}}
	for id, cmd := range cmds {
		c.byName[cmd.Name] = id
		for _, cat := range cmd.Categories {
			c.byCat[cat] = append(c.byCat[cat], id)
		}
	}
	return c
}

// Len is the number of commands and subcommands.
func (c *Catalog) Len() int { return len(c.cmds) }

// Command returns the command with id.
func (c *Catalog) Command(id int) *Command { return &c.cmds[id] }

// Lookup finds "name" or "container|sub", case-insensitively.
func (c *Catalog) Lookup(name string) (int, bool) {
	id, ok := c.byName[strings.ToLower(name)]
	return id, ok
}

// InCategory returns the ids of the commands in a category, in the
// catalog's order; ok is false for a name that is no category.
func (c *Catalog) InCategory(name string) (ids []int, ok bool) {
	name = strings.ToLower(name)
	for _, cat := range Categories {
		if cat == name {
			return c.byCat[name], true
		}
	}
	return nil, false
}
