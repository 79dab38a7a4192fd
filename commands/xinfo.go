package commands

import (
	"strings"

	"sluice/kernel"
	"sluice/streams"
)

var xinfoHelpLines = []string{
	"XINFO <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
	"CONSUMERS <key> <groupname>",
	"    Show consumers of <groupname>.",
	"GROUPS <key>",
	"    Show the stream consumer groups.",
	"STREAM <key> [FULL [COUNT <count>]",
	"    Show information about the stream.",
	"HELP",
	"    Print this help.",
}

// xinfoHelp serves XINFO HELP (the parent is only called for HELP).
func xinfoHelp(c *Ctx) {
	if len(c.Args) != 2 {
		c.Error("ERR wrong number of arguments for 'xinfo|help' command")
		return
	}
	c.W.Array(len(xinfoHelpLines))
	for _, l := range xinfoHelpLines {
		c.W.Status(l)
	}
}

// XINFO STREAM key [FULL [COUNT count]]
func xinfoStream(c *Ctx) {
	args := c.Args[1:] // from STREAM
	sv, ok := c.Stream(args[1])
	if !ok {
		return
	}
	if sv == nil {
		c.Error(errNoKey)
		return
	}
	full := len(args) > 2
	count := int64(10) // Redis's default, so FULL cannot stall the server
	if full {
		if (len(args) != 3 && len(args) != 5) || !equal(args[2], "full") {
			c.Error("ERR unknown subcommand or wrong number of arguments for 'stream'. Try XINFO HELP.")
			return
		}
		if len(args) == 5 {
			if !equal(args[3], "count") {
				c.Error(errSyntax)
				return
			}
			if count, ok = c.Int(args[4]); !ok {
				return
			}
			if count < 0 {
				count = 10
			}
		}
	}
	w := c.W
	n := 18 // Redis's fields and hot-bytes, cold-bytes
	if full {
		n = 17
	}
	ret := sv.Retention()
	if ret.Set() {
		n += 4
	}
	w.Map(n)
	w.BulkString("length")
	w.Int(int64(sv.Len()))
	w.BulkString("radix-tree-keys")
	w.Int(int64(sv.Blocks()))
	w.BulkString("radix-tree-nodes")
	w.Int(int64(sv.Blocks()))
	w.BulkString("last-generated-id")
	replyID(w, sv.LastID())
	w.BulkString("max-deleted-entry-id")
	replyID(w, sv.MaxDeletedID())
	w.BulkString("entries-added")
	w.Int(int64(sv.EntriesAdded()))
	w.BulkString("recorded-first-entry-id")
	replyID(w, sv.FirstID())
	replyIdmpInfo(c, sv)
	if full {
		w.BulkString("entries")
		replyRange(w, sv.Stream, streams.MinID, streams.MaxID, false, clampCount(count))
		w.BulkString("groups")
		replyGroupsFull(c, sv, count)
		replyRetention(w, ret)
		replyTiers(w, sv)
		return
	}
	w.BulkString("groups")
	w.Int(int64(sv.NumGroups()))
	var buf [48]byte
	for _, rev := range []bool{false, true} {
		if rev {
			w.BulkString("last-entry")
		} else {
			w.BulkString("first-entry")
		}
		found := false
		sv.Range(streams.MinID, streams.MaxID, rev, func(id streams.ID, fv [][]byte) bool {
			replyEntry(w, id, fv, buf[:0])
			found = true
			return false
		})
		if !found {
			w.Null()
		}
	}
	replyRetention(w, ret)
	replyTiers(w, sv)
}

// replyRetention writes a stream's own limits after Redis's fields, and
// only when one is set: a stream without them answers as in Redis.
func replyRetention(w Reply, r kernel.Retention) {
	if !r.Set() {
		return
	}
	w.BulkString("max-age")
	w.Int(r.MaxAge)
	w.BulkString("max-len")
	w.Int(int64(r.MaxLen))
	w.BulkString("max-bytes")
	w.Int(int64(r.MaxBytes))
	w.BulkString("discard")
	w.BulkString(strings.ToUpper(r.Discard.String()))
}

// replyTiers writes sluice's own fields, last so that the ones Redis has
// keep their places: the stream's entry data in memory and in block files.
func replyTiers(w Reply, sv *kernel.Stream) {
	w.BulkString("hot-bytes")
	w.Int(int64(sv.HotBytes()))
	w.BulkString("cold-bytes")
	w.Int(int64(sv.Bytes() - sv.HotBytes()))
}

// replyIdmpInfo writes the six IDMP fields of XINFO STREAM (Redis 8.6).
func replyIdmpInfo(c *Ctx, sv *kernel.Stream) {
	st := c.IDMP(sv)
	w := c.W
	w.BulkString("idmp-duration")
	w.Int(st.Duration)
	w.BulkString("idmp-maxsize")
	w.Int(int64(st.MaxSize))
	w.BulkString("pids-tracked")
	w.Int(int64(st.PIDs))
	w.BulkString("iids-tracked")
	w.Int(int64(st.IIDs))
	w.BulkString("iids-added")
	w.Int(st.Added)
	w.BulkString("iids-duplicates")
	w.Int(st.Duplicates)
}
