package kernel

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"

	"sluice/internal/redisint"
	"sluice/streams"
)

// Param is one CONFIG parameter. Values are kept as Redis shows them.
type Param struct {
	Name     string
	Value    string
	ReadOnly bool
	// Check validates a new value and returns it normalized; nil accepts
	// anything.
	Check func(v string) (string, error)
	// Update, for a parameter set a part at a time
	// (client-output-buffer-limit), validates a new value against the
	// current one and returns the whole value to store; it replaces Check.
	Update func(current, v string) (string, error)
}

// Config holds the parameters. It is guarded by the engine lock.
type Config struct {
	params map[string]*Param
	ints   map[string]int64 // parsed numeric values, for the hot path
	// What every XADD reads, apart from the map: the block limits and
	// maxmemory.
	limits    streams.Limits
	maxMemory int64
}

// Persisted are the parameters replay depends on: they decide how stream
// blocks are cut (which "~" trimming follows) and how IDMP starts. CONFIG
// SET logs them (SetConfig) and snapshots carry them.
var Persisted = []string{"stream-node-max-bytes", "stream-node-max-entries",
	"stream-idmp-duration", "stream-idmp-maxsize"}

func newConfig(databases int) *Config {
	c := &Config{params: map[string]*Param{}, ints: map[string]int64{}}
	c.Define(&Param{Name: "stream-node-max-bytes", Value: "4096", Check: CheckMemory})
	c.Define(&Param{Name: "stream-node-max-entries", Value: "100", Check: CheckInt(0, 1<<31-1)})
	c.Define(&Param{Name: "databases", Value: strconv.Itoa(databases), ReadOnly: true})
	c.Define(&Param{Name: "stream-idmp-duration", Value: "100", Check: CheckInt(1, IDMPMaxDuration)})
	c.Define(&Param{Name: "stream-idmp-maxsize", Value: "100", Check: CheckInt(1, IDMPMaxMaxSize)})
	// The limits and group settings new streams and groups start with;
	// they are logged as the stream's or group's own when it is made.
	c.Define(&Param{Name: "stream-max-age", Value: "0", Check: CheckInt(0, math.MaxInt64)})
	c.Define(&Param{Name: "stream-max-len", Value: "0", Check: CheckInt(0, math.MaxInt64)})
	c.Define(&Param{Name: "stream-max-bytes", Value: "0", Check: CheckMemory})
	c.Define(&Param{Name: "stream-discard", Value: "old", Check: CheckEnum("old", "new", "acked")})
	c.Define(&Param{Name: "group-max-deliver", Value: "0", Check: CheckInt(0, math.MaxInt64)})
	c.Define(&Param{Name: "group-ack-wait", Value: "0", Check: CheckInt(0, math.MaxInt64)})
	c.Define(&Param{Name: "group-dead-letter", Value: ""})
	return c
}

// Define adds a parameter, or replaces its definition, keeping a check
// it had when p has none.
func (c *Config) Define(p *Param) {
	if old, ok := c.params[p.Name]; ok && p.Check == nil && p.Update == nil {
		p.Check, p.Update = old.Check, old.Update
	}
	c.params[p.Name] = p
	n, err := strconv.ParseInt(p.Value, 10, 64)
	if err != nil {
		delete(c.ints, p.Name)
		n = 0
	}
	c.setInt(p.Name, n, err == nil)
}

// setInt records a parameter's numeric value (0 when it has none).
func (c *Config) setInt(name string, n int64, numeric bool) {
	if numeric {
		c.ints[name] = n
	}
	switch name {
	case "stream-node-max-bytes":
		c.limits.MaxBytes = int(n)
	case "stream-node-max-entries":
		c.limits.MaxEntries = int(n)
	case "maxmemory":
		c.maxMemory = n
	}
}

// Int is a numeric parameter's value, 0 if it has none.
func (c *Config) Int(name string) int64 { return c.ints[name] }

// Get returns a parameter's value.
func (c *Config) Get(name string) (string, bool) {
	p, ok := c.params[strings.ToLower(name)]
	if !ok {
		return "", false
	}
	return p.Value, true
}

// Param returns a parameter's definition.
func (c *Config) Param(name string) (*Param, bool) {
	p, ok := c.params[strings.ToLower(name)]
	return p, ok
}

