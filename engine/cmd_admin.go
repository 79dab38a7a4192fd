package engine

import "sluice/streams"

// Administrative commands that test harnesses and tools send. sluice runs
// no scripts or functions, so flushing them succeeds and does nothing.
func init() {
	register(
		&Cmd{Name: "function", Arity: -2, Group: "scripting", Since: "7.0.0",
			Summary: "A container for function commands.", Run: func(c *Ctx) {
				replyHelp(c, "FUNCTION", "FLUSH [ASYNC|SYNC]", "    Delete all the libraries and functions.",
					"LIST", "    Return general information on all the libraries.")
			}},
		&Cmd{Name: "script", Arity: -2, Group: "scripting", Since: "2.6.0",
			Summary: "A container for Lua scripts management commands.", Run: func(c *Ctx) {
				replyHelp(c, "SCRIPT", "EXISTS <sha1> [<sha1> ...]", "    Return information about the existence of the scripts in the script cache.",
					"FLUSH [ASYNC|SYNC]", "    Flush the Lua scripts cache.")
			}},
		&Cmd{Name: "debug", Arity: -2, Flags: FlagAdmin, Group: "server", Since: "1.0.0",
			Summary: "A container for debugging commands.", Run: func(c *Ctx) {
				c.Error("ERR DEBUG command not allowed. If the enable-debug-command option is set to \"local\", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.")
			}},
		&Cmd{Name: "memory", Arity: -2, Group: "server", Since: "4.0.0",
			Summary: "A container for memory diagnostics commands.", Run: func(c *Ctx) {
				replyHelp(c, "MEMORY", "DOCTOR", "    Return memory problems reports.",
					"USAGE <key> [SAMPLES <count>]", "    Return memory in bytes used by <key> and its value. Nested values are",
					"    sampled up to <count> times (default: 5, 0 means sample all).")
			}},
		&Cmd{Name: "object", Arity: -2, Group: "generic", Since: "2.2.3",
			Summary: "A container for object introspection commands.", Run: func(c *Ctx) {
				replyHelp(c, "OBJECT",
					"ENCODING <key>",
					"    Return the kind of internal representation used in order to store the value",
					"    associated with a <key>.",
					"FREQ <key>",
					"    Return the access frequency index of the <key>. The returned integer is",
					"    proportional to the logarithm of the recent access frequency of the key.",
					"IDLETIME <key>",
					"    Return the idle time of the <key>, that is the approximated number of",
					"    seconds elapsed since the last access to the key.",
					"REFCOUNT <key>",
					"    Return the number of references of the value associated with the specified",
					"    <key>.")
			}},
	)
	flushOK := func(c *Ctx) {
		if parseFlushMode(&Ctx{e: c.e, cmd: c.cmd, W: c.W, Args: c.Args[1:]}) {
			c.W.Status("OK")
		} else {
			c.failed = true
		}
	}
	registerSub("function", &Cmd{Name: "flush", Arity: -1, Flags: FlagWrite | FlagNoScript, Group: "scripting", Since: "7.0.0",
		Summary: "Deletes all libraries and functions.", Run: flushOK})
	registerSub("function", &Cmd{Name: "list", Arity: -1, Flags: FlagNoScript, Group: "scripting", Since: "7.0.0",
		Summary: "Returns information about all libraries.", Run: func(c *Ctx) { c.W.Array(0) }})
	registerSub("script", &Cmd{Name: "flush", Arity: -1, Flags: FlagNoScript, Group: "scripting", Since: "2.6.0",
		Summary: "Removes all server-side Lua scripts from the script cache.", Run: flushOK})
	registerSub("script", &Cmd{Name: "exists", Arity: -2, Flags: FlagNoScript, Group: "scripting", Since: "2.6.0",
		Summary: "Determines whether server-side Lua scripts exist in the script cache.", Run: func(c *Ctx) {
			c.W.Array(len(c.Args) - 2)
			for range c.Args[2:] {
				c.W.Int(0)
			}
		}})
	registerSub("memory", &Cmd{Name: "usage", Arity: -2, Flags: FlagReadOnly, FirstKey: 2, LastKey: 2, Step: 1, Group: "server", Since: "4.0.0",
		Summary: "Estimates the memory usage of a key.", Run: memoryUsage})
	registerSub("memory", &Cmd{Name: "doctor", Arity: 1, Group: "server", Since: "4.0.0",
		Summary: "Outputs a memory problems report.", Run: func(c *Ctx) {
			c.W.Verbatim("txt", "Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base.")
		}})
	obj := func(name, summary string, run func(c *Ctx, v value)) {
		registerSub("object", &Cmd{Name: name, Arity: 2, Flags: FlagReadOnly, FirstKey: 2, LastKey: 2, Step: 1, Group: "generic", Since: "2.2.3",
			Summary: summary, Run: func(c *Ctx) {
				v := c.db.lookup(string(c.Args[2]), c.Now)
				if v == nil {
					c.W.Null()
					return
				}
				run(c, v)
			}})
	}
	obj("encoding", "Returns the internal encoding of a Redis object.", func(c *Ctx, v value) { c.W.BulkString(encoding(v)) })
	obj("freq", "Returns the logarithmic access frequency counter of a Redis object.", func(c *Ctx, v value) {
		c.Error("ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.")
	})
	obj("idletime", "Returns the time since the last access to a Redis object.", func(c *Ctx, v value) { c.W.Int(0) })
	obj("refcount", "Returns the reference count of a value of a key.", func(c *Ctx, v value) { c.W.Int(1) })
}

// encoding names a value's representation as OBJECT ENCODING does.
func encoding(v value) string {
	switch x := v.(type) {
	case *stringValue:
		if _, ok := parseStrictInt(x.b); ok {
			return "int"
		}
		if len(x.b) <= 44 {
			return "embstr"
		}
		return "raw"
	case *streamValue:
		return "stream"
	}
	return "unknown"
}

// MEMORY USAGE key [SAMPLES count]
func memoryUsage(c *Ctx) {
	for i := 3; i < len(c.Args); i++ {
		if Equal(c.Args[i], "samples") && i+1 < len(c.Args) {
			if _, ok := c.Int(c.Args[i+1]); !ok {
				return
			}
			i++
			continue
		}
		c.Error(ErrSyntax)
		return
	}
	key := string(c.Args[2])
	v := c.db.lookup(key, c.Now)
	if v == nil {
		c.W.Null()
		return
	}
	c.W.Int(int64(valueSize(key, v)))
}

// valueSize estimates the bytes a key and its value take.
func valueSize(key string, v value) int {
	n := 16 + len(key) + 24 // dict entry, key string
	switch x := v.(type) {
	case *stringValue:
		n += 16 + len(x.b)
	case *streamValue:
		n += 96
		x.EachBlock(func(b streams.Block) bool {
			n += 64 + len(b.Data)
			return true
		})
		n += 128 * x.numGroups()
	}
	return n
}
