package commands

import (
	"errors"
	"strings"

	"sluice/kernel"
)

// SAVE writes a snapshot while holding the lock, so nothing changes
// meanwhile: like Redis's SAVE it stops the server for the duration.
func save(c *Ctx) {
	if err := c.Save(); err != nil {
		c.Error(saveError(err))
		return
	}
	c.W.Status("OK")
}

func bgsave(c *Ctx) {
	schedule := false
	switch {
	case len(c.Args) == 2 && equal(c.Args[1], "schedule"):
		schedule = true
	case len(c.Args) > 1:
		c.Error(errSyntax)
		return
	}
	s := c.Saver()
	if s == nil {
		c.Error("ERR snapshots are not enabled on this server")
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
	if s := c.Saver(); s != nil {
		c.W.Int(s.LastSave())
		return
	}
	c.W.Int(c.Started().Unix())
}

// saveError turns a saver's error into a reply with an error code.
func saveError(err error) string {
	if errors.Is(err, kernel.ErrSaveInProgress) {
		return kernel.ErrSaveInProgress.Error()
	}
	msg := err.Error()
	if strings.HasPrefix(msg, "ERR ") {
		return msg
	}
	return "ERR " + msg
}
