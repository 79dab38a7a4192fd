package kernel

import (
	"sort"
	"strings"
)

// AddInfoSection adds fields to an INFO section, computed each time INFO
// runs. For a built-in section (server, clients, persistence, stats, ...)
// a field with the name of a built-in one replaces its value in place and
// other fields are appended; any other name makes a new section, shown by
// default and in INFO ALL. fn runs under the engine lock: it must not call
// Engine methods that lock. Call it before serving.
func (e *Engine) AddInfoSection(name string, fn func(add func(key, value string))) {
	e.mu.Lock()
	defer e.mu.Unlock()
	name = strings.ToLower(name)
	e.info[name] = append(e.info[name], fn)
}

// InfoProviders are the embedder's fields for an INFO section.
func (c *Ctx) InfoProviders(name string) []func(add func(key, value string)) { return c.e.info[name] }

// InfoSections are the names of the sections the embedder added to, sorted.
func (c *Ctx) InfoSections() []string {
	names := make([]string, 0, len(c.e.info))
	for n := range c.e.info {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// BlockingKeys counts the keys some client is blocked on.
func (c *Ctx) BlockingKeys() int {
	n := 0
	for _, d := range c.e.dbs {
		n += len(d.waits)
	}
	return n
}
