package resp

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"strings"
	"time"

	"sluice/acl"
	"sluice/internal/redisint"
	"sluice/kernel"
)

var aclHelp = []string{
	"ACL <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
	"CAT [<category>]",
	"    List all commands that belong to <category>, or all command categories",
	"    when no category is specified.",
	"DELUSER <username> [<username> ...]",
	"    Delete a list of users.",
	"DRYRUN <username> <command> [<arg> ...]",
	"    Returns whether the user can execute the given command without executing the command.",
	"GETUSER <username>",
	"    Get the user's details.",
	"GENPASS [<bits>]",
	"    Generate a secure 256-bit user password. The optional `bits` argument can",
	"    be used to specify a different size.",
	"LIST",
	"    Show users details in config file format.",
	"LOAD",
	"    Reload users from the ACL file.",
	"LOG [<count> | RESET]",
	"    Show the ACL log entries.",
	"SAVE",
	"    Save the current config to the ACL file.",
	"SETUSER <username> <attribute> [<attribute> ...]",
	"    Create or modify a user with the specified attributes.",
	"USERS",
	"    List all the registered usernames.",
	"WHOAMI",
	"    Return the current connection username.",
	"HELP",
	"    Print this help.",
}

// aclCommand serves ACL and its subcommands; the table has checked the
// subcommand and its arity.
func (c *client) aclCommand(args [][]byte) {
	a := c.srv.acl
	w := &c.w
	switch sub := strings.ToLower(string(args[1])); sub {
	case "help":
		if len(args) != 2 {
			c.error("ERR wrong number of arguments for 'acl|help' command")
			return
		}
		w.Array(len(aclHelp))
		for _, l := range aclHelp {
			w.Status(l)
		}
	case "setuser":
		rules := make([]string, len(args)-3)
		for i, r := range args[3:] {
			rules[i] = string(r)
		}
		if err := a.SetUser(string(args[2]), rules); err != nil {
			c.error("ERR " + err.Error())
			return
		}
		w.Status("OK")
	case "deluser":
		names := make([]string, len(args)-2)
		for i, n := range args[2:] {
			names[i] = string(n)
		}
		gone, err := a.DelUser(names)
		if err != nil {
			c.error("ERR " + err.Error())
			return
		}
		w.Int(int64(len(gone)))
		c.closeClientsOf(gone)
	case "getuser":
		c.aclGetUser(a.Users().Get(string(args[2])))
	case "list", "users":
		users := a.Users()
		list := users.Names()
		if sub == "list" {
			list = users.List()
		}
		w.Array(len(list))
		for _, l := range list {
			w.BulkString(l)
		}
	case "whoami":
		w.BulkString(c.userName)
	case "load":
		gone, err := a.Load()
		if err != nil {
			c.error("ERR " + err.Error())
			return
		}
		w.Status("OK")
		c.closeClientsOf(gone)
	case "save":
		if err := a.Save(); err != nil {
			if !errors.Is(err, acl.ErrNoFile) {
				c.srv.log.Warn("ACL SAVE failed", "err", err)
				err = acl.ErrSave
			}
			c.error("ERR " + err.Error())
			return
		}
		w.Status("OK")
	case "cat":
		c.aclCat(args)
	case "genpass":
		c.aclGenPass(args)
	case "log":
		c.aclLog(args)
	case "dryrun":
		c.aclDryRun(args)
	}
}

// subcommandSyntax is Redis's addReplySubcommandSyntaxError.
func subcommandSyntax(args [][]byte) string {
	return "ERR unknown subcommand or wrong number of arguments for '" + string(args[1]) + "'. Try " + strings.ToUpper(string(args[0])) + " HELP."
}

// closeClientsOf closes the connections of deleted users, this one after
// its reply is sent.
func (c *client) closeClientsOf(users []string) {
	if len(users) == 0 {
		return
	}
	gone := map[string]bool{}
	for _, u := range users {
		gone[u] = true
	}
	for _, o := range c.srv.clientList() {
		if gone[o.publicUser()] {
			c.kill(o)
		}
	}
}

// ACL GETUSER username
func (c *client) aclGetUser(u *acl.User) {
	w := &c.w
	if u == nil {
		w.Null()
		return
	}
	w.Map(6)
	w.BulkString("flags")
	flags := u.Flags()
	w.Set(len(flags))
	for _, f := range flags {
		w.BulkString(f)
	}
	w.BulkString("passwords")
	pw := u.Passwords()
	w.Array(len(pw))
	for _, p := range pw {
		w.BulkString(p)
	}
	c.selectorInfo(u.Root())
	w.BulkString("selectors")
	sels := u.Selectors()
	w.Array(len(sels))
	for _, s := range sels {
		w.Map(3)
		c.selectorInfo(s)
	}
}

