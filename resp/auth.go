package resp

import (
	"time"

	"sluice/acl"
	"sluice/kernel"
)

// Catalog is the command table as ACL rules see it.
func Catalog(t *kernel.Table) *acl.Catalog {
	all := t.All()
	cmds := make([]acl.Command, len(all))
	for i, c := range all {
		cmds[i] = acl.Command{Name: c.FullName(), Categories: c.Categories(), NoAuth: c.Has(kernel.NoAuth), Parent: -1}
		if p := c.Parent(); p != nil {
			cmds[i].Parent = p.ID()
		}
		for _, s := range c.Subs {
			cmds[i].Subs = append(cmds[i].Subs, s.ID())
		}
	}
	return acl.NewCatalog(cmds)
}

// aclUser is the connection's user as the rules are now: a change to the
// users publishes a new snapshot, which the next command sees. nil once
// the user is deleted (the connection is being closed).
func (c *client) aclUser() *acl.User {
	if users := c.srv.acl.Users(); users != c.users {
		c.users, c.user = users, users.Get(c.userName)
	}
	return c.user
}

// setUser makes the connection act as a user.
func (c *client) setUser(name string, authed bool) {
	c.userName, c.authed, c.users = name, authed, nil
	c.info.Lock()
	c.infoUser = name
	c.info.Unlock()
}

// startAsDefault puts the connection in its initial state: the default
// user, authenticated if that user needs no password (Redis's
// createClient and RESET).
func (c *client) startAsDefault() {
	d := c.srv.acl.Users().Default()
	c.setUser("default", d.NoPass() && d.Enabled())
}

// authRequired is Redis's authRequired: the client has not authenticated
// and the default user would not let it in without.
func (c *client) authRequired() bool {
	if c.authed {
		return false
	}
	d := c.srv.acl.Users().Default()
	return !d.NoPass() || !d.Enabled()
}

// login authenticates the connection as user with pass, or records the
// failure in the ACL log (object: the command, as sent).
func (c *client) login(cmdName, user, pass string) bool {
	if u := c.srv.acl.Authenticate(user, pass); u != nil {
		c.setUser(user, true)
		return true
	}
	c.srv.acl.Log.Add(acl.ReasonAuth, c.aclContext(), cmdName, user, c.infoLine(time.Now()), time.Now())
	return false
}

func (c *client) aclContext() string {
	if c.multi != nil {
		return acl.ContextMulti
	}
	return acl.ContextTopLevel
}

// denied checks a command against the connection's user before it runs
// or is queued, using the command's row: its id, and its key positions
// with the access its flags say it needs (Write: write, ReadOnly: read).
// It returns the reason and the ACL LOG object, or "" when allowed.
func (c *client) denied(cmd *kernel.Command, args [][]byte) (msg, object, reason string) {
	return c.deniedFor(c.aclUser(), cmd, args)
}

// deniedFor is denied for user u (nil: deleted).
func (c *client) deniedFor(u *acl.User, cmd *kernel.Command, args [][]byte) (msg, object, reason string) {
	if u == nil {
		return "User " + c.userName + " has no permissions to run the '" + cmd.FullName() + "' command", cmd.FullName(), acl.ReasonCommand
	}
	if u.Unrestricted() {
		return "", "", ""
	}
	var keys []acl.KeyRef
	if idx := cmd.KeyIndexes(args); len(idx) > 0 {
		var perm acl.Perm
		if cmd.Has(kernel.ReadOnly) {
			perm |= acl.Read
		}
		if cmd.Has(kernel.Write) {
			perm |= acl.Write
		}
		keys = make([]acl.KeyRef, len(idx))
		for i, p := range idx {
			keys[i] = acl.KeyRef{Pos: p, Key: args[p], Perm: perm}
		}
	}
	switch d, pos := u.Check(c.srv.acl.Catalog(), cmd.ID(), keys); d {
	case acl.DeniedCommand:
		return "User " + u.Name() + " has no permissions to run the '" + cmd.FullName() + "' command", cmd.FullName(), acl.ReasonCommand
	case acl.DeniedKey:
		return "No permissions to access a key", string(args[pos]), acl.ReasonKey
	}
	return "", "", ""
}

// checkACL refuses a command the connection's user may not run, with
// Redis's NOPERM error, and records it in the ACL log.
func (c *client) checkACL(cmd *kernel.Command, args [][]byte) bool {
	msg, object, reason := c.denied(cmd, args)
	if msg == "" {
		return true
	}
	c.logDenial(reason, c.aclContext(), object)
	c.srv.eng.CountError(cmd, "NOPERM "+msg)
	c.w.Error("NOPERM " + msg)
	return false
}

func (c *client) logDenial(reason, context, object string) {
	now := time.Now()
	c.srv.acl.Log.Add(reason, context, object, c.userName, c.infoLine(now), now)
}
