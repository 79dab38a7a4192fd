package engine

// Watched is one WATCHed key and the version it had.
type Watched struct {
	db  int
	key string
	ver uint64
}

// Watch records the current versions of keys in the client's database.
func (e *Engine) Watch(cl *Client, keys [][]byte) []Watched {
	e.mu.Lock()
	defer e.mu.Unlock()
	d := e.dbs[cl.DB]
	out := make([]Watched, 0, len(keys))
	for _, k := range keys {
		ks := string(k)
		ver, ok := d.versions[ks]
		if !ok {
			d.versions[ks] = 0
		}
		out = append(out, Watched{cl.DB, ks, ver})
	}
	return out
}

// watchValid reports whether no watched key changed; under the lock.
func (e *Engine) watchValid(ws []Watched) bool {
	for _, w := range ws {
		if e.dbs[w.db].versions[w.key] != w.ver {
			return false
		}
	}
	return true
}