func (c *client) selectorInfo(s acl.SelectorInfo) {
	for _, kv := range [][2]string{{"commands", s.Commands}, {"keys", s.Keys}, {"channels", s.Channels}} {
		c.w.BulkString(kv[0])
		c.w.BulkString(kv[1])
	}
}

// ACL CAT [category]
func (c *client) aclCat(args [][]byte) {
	w := &c.w
	switch len(args) {
	case 2:
		w.Array(len(acl.Categories))
		for _, cat := range acl.Categories {
			w.BulkString(cat)
		}
	case 3:
		cat := c.srv.acl.Catalog()
		ids, ok := cat.InCategory(string(args[2]))
		if !ok {
			name := string(args[2])
			c.error("ERR Unknown category '" + name[:min(len(name), 128)] + "'")
			return
		}
		w.Array(len(ids))
		for _, id := range ids {
			w.BulkString(cat.Command(id).Name)
		}
	default:
		c.error(subcommandSyntax(args))
	}
}

// ACL GENPASS [bits]
func (c *client) aclGenPass(args [][]byte) {
	bits := int64(256)
	if len(args) > 3 {
		c.error(subcommandSyntax(args))
		return
	}
	if len(args) == 3 {
		n, ok := redisint.Parse(args[2])
		if !ok {
			c.error(kernel.ErrNotInt)
			return
		}
		bits = n
	}
	if bits <= 0 || bits > 4096 {
		c.error("ERR ACL GENPASS argument must be the number of bits for the output password, a positive number up to 4096")
		return
	}
	b := make([]byte, (bits+7)/8)
	rand.Read(b)
	c.w.BulkString(hex.EncodeToString(b)[:(bits+3)/4])
}

// ACL LOG [count | RESET]
func (c *client) aclLog(args [][]byte) {
	log := c.srv.acl.Log
	count := int64(10)
	switch {
	case len(args) > 3:
		c.error(subcommandSyntax(args))
		return
	case len(args) == 3 && kernel.Equal(args[2], "reset"):
		log.Reset()
		c.w.Status("OK")
		return
	case len(args) == 3:
		n, ok := redisint.Parse(args[2])
		if !ok {
			c.error(kernel.ErrNotInt)
			return
		}
		count = max(n, 0)
	}
	entries := log.Entries(int(min(count, 1<<20)))
	now := time.Now()
	w := &c.w
	w.Array(len(entries))
	for _, e := range entries {
		w.Map(10)
		w.BulkString("count")
		w.Int(e.Count)
		for _, kv := range [][2]string{{"reason", e.Reason}, {"context", e.Context}, {"object", e.Object}, {"username", e.Username}} {
			w.BulkString(kv[0])
			w.BulkString(kv[1])
		}
		w.BulkString("age-seconds")
		w.Double(float64(now.Sub(e.Updated).Milliseconds()) / 1000)
		w.BulkString("client-info")
		w.BulkString(e.ClientInfo)
		w.BulkString("entry-id")
		w.Int(e.ID)
		w.BulkString("timestamp-created")
		w.Int(e.Created.UnixMilli())
		w.BulkString("timestamp-last-updated")
		w.Int(e.Updated.UnixMilli())
	}
}

// ACL DRYRUN username command [arg ...]
func (c *client) aclDryRun(args [][]byte) {
	a := c.srv.acl
	u := a.Users().Get(string(args[2]))
	if u == nil {
		c.error("ERR User '" + string(args[2]) + "' not found")
		return
	}
	cmdArgs := args[3:]
	t := c.srv.eng.Commands()
	cmd := t.Lookup(cmdArgs[0])
	if cmd != nil && len(cmd.Subs) > 0 && len(cmdArgs) > 1 {
		cmd = cmd.Sub(cmdArgs[1])
		cmdArgs = cmdArgs[1:]
	}
	if cmd == nil {
		c.error("ERR Command '" + string(args[3]) + "' not found")
		return
	}
	if !kernel.ArityOK(cmd.Arity, len(cmdArgs)) {
		c.error("ERR wrong number of arguments for '" + cmd.FullName() + "' command")
		return
	}
	msg, object, reason := c.deniedFor(u, cmd, args[3:])
	switch {
	case msg == "":
		c.w.Status("OK")
	case reason == acl.ReasonKey:
		c.w.BulkString("User " + u.Name() + " has no permissions to access the '" + object + "' key")
	default:
		c.w.BulkString(msg)
	}
}

// publicUser is the connection's user, for other connections to read.
func (c *client) publicUser() string {
	c.info.Lock()
	defer c.info.Unlock()
	return c.infoUser
}
