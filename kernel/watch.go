package kernel

// watch is the version of a WATCHed key and how many clients watch it.
type watch struct {
	version uint64
	refs    int
}

// Watched is one WATCHed key and the version it had.
type Watched struct {
	db      int
	key     string
	version uint64
}

// Watch records the current versions of keys in the client's database.
// Every Watched it returns must be given back to Unwatch.
func (e *Engine) Watch(cl *Client, keys [][]byte) []Watched {
	e.mu.Lock()
	defer e.mu.Unlock()
	d := e.dbs[cl.DB]
	out := make([]Watched, 0, len(keys))
	for _, k := range keys {
		ks := string(k)
		w := d.watches[ks]
		if w == nil {
			w = &watch{}
			d.watches[ks] = w
		}
		w.refs++
		out = append(out, Watched{cl.DB, ks, w.version})
	}
	return out
}

// Unwatch forgets watches (EXEC, DISCARD, UNWATCH, RESET, a closed
// connection); a key nobody watches any more is dropped.
func (e *Engine) Unwatch(ws []Watched) {
	if len(ws) == 0 {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, w := range ws {
		d := e.dbs[w.db]
		if x := d.watches[w.key]; x != nil {
			if x.refs--; x.refs <= 0 {
				delete(d.watches, w.key)
			}
		}
	}
}

// watchValid reports whether no watched key changed; under the lock.
func (e *Engine) watchValid(ws []Watched) bool {
	for _, w := range ws {
		x := e.dbs[w.db].watches[w.key]
		if x == nil || x.version != w.version {
			return false
		}
	}
	return true
}

// WatchedKeys counts the keys some client watches (INFO's
// watching_clients-style counter).
func (c *Ctx) WatchedKeys() int {
	n := 0
	for _, d := range c.e.dbs {
		n += len(d.watches)
	}
	return n
}
