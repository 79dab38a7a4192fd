package acl

import "errors"

// Errors of a rule, worded as Redis's ACLSetUserStringError words them.
var (
	ErrSyntax      = errors.New("Syntax error")
	ErrUnknown     = errors.New("Unknown command or category name in ACL")
	ErrKeyAfterAll = errors.New("Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any effect. " +
		"Try 'resetkeys' to start with an empty list of patterns")
	ErrChannelAfterAll = errors.New("Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not have any effect. " +
		"Try 'resetchannels' to start with an empty list of channels")
	ErrNoSuchPassword = errors.New("The password you are trying to remove from the user does not exist")
	ErrBadHash        = errors.New("The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters")
	ErrSubFirstArg    = errors.New("Allowing first-arg of a subcommand is not supported")
	// ErrFirstArg is sluice's: Redis accepts "+select|0" (a first argument
	// of a command without subcommands) with a deprecation warning.
	ErrFirstArg = errors.New("Allowing first-arg of a command is not supported by sluice")
)
