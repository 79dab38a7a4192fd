package engine

import (
	"sluice/groups"
	"sluice/streams"
)

func init() {
	register(&Cmd{Name: "xgroup", Arity: -2, Group: "stream", Since: "5.0.0",
		Summary: "A container for consumer groups commands.", Run: xgroupHelp})
	sub := func(name string, arity int, since, summary string, run xgroupRun) {
		registerSub("xgroup", &Cmd{Name: name, Arity: arity, Flags: FlagWrite, FirstKey: 2, LastKey: 2, Step: 1,
			Group: "stream", Since: since, Summary: summary, Run: func(c *Ctx) { xgroup(c, run) }})
	}
	sub("create", -4, "5.0.0", "Creates a consumer group.", xgroupCreate)
	sub("setid", -4, "5.0.0", "Sets the last-delivered ID of a consumer group.", xgroupSetID)
	sub("destroy", 3, "5.0.0", "Destroys a consumer group.", xgroupDestroy)
	sub("createconsumer", 4, "6.2.0", "Creates a consumer in a consumer group.", xgroupCreateConsumer)
	sub("delconsumer", 4, "5.0.0", "Deletes a consumer from a consumer group.", xgroupDelConsumer)
}

// xgroupRun is a subcommand after the shared checks: sv is nil only for
// CREATE MKSTREAM, g is nil only for CREATE and DESTROY.
type xgroupRun func(c *Ctx, sv *streamValue, g *groups.Group, opts xgroupOpts)

var xgroupHelpLines = []string{
	"CREATE <key> <groupname> <id|$> [option]",
	"    Create a new consumer group. Options are:",
	"    * MKSTREAM",
	"      Create the empty stream if it does not exist.",
	"    * ENTRIESREAD entries_read",
	"      Set the group's entries_read counter (internal use).",
	"CREATECONSUMER <key> <groupname> <consumer>",
	"    Create a new consumer in the specified group.",
	"DELCONSUMER <key> <groupname> <consumer>",
	"    Remove the specified consumer.",
	"DESTROY <key> <groupname>",
	"    Remove the specified group.",
	"SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
	"    Set the current group ID and entries_read counter.",
}

// xgroupHelp serves XGROUP HELP as Redis's addReplyHelp writes it.
func xgroupHelp(c *Ctx) {
	if len(c.Args) != 2 {
		c.Error("ERR wrong number of arguments for 'xgroup|help' command")
		return
	}
	c.W.Array(len(xgroupHelpLines) + 3)
	c.W.Status("XGROUP <subcommand> [<arg> [value] [opt] ...]. Subcommands are:")
	for _, l := range xgroupHelpLines {
		c.W.Status(l)
	}
	c.W.Status("HELP")
	c.W.Status("    Print this help.")
}

// xgroupOpts are CREATE's and SETID's options.
type xgroupOpts struct {
	mkstream    bool
	entriesRead int64
}

// xgroup does what every subcommand shares, in Redis's order: options,
// key type, then the key and group that must exist.
func xgroup(c *Ctx, run xgroupRun) {
	create, setid := Equal(c.Args[1], "create"), Equal(c.Args[1], "setid")
	opts := xgroupOpts{entriesRead: groups.InvalidEntriesRead}
	for i := 5; i < len(c.Args); i++ {
		switch a := c.Args[i]; {
		case create && Equal(a, "mkstream"):
			opts.mkstream = true
		case (create || setid) && Equal(a, "entriesread") && i+1 < len(c.Args):
			n, ok := c.Int(c.Args[i+1])
			if !ok {
				return
			}
			if n < 0 && n != groups.InvalidEntriesRead {
				c.Error("ERR value for ENTRIESREAD must be positive or -1")
				return
			}
			opts.entriesRead = n
			i++
		default:
			c.subcommandSyntaxError()
			return
		}
	}
	sv, ok := c.stream(c.Args[2])
	if !ok {
		return
	}
	if sv == nil && !opts.mkstream {
		c.Error("ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.")
		return
	}
	var g *groups.Group
	if sv != nil {
		g = sv.group(c.Args[3])
	}
	if g == nil && !create && !Equal(c.Args[1], "destroy") {
		c.Error("NOGROUP No such consumer group '" + string(c.Args[3]) + "' for key name '" + string(c.Args[2]) + "'")
		return
	}
	if (create && len(c.Args) > 8) || (setid && len(c.Args) != 5 && len(c.Args) != 7) {
		c.subcommandSyntaxError()
		return
	}
	run(c, sv, g, opts)
}

