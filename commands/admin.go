package commands

import (
	"sluice/internal/redisint"
	"sluice/kernel"
)

// Administrative commands that test harnesses and tools send. sluice runs
// no scripts or functions, so flushing them succeeds and does nothing.

func functionHelp(c *Ctx) {
	replyHelp(c, "FUNCTION", "FLUSH [ASYNC|SYNC]", "    Delete all the libraries and functions.",
		"LIST", "    Return general information on all the libraries.")
}

func scriptHelp(c *Ctx) {
	replyHelp(c, "SCRIPT", "EXISTS <sha1> [<sha1> ...]", "    Return information about the existence of the scripts in the script cache.",
		"FLUSH [ASYNC|SYNC]", "    Flush the Lua scripts cache.")
}

func debug(c *Ctx) {
	c.Error("ERR DEBUG command not allowed. If the enable-debug-command option is set to \"local\", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.")
}

func memoryHelp(c *Ctx) {
	replyHelp(c, "MEMORY", "DOCTOR", "    Return memory problems reports.",
		"USAGE <key> [SAMPLES <count>]", "    Return memory in bytes used by <key> and its value. Nested values are",
		"    sampled up to <count> times (default: 5, 0 means sample all).")
}

func objectHelp(c *Ctx) {
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
}

// FUNCTION FLUSH, SCRIPT FLUSH [ASYNC|SYNC]: nothing to flush.
func flushOK(c *Ctx) {
	if parseFlushMode(c, c.Args[2:]) {
		c.W.Status("OK")
	}
}

func functionList(c *Ctx) { c.W.Array(0) }

func scriptExists(c *Ctx) {
	c.W.Array(len(c.Args) - 2)
	for range c.Args[2:] {
		c.W.Int(0)
	}
}

func memoryDoctor(c *Ctx) {
	c.W.Verbatim("txt", "Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base.")
}

// object runs an OBJECT subcommand on a live key; a missing one is nil.
func object(c *Ctx, run func(v kernel.Value)) {
	v := c.Lookup(c.Args[2])
	if v == nil {
		c.W.Null()
		return
	}
	run(v)
}

func objectEncoding(c *Ctx) { object(c, func(v kernel.Value) { c.W.BulkString(encoding(v)) }) }

func objectFreq(c *Ctx) {
	object(c, func(kernel.Value) {
		c.Error("ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.")
	})
}

func objectIdletime(c *Ctx) { object(c, func(kernel.Value) { c.W.Int(0) }) }
func objectRefcount(c *Ctx) { object(c, func(kernel.Value) { c.W.Int(1) }) }

// encoding names a value's representation as OBJECT ENCODING does.
func encoding(v kernel.Value) string {
	switch x := v.(type) {
	case *kernel.String:
		if _, ok := redisint.Parse(x.B); ok {
			return "int"
		}
		if len(x.B) <= 44 {
			return "embstr"
		}
		return "raw"
	case *kernel.Stream:
		return "stream"
	}
	return "unknown"
}

// MEMORY USAGE key [SAMPLES count]
func memoryUsage(c *Ctx) {
	for i := 3; i < len(c.Args); i++ {
		if equal(c.Args[i], "samples") && i+1 < len(c.Args) {
			if _, ok := c.Int(c.Args[i+1]); !ok {
				return
			}
			i++
			continue
		}
		c.Error(errSyntax)
		return
	}
	v := c.Lookup(c.Args[2])
	if v == nil {
		c.W.Null()
		return
	}
	c.W.Int(int64(valueSize(len(c.Args[2]), v)))
}

// valueSize estimates the bytes of memory a key and its value take: a
// stream's blocks on disk (cold) count only for what finds them, which
// XINFO STREAM reports as cold-bytes.
func valueSize(keyLen int, v kernel.Value) int {
	n := 16 + keyLen + 24 // dict entry, key string
	switch x := v.(type) {
	case *kernel.String:
		n += 16 + len(x.B)
	case *kernel.Stream:
		n += 96 + blockOverhead*x.Blocks() + int(x.HotBytes()) + 128*x.NumGroups()
	}
	return n
}

// blockOverhead is what a block takes besides its data: its 64-byte entry
// in the index, whose B-tree leaves an append-only stream leaves about
// half full.
const blockOverhead = 128
