package engine

import (
	"errors"
	"strings"
)

func init() {
	register(
		&Cmd{Name: "save", Arity: 1, Flags: FlagAdmin | FlagNoScript | FlagNoMulti, Group: "server", Since: "1.0.0",
			Summary: "Synchronously saves the database(s) to disk.", Run: save},
		&Cmd{Name: "bgsave", Arity: -1, Flags: FlagAdmin | FlagNoScript, Group: "server", Since: "1.0.0",
			Summary: "Asynchronously saves the database(s) to disk.", Run: bgsave},
		&Cmd{Name: "lastsave", Arity: 1, Flags: FlagFast, Group: "server", Since: "1.0.0",
			Summary: "Returns the Unix timestamp of the last successful save to disk.", Run: lastsave},
	)
}

const errNoSaver = "ERR snapshots are not enabled on this server"

// save writes a snapshot while holding the lock, so nothing changes
// meanwhile: like Redis's SAVE it stops the server for the duration.
func save(c *Ctx) {
	s := c.e.saver()
	if s == nil {
		c.Error(errNoSaver)
		return
	}
	st, covered, err := c.e.capture()
	if err == nil {
		err = s.Save(st)
	}
	if err != nil {
		c.Error(saveError(err))
		return
	}
	c.e.saved(covered)
	c.W.Status("OK")
}

func bgsave(c *Ctx) {
	schedule := false
	switch {
	case len(c.Args) == 2 && Equal(c.Args[1], "schedule"):
		schedule = true
	case len(c.Args) > 1:
		c.Error(ErrSyntax)
		return
	}
	s := c.e.saver()
	if s == nil {
		c.Error(errNoSaver)
		return
	}
	scheduled, err := s.Background(schedule)
	switch {
	case err != nil:
		c.Error(saveError(err))
	case scheduled:
		c.W.Status("Background saving scheduled")
	default:
		c.W.Status("Background saving started")
	}
}

func lastsave(c *Ctx) {
	if s := c.e.saver(); s != nil {
		c.W.Int(s.LastSave())
		return
	}
	c.W.Int(c.e.started.Unix())
}

// saveError turns a saver's error into a reply with an error code.
func saveError(err error) string {
	if errors.Is(err, ErrSaveInProgress) {
		return ErrSaveInProgress.Error()
	}
	msg := err.Error()
	if strings.HasPrefix(msg, "ERR ") {
		return msg
	}
	return "ERR " + msg
}
