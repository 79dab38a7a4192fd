package kernel

import (
	"errors"
	"fmt"
	"maps"
	"slices"

	"sluice/groups"
	"sluice/snapshot"
)

// Capture takes a copy-on-write image of the keyspace as it stands after
// the last logged record. It holds the lock only while cloning (O(1) per
// stream, O(consumers) per group, a copy per string). covered is the
// change count the image includes; pass it to Saved once the snapshot is
// safe.
func (e *Engine) Capture() (st *snapshot.State, covered int64, err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.capture()
}

func (e *Engine) capture() (*snapshot.State, int64, error) {
	if err := e.Fatal(); err != nil {
		// The log, not this state, is what the next start must trust.
		return nil, 0, fmt.Errorf("engine: no snapshot after an internal error: %w", err)
	}
	st := &snapshot.State{LSN: e.lastLSN, Time: e.clock()}
	if e.tier.store != nil {
		st.BlockPin = e.tier.store.Pin()
	}
	for _, name := range Persisted {
		if v, ok := e.cfg.Get(name); ok {
			st.Config = append(st.Config, snapshot.Param{Name: name, Value: v})
		}
	}
	for i, d := range e.dbs {
		for name, v := range d.keys {
			k := snapshot.Key{DB: i, Name: name, Expire: d.expires[name]}
			switch v := v.(type) {
			case *String:
				k.String = v.B // never changed in place
			case *Stream:
				s := &snapshot.Stream{Stream: v.Stream.Clone()}
				v.EachGroup(func(g *groups.Group) bool {
					s.Groups = append(s.Groups, g.Clone())
					return true
				})
				s.IDMP = v.idmp.capture()
				r := v.retention
				s.Retention = snapshot.Retention{MaxAge: r.MaxAge, MaxLen: r.MaxLen, MaxBytes: r.MaxBytes, Discard: byte(r.Discard)}
				k.Stream = s
			default:
				// Saving without it would lose it for good once the log
				// is truncated, so the snapshot fails instead.
				return nil, 0, fmt.Errorf("kernel: snapshot: key %q holds a %s, which snapshots cannot store", name, v.TypeName())
			}
			st.Keys = append(st.Keys, k)
		}
	}
	return st, e.dirty, nil
}

// Restore installs a snapshot into a new engine, before the log after it is
// replayed and before the log is attached.
func (e *Engine) Restore(st *snapshot.State) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, p := range st.Config {
		err := e.cfg.Set(p.Name, p.Value)
		if errors.Is(err, ErrUnknownParam) {
			e.logger.Warn("snapshot sets a parameter this build does not have; ignored", "param", p.Name)
			continue
		}
		if err != nil {
			return fmt.Errorf("kernel: restore config %s=%q: %w", p.Name, p.Value, err)
		}
	}
	for _, k := range st.Keys {
		if k.DB < 0 || k.DB >= len(e.dbs) {
			return fmt.Errorf("kernel: restore: key %q is in database %d, but there are %d databases", k.Name, k.DB, len(e.dbs))
		}
		d := e.dbs[k.DB]
		if k.Stream != nil {
			s := &Stream{Stream: k.Stream.Stream}
			e.attach(s.Stream)
			e.tier.noteAll(s.Stream)
			for _, g := range k.Stream.Groups {
				s.addGroup(g)
			}
			s.idmp = restoreIDMP(k.Stream.IDMP)
			r := k.Stream.Retention
			s.retention = Retention{MaxAge: r.MaxAge, MaxLen: r.MaxLen, MaxBytes: r.MaxBytes, Discard: DiscardPolicy(r.Discard)}
			if s.retention.MaxAge > 0 {
				e.aging(k.DB, k.Name)
			}
			d.set(k.Name, s)
		} else {
			d.set(k.Name, &String{B: k.String})
		}
		if k.Expire != 0 {
			d.expires[k.Name] = k.Expire
		}
	}
	e.lastLSN = st.LSN
	if e.tier.sync {
		e.coolNow()
	}
	return nil
}

// capture copies the IDMP state (it is small: at most maxSize iids per
// producer); producers go in name order so equal states encode equally.
func (s *idmpState) capture() *snapshot.IDMP {
	if s == nil {
		return nil
	}
	m := &snapshot.IDMP{Duration: s.duration, MaxSize: s.maxSize, SweepAt: s.sweepAt, Added: s.added, Duplicates: s.duplicates}
	for _, pid := range slices.Sorted(maps.Keys(s.producers)) {
		p := s.producers[pid]
		sp := snapshot.Producer{PID: pid, IIDs: make([]snapshot.IID, 0, len(p.queue))}
		for _, iid := range p.queue {
			en := p.index[iid]
			sp.IIDs = append(sp.IIDs, snapshot.IID{IID: iid, At: en.at, ID: en.id})
		}
		m.Producers = append(m.Producers, sp)
	}
	return m
}

func restoreIDMP(m *snapshot.IDMP) *idmpState {
	if m == nil {
		return nil
	}
	s := &idmpState{duration: m.Duration, maxSize: m.MaxSize, sweepAt: m.SweepAt, added: m.Added, duplicates: m.Duplicates,
		producers: make(map[string]*idmpProducer, len(m.Producers))}
	for _, sp := range m.Producers {
		p := &idmpProducer{queue: make([]string, 0, len(sp.IIDs)), index: make(map[string]idmpEntry, len(sp.IIDs))}
		for _, x := range sp.IIDs {
			p.queue = append(p.queue, x.IID)
			p.index[x.IID] = idmpEntry{at: x.At, id: x.ID}
		}
		s.producers[sp.PID] = p
	}
	return s
}

// Dirty is the number of changes since the last snapshot.
func (e *Engine) Dirty() int64 {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.dirty
}

// Saved records that a snapshot holding covered changes is safe on disk.
func (e *Engine) Saved(covered int64) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.saved(covered)
}

func (e *Engine) saved(covered int64) { e.dirty = max(e.dirty-covered, 0) }

// Saver writes snapshots for SAVE and BGSAVE; the broker provides it.
type Saver interface {
	// Save writes st before returning. SAVE calls it under the engine
	// lock, so it must not lock the engine; it returns
	// ErrSaveInProgress while a background snapshot runs.
	Save(st *snapshot.State) error
	// Background starts a snapshot on the saver's goroutine. When one is
	// running it returns ErrSaveInProgress, or with schedule set arranges
	// one to follow and reports scheduled.
	Background(schedule bool) (scheduled bool, err error)
	// LastSave is the unix time in seconds of the last successful snapshot.
	LastSave() int64
}

// ErrSaveInProgress is the reply to SAVE and BGSAVE during a background save.
var ErrSaveInProgress = errors.New("ERR Background save already in progress")

// SetSaver connects SAVE, BGSAVE and LASTSAVE to s; nil disconnects them.
func (e *Engine) SetSaver(s Saver) {
	e.mu.Lock()
	e.saver = s
	e.mu.Unlock()
}

// Saver is the connected Saver or nil.
func (c *Ctx) Saver() Saver { return c.e.saver }

// Save writes a snapshot while holding the lock, as SAVE does: nothing
// changes meanwhile, and nothing is logged.
func (c *Ctx) Save() error {
	s := c.e.saver
	if s == nil {
		return errors.New("snapshots are not enabled on this server")
	}
	st, covered, err := c.e.capture()
	if err == nil {
		err = s.Save(st)
	}
	if err != nil {
		return err
	}
	c.e.saved(covered)
	return nil
}
