package engine

import (
	"errors"
	"sort"
	"strconv"
	"strings"
)

// param is one CONFIG parameter. Values are kept as Redis shows them.
type param struct {
	name     string
	value    string
	readOnly bool
	// check validates a new value and returns it normalized.
	check func(v string) (string, error)
	// apply, when set, is called after a successful CONFIG SET.
	apply func(v string)
}

type config struct {
	params map[string]*param
	ints   map[string]int64 // parsed numeric values, for the hot path
}

func newConfig() *config {
	c := &config{params: map[string]*param{}, ints: map[string]int64{}}
	c.add(&param{name: "stream-node-max-bytes", value: "4096", check: checkMemory})
	c.add(&param{name: "stream-node-max-entries", value: "100", check: checkInt(0, 1<<31-1)})
	c.add(&param{name: "databases", value: "16", readOnly: true})
	c.add(&param{name: "stream-idmp-duration", value: "100", check: checkInt(1, 86400)})
	c.add(&param{name: "stream-idmp-maxsize", value: "100", check: checkInt(1, 10000)})
	return c
}

// add registers a parameter (used by the engine and its embedder).
func (c *config) add(p *param) {
	c.params[p.name] = p
	if n, err := strconv.ParseInt(p.value, 10, 64); err == nil {
		c.ints[p.name] = n
	}
}

func (c *config) int(name string) int64 { return c.ints[name] }

func (c *config) get(name string) (string, bool) {
	p, ok := c.params[strings.ToLower(name)]
	if !ok {
		return "", false
	}
	return p.value, true
}

// match returns the parameters whose names match a glob, sorted.
func (c *config) match(pattern string) []*param {
	var out []*param
	for name, p := range c.params {
		if GlobMatch([]byte(strings.ToLower(pattern)), []byte(name)) {
			out = append(out, p)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

var errUnknownParam = errors.New("unknown")

// set validates and stores a value; errors carry Redis's wording.
func (c *config) set(name, value string) error {
	p, ok := c.params[strings.ToLower(name)]
	if !ok {
		return errUnknownParam
	}
	if p.readOnly {
		return errors.New("can't set immutable config")
	}
	v := value
	if p.check != nil {
		var err error
		if v, err = p.check(value); err != nil {
			return err
		}
	}
	p.value = v
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		c.ints[p.name] = n
	}
	if p.apply != nil {
		p.apply(v)
	}
	return nil
}

func checkInt(min, max int64) func(string) (string, error) {
	return func(v string) (string, error) {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return "", errors.New("argument couldn't be parsed into an integer")
		}
		if n < min || n > max {
			return "", errors.New("argument must be between " + strconv.FormatInt(min, 10) + " and " + strconv.FormatInt(max, 10) + " inclusive")
		}
		return strconv.FormatInt(n, 10), nil
	}
}

// checkMemory accepts Redis memory units (4096, 4kb, 1mb, 1gb).
func checkMemory(v string) (string, error) {
	s := strings.ToLower(v)
	mul := int64(1)
	for _, u := range []struct {
		suffix string
		mul    int64
	}{{"kb", 1024}, {"mb", 1 << 20}, {"gb", 1 << 30}, {"k", 1000}, {"m", 1000000}, {"g", 1000000000}, {"b", 1}} {
		if strings.HasSuffix(s, u.suffix) {
			s, mul = strings.TrimSuffix(s, u.suffix), u.mul
			break
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return "", errors.New("argument must be a memory value")
	}
	return strconv.FormatInt(n*mul, 10), nil
}