// Match returns the parameters whose names match a glob, sorted.
func (c *Config) Match(pattern string) []*Param {
	var out []*Param
	pat := []byte(strings.ToLower(pattern))
	for name, p := range c.params {
		if GlobMatch(pat, []byte(name)) {
			out = append(out, p)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// ErrUnknownParam is Set's error for a name that is not a parameter.
var ErrUnknownParam = errors.New("unknown parameter")

// Set validates and stores a value; errors carry Redis's wording.
func (c *Config) Set(name, value string) error {
	p, ok := c.params[strings.ToLower(name)]
	if !ok {
		return ErrUnknownParam
	}
	if p.ReadOnly {
		return errors.New("can't set immutable config")
	}
	v, err := p.Validate(value)
	if err != nil {
		return err
	}
	p.Value = v
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		c.setInt(p.Name, n, true)
	}
	return nil
}

// Validate checks a new value for p and returns the value to store.
func (p *Param) Validate(v string) (string, error) {
	switch {
	case p.Update != nil:
		return p.Update(p.Value, v)
	case p.Check != nil:
		return p.Check(v)
	}
	return v, nil
}

// IsPersisted reports whether CONFIG SET of name must be logged.
func IsPersisted(name string) bool { return slices.Contains(Persisted, name) }

// CheckInt accepts integers within [min, max].
func CheckInt(min, max int64) func(string) (string, error) {
	return func(v string) (string, error) {
		n, ok := redisint.Parse([]byte(v))
		if !ok {
			return "", errors.New("argument couldn't be parsed into an integer")
		}
		if n < min || n > max {
			return "", errors.New("argument must be between " + strconv.FormatInt(min, 10) + " and " + strconv.FormatInt(max, 10) + " inclusive")
		}
		return strconv.FormatInt(n, 10), nil
	}
}

// CheckMemory accepts any memory amount (4096, 4kb, 1mb, 1gb).
var CheckMemory = CheckMemoryBetween(0, math.MaxInt64)

// CheckBool accepts yes and no.
func CheckBool(v string) (string, error) {
	switch strings.ToLower(v) {
	case "yes":
		return "yes", nil
	case "no":
		return "no", nil
	}
	return "", errors.New("argument must be 'yes' or 'no'")
}

// CheckEnum accepts one of vals, case-insensitively.
func CheckEnum(vals ...string) func(string) (string, error) {
	return func(v string) (string, error) {
		lv := strings.ToLower(v)
		for _, x := range vals {
			if lv == x {
				return x, nil
			}
		}
		return "", errors.New("argument(s) must be one of the following: " + strings.Join(vals, ", "))
	}
}

// ConfigParam lets the embedder give a parameter its real value and a
// hook: CONFIG GET shows value; CONFIG SET validates the new value as the
// parameter's check requires, then calls set (nil = immutable), and
// stores the value if set returns nil. set runs under the engine lock: it
// must not call Engine methods that lock.
func (e *Engine) ConfigParam(name, value string, set func(v string) error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	name = strings.ToLower(name)
	e.cfg.Define(&Param{Name: name, Value: value, ReadOnly: set == nil})
	e.hooks[name] = set
}

// ConfigHook is the embedder's hook for a parameter, nil if none.
func (c *Ctx) ConfigHook(name string) func(string) error { return c.e.hooks[name] }

type configApply struct {
	names []string
	apply func() error
}

// ConfigApply registers apply to run once after a CONFIG SET that changed
// any of names has set every value, as Redis's apply functions:
// parameters that only work together (a TLS certificate and its key) are
// staged by their hooks and take effect at once. If apply fails, CONFIG
// SET puts the old values back.
func (e *Engine) ConfigApply(apply func() error, names ...string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.applies = append(e.applies, configApply{names: names, apply: apply})
}

// Apply is an apply function a CONFIG SET must run, with the first
// parameter it changed that the function applies.
type Apply struct {
	Name  string
	Apply func() error
}

// ConfigApplies returns the apply functions of the changed parameters,
// each once, in the order registered.
func (c *Ctx) ConfigApplies(changed []string) []Apply {
	var out []Apply
	for _, a := range c.e.applies {
		for _, name := range changed {
			if slices.Contains(a.names, name) {
				out = append(out, Apply{Name: name, Apply: a.apply})
				break
			}
		}
	}
	return out
}

// ConfigGet returns a parameter's value (for the embedder).
func (e *Engine) ConfigGet(name string) (string, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.cfg.Get(name)
}

// SetParam sets a parameter at start, checked as CONFIG SET checks it, for
// the embedder's command-line flags. Not for parameters replay depends on
// (Persisted): those change through CONFIG SET, which logs them.
func (e *Engine) SetParam(name, value string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if IsPersisted(name) {
		return fmt.Errorf("kernel: %s changes through CONFIG SET only", name)
	}
	if err := e.cfg.Set(name, value); err != nil {
		return fmt.Errorf("%s %q: %w", name, value, err)
	}
	return nil
}