// subcommandSyntaxError is Redis's addReplySubcommandSyntaxError.
func (c *Ctx) subcommandSyntaxError() {
	c.Error("ERR unknown subcommand or wrong number of arguments for '" + trunc(string(c.Args[1]), 128) +
		"'. Try " + upper(c.Args[0]) + " HELP.")
}

func upper(b []byte) string {
	out := make([]byte, len(b))
	for i, x := range b {
		if x >= 'a' && x <= 'z' {
			x -= 'a' - 'A'
		}
		out[i] = x
	}
	return string(out)
}

// XGROUP CREATE key group id|$ [MKSTREAM] [ENTRIESREAD n]
func xgroupCreate(c *Ctx, sv *streamValue, g *groups.Group, opts xgroupOpts) {
	var id streams.ID
	if a := c.Args[4]; len(a) == 1 && a[0] == '$' {
		if sv != nil {
			id = sv.LastID()
		}
	} else {
		var ok bool
		if id, ok = c.parseID(a); !ok {
			return
		}
	}
	if sv == nil {
		sv = c.createStream(c.Args[2])
		c.Dirty(1)
	}
	if g != nil {
		c.Error("BUSYGROUP Consumer Group name already exists")
		return
	}
	sv.addGroup(groups.New(string(c.Args[3]), id, clampEntriesRead(opts.entriesRead, sv)))
	c.W.Status("OK")
	c.Dirty(1)
}

// clampEntriesRead keeps a given counter within the entries ever added.
func clampEntriesRead(n int64, sv *streamValue) int64 {
	if n != groups.InvalidEntriesRead && uint64(n) > sv.EntriesAdded() {
		return int64(sv.EntriesAdded())
	}
	return n
}

// XGROUP SETID key group id|$ [ENTRIESREAD n]
func xgroupSetID(c *Ctx, sv *streamValue, g *groups.Group, opts xgroupOpts) {
	var id streams.ID
	if a := c.Args[4]; len(a) == 1 && a[0] == '$' {
		id = sv.LastID()
	} else {
		var err error
		// Unlike CREATE, SETID takes "-" and "+".
		if id, err = streams.ParseRangeID(a, false); err != nil {
			c.Error(err.Error())
			return
		}
	}
	g.SetLastID(id, clampEntriesRead(opts.entriesRead, sv))
	c.W.Status("OK")
	c.Dirty(1)
}

// XGROUP DESTROY key group
func xgroupDestroy(c *Ctx, sv *streamValue, g *groups.Group, _ xgroupOpts) {
	if g == nil {
		c.W.Int(0)
		return
	}
	sv.deleteGroup(c.Args[3])
	c.W.Int(1)
	c.Dirty(1) // wakes XREADGROUP clients blocked on the group: they get NOGROUP
}

// XGROUP CREATECONSUMER key group consumer
func xgroupCreateConsumer(c *Ctx, _ *streamValue, g *groups.Group, _ xgroupOpts) {
	if _, created := g.CreateConsumer(c.Args[4], c.Now); created {
		c.W.Int(1)
		c.Dirty(1)
		return
	}
	c.W.Int(0)
}

// XGROUP DELCONSUMER key group consumer
func xgroupDelConsumer(c *Ctx, _ *streamValue, g *groups.Group, _ xgroupOpts) {
	pending, ok := g.DeleteConsumer(c.Args[4])
	if ok {
		c.Dirty(1)
	}
	c.W.Int(int64(pending))
}

// info gathers what the groups package needs to know about the stream.
func (sv *streamValue) info() groups.StreamInfo {
	return groups.StreamInfo{
		Length: sv.Len(), EntriesAdded: sv.EntriesAdded(),
		FirstID: sv.FirstID(), LastID: sv.LastID(), MaxDeletedID: sv.MaxDeletedID(),
	}
}

// has reports whether the stream holds a live entry id.
func (sv *streamValue) has(id streams.ID) bool { return sv.Get(id, nil) }

// noGroup is the NOGROUP error of XPENDING, XCLAIM, XAUTOCLAIM and XNACK.
// streamGroup finds the stream at key and its group, replying WRONGTYPE
// or NOGROUP (ok false) when either is missing.
func (c *Ctx) streamGroup(key, group []byte) (*streamValue, *groups.Group, bool) {
	sv, ok := c.stream(key)
	if !ok {
		return nil, nil, false
	}
	var g *groups.Group
	if sv != nil {
		g = sv.group(group)
	}
	if g == nil {
		c.Error(noGroup(key, group))
		return nil, nil, false
	}
	return sv, g, true
}

func noGroup(key, group []byte) string {
	return "NOGROUP No such key '" + string(key) + "' or consumer group '" + string(group) + "'"
}
