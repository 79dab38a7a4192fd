package commands

import (
	"sluice/groups"
	"sluice/kernel"
	"sluice/streams"
)

// xgroupRun is a subcommand after the shared checks: sv is nil only for
// CREATE MKSTREAM, g is nil only for CREATE and DESTROY.
type xgroupRun func(c *Ctx, sv *kernel.Stream, g *groups.Group, opts xgroupOpts)

// xgroupHelpLines is Redis's XGROUP HELP, word for word; sluice's CONFIG
// and REDRIVE are in COMMAND DOCS.
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
	create, setid := equal(c.Args[1], "create"), equal(c.Args[1], "setid")
	opts := xgroupOpts{entriesRead: groups.InvalidEntriesRead}
	for i := 5; (create || setid) && i < len(c.Args); i++ {
		switch a := c.Args[i]; {
		case create && equal(a, "mkstream"):
			opts.mkstream = true
		case (create || setid) && equal(a, "entriesread") && i+1 < len(c.Args):
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
			subcommandSyntaxError(c)
			return
		}
	}
	sv, ok := c.Stream(c.Args[2])
	if !ok {
		return
	}
	if sv == nil && !opts.mkstream {
		c.Error("ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.")
		return
	}
	var g *groups.Group
	if sv != nil {
		g = sv.Group(c.Args[3])
	}
	if g == nil && !create && !equal(c.Args[1], "destroy") {
		c.Error("NOGROUP No such consumer group '" + string(c.Args[3]) + "' for key name '" + string(c.Args[2]) + "'")
		return
	}
	if (create && len(c.Args) > 8) || (setid && len(c.Args) != 5 && len(c.Args) != 7) {
		subcommandSyntaxError(c)
		return
	}
	run(c, sv, g, opts)
}

func xgroupCreate(c *Ctx)         { xgroup(c, groupCreate) }
func xgroupSetID(c *Ctx)          { xgroup(c, groupSetID) }
func xgroupDestroy(c *Ctx)        { xgroup(c, groupDestroy) }
func xgroupCreateConsumer(c *Ctx) { xgroup(c, groupCreateConsumer) }
func xgroupDelConsumer(c *Ctx)    { xgroup(c, groupDelConsumer) }

// XGROUP CREATE key group id|$ [MKSTREAM] [ENTRIESREAD n]
func groupCreate(c *Ctx, s *kernel.Stream, g *groups.Group, opts xgroupOpts) {
	key := c.Args[2]
	var id streams.ID
	if a := c.Args[4]; len(a) == 1 && a[0] == '$' {
		if s != nil {
			id = s.LastID()
		}
	} else {
		var ok bool
		if id, ok = c.ParseID(a); !ok {
			return
		}
	}
	if s == nil {
		s = c.CreateStream(key)
		c.Dirty(1)
	}
	if g != nil {
		c.Error("BUSYGROUP Consumer Group name already exists")
		return
	}
	c.CreateGroup(key, s, c.Args[3], id, clampEntriesRead(opts.entriesRead, s))
	c.W.Status("OK")
	c.Dirty(1)
}

// clampEntriesRead keeps a given counter within the entries ever added.
func clampEntriesRead(n int64, s *kernel.Stream) int64 {
	if n != groups.InvalidEntriesRead && uint64(n) > s.EntriesAdded() {
		return int64(s.EntriesAdded())
	}
	return n
}

// XGROUP SETID key group id|$ [ENTRIESREAD n]
func groupSetID(c *Ctx, s *kernel.Stream, g *groups.Group, opts xgroupOpts) {
	var id streams.ID
	if a := c.Args[4]; len(a) == 1 && a[0] == '$' {
		id = s.LastID()
	} else {
		var err error
		// Unlike CREATE, SETID takes "-" and "+".
		if id, err = streams.ParseRangeID(a, false); err != nil {
			c.Error(err.Error())
			return
		}
	}
	c.SetGroupID(c.Args[2], g, id, clampEntriesRead(opts.entriesRead, s))
	c.W.Status("OK")
	c.Dirty(1)
}

// XGROUP DESTROY key group
func groupDestroy(c *Ctx, s *kernel.Stream, g *groups.Group, _ xgroupOpts) {
	if g == nil {
		c.W.Int(0)
		return
	}
	c.DestroyGroup(c.Args[2], s, c.Args[3])
	c.W.Int(1)
	c.Dirty(1)
}

// XGROUP CREATECONSUMER key group consumer
func groupCreateConsumer(c *Ctx, _ *kernel.Stream, g *groups.Group, _ xgroupOpts) {
	if c.CreateConsumer(c.Args[2], g, c.Args[4]) {
		c.W.Int(1)
		c.Dirty(1)
		return
	}
	c.W.Int(0)
}

// XGROUP DELCONSUMER key group consumer
func groupDelConsumer(c *Ctx, _ *kernel.Stream, g *groups.Group, _ xgroupOpts) {
	pending, ok := c.DeleteConsumer(c.Args[2], g, c.Args[4])
	if ok {
		c.Dirty(1)
	}
	c.W.Int(int64(pending))
}

// streamGroup finds the stream at key and its group, replying WRONGTYPE
// or NOGROUP (ok false) when either is missing.
func streamGroup(c *Ctx, key, group []byte) (*kernel.Stream, *groups.Group, bool) {
	s, ok := c.Stream(key)
	if !ok {
		return nil, nil, false
	}
	var g *groups.Group
	if s != nil {
		g = s.Group(group)
	}
	if g == nil {
		c.Error(noGroup(key, group))
		return nil, nil, false
	}
	return s, g, true
}

// noGroup is the NOGROUP error of XPENDING, XCLAIM, XAUTOCLAIM and XNACK.
func noGroup(key, group []byte) string {
	return "NOGROUP No such key '" + string(key) + "' or consumer group '" + string(group) + "'"
}
