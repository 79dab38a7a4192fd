package broker

import (
	"errors"
	"fmt"
	"strconv"

	"sluice/acl"
	"sluice/commands"
	"sluice/resp"
)

// loadUsers sets up the ACL users: from the ACL file when there is one,
// else the default user with requirepass as its password. As in Redis,
// an ACL file with errors stops the start.
func loadUsers(cfg Config) (*acl.ACL, error) {
	users := acl.New(resp.Catalog(commands.Table()), cfg.ACLFile)
	if cfg.ACLFile == "" {
		users.SetDefaultPassword(cfg.RequirePass)
		return users, nil
	}
	if cfg.RequirePass != "" {
		// Redis ignores requirepass once an ACL file is loaded; refusing
		// the pair says so instead of leaving a password unused.
		return nil, errors.New("broker: --requirepass and --aclfile cannot be used together: give the default user its password in the ACL file")
	}
	if _, err := users.Load(); err != nil {
		return nil, fmt.Errorf("broker: ACL file: %w", err)
	}
	return users, nil
}

// addUserConfig gives CONFIG requirepass (the default user's password),
// aclfile and acllog-max-len.
func (b *Broker) addUserConfig() {
	b.eng.ConfigParam("requirepass", b.cfg.RequirePass, func(v string) error {
		b.acl.SetDefaultPassword(v)
		return nil
	})
	b.eng.ConfigParam("aclfile", b.cfg.ACLFile, nil)
	b.eng.ConfigParam("acllog-max-len", strconv.Itoa(acl.DefaultLogMaxLen), func(v string) error {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return fmt.Errorf("broker: acllog-max-len %q: %w", v, err)
		}
		b.acl.Log.SetMaxLen(n)
		return nil
	})
}
