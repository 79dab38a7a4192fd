package httpd

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"sluice/groups"
	"sluice/kernel"
)

// The JSON API the page polls (documented in the README). Every figure
// comes from one kernel.Overview; every list it returns is bounded.
const (
	defaultLimit   = 20
	maxLimit       = 200    // streams per page
	maxOffset      = 10_000 // deepest page: past it, search by name
	maxQuery       = 256    // bytes of a name search
	maxConsumers   = 20     // consumers listed per group
	maxDeadLetters = 5      // newest dead letters shown per group
	maxFieldPairs  = 32     // fields shown per dead letter
	maxValueBytes  = 256    // bytes shown per field or value
)

type overviewJSON struct {
	Now             int64    `json:"now"` // unix ms
	Version         string   `json:"redis_version"`
	UptimeSeconds   int64    `json:"uptime_seconds"`
	Ready           bool     `json:"ready"`
	NotReady        string   `json:"not_ready,omitempty"`
	Keys            int      `json:"keys"`
	Streams         int      `json:"streams"`
	Connected       int64    `json:"connected_clients"`
	Blocked         int      `json:"blocked_clients"`
	UsedMemory      int64    `json:"used_memory_bytes"`
	MaxMemory       int64    `json:"maxmemory_bytes"`
	Log             logJSON  `json:"log"`
	Snapshot        snapJSON `json:"snapshot"`
	Totals          totals   `json:"totals"`
	LockHolds       int      `json:"lock_holds"`
	MaxLockHoldUsec int64    `json:"max_lock_hold_us"`
}

type logJSON struct {
	Bytes      int64  `json:"bytes"`
	FirstLSN   uint64 `json:"first_lsn"`
	LastLSN    uint64 `json:"last_lsn"`
	DurableLSN uint64 `json:"durable_lsn"`
	Failing    string `json:"failing,omitempty"` // why writes are refused
}

type snapJSON struct {
	Time       int64   `json:"last_unix"`
	AgeSeconds float64 `json:"age_seconds"`
	Seconds    float64 `json:"duration_seconds"`
	Bytes      int64   `json:"bytes"`
	Failed     bool    `json:"last_failed"`
	Running    bool    `json:"in_progress"`
}

type totals struct {
	Length       uint64 `json:"length"`
	EntriesAdded uint64 `json:"entries_added"`
	Bytes        uint64 `json:"bytes"`
	HotBytes     uint64 `json:"hot_bytes"` // in memory; the rest is in block files
	Groups       int    `json:"groups"`
	Consumers    int    `json:"consumers"`
	Lag          int64  `json:"lag"`
	Pending      int64  `json:"pending"`
	Delivered    int64  `json:"delivered"`
	Acked        int64  `json:"acked"`
	DeadLettered int64  `json:"dead_lettered"`
}

type streamsJSON struct {
	overviewJSON
	Query   string       `json:"q"`
	Matched int          `json:"matched"`
	Offset  int          `json:"offset"`
	Limit   int          `json:"limit"`
	List    []streamJSON `json:"list"`
}

type streamJSON struct {
	DB           int         `json:"db"`
	Key          string      `json:"key"`
	Length       uint64      `json:"length"`
	EntriesAdded uint64      `json:"entries_added"`
	Bytes        uint64      `json:"bytes"`
	HotBytes     uint64      `json:"hot_bytes"`
	FirstID      string      `json:"first_id"`
	LastID       string      `json:"last_id"`
	FirstAgeMs   *int64      `json:"first_entry_age_ms"`
	LastAgeMs    *int64      `json:"last_entry_age_ms"`
	GroupsTotal  int         `json:"groups_total"`
	Groups       []groupJSON `json:"groups"`
}

type groupJSON struct {
	Name               string         `json:"name"`
	Lag                *int64         `json:"lag"` // null where XINFO shows null
	Pending            int            `json:"pending"`
	Consumers          int            `json:"consumers"`
	OldestPendingID    string         `json:"oldest_pending_id,omitempty"`
	OldestPendingAgeMs *int64         `json:"oldest_pending_age_ms"`
	LastDeliveredID    string         `json:"last_delivered_id"`
	EntriesRead        *int64         `json:"entries_read"`
	Delivered          int64          `json:"delivered"`
	Acked              int64          `json:"acked"`
	DeadLettered       int64          `json:"dead_lettered"`
	DeadLetterFailures int64          `json:"dead_letter_failures"`
	Held               int            `json:"held"`
	MaxDeliver         int64          `json:"max_deliver"`
	AckWaitMs          int64          `json:"ack_wait_ms"`
	DeadLetterKey      string         `json:"dead_letter_key,omitempty"`
	DeadLetterLength   uint64         `json:"dead_letter_length"`
	DeadLetters        []entryJSON    `json:"dead_letters"`
	ConsumerList       []consumerJSON `json:"consumer_list"`
}

type consumerJSON struct {
	Name       string `json:"name"`
	Pending    int    `json:"pending"`
	IdleMs     int64  `json:"idle_ms"`
	InactiveMs *int64 `json:"inactive_ms"` // null before its first entry
}

type entryJSON struct {
	ID     string      `json:"id"`
	Fields [][2]string `json:"fields"`
}

// GET /api/v1/overview: the server's figures and totals over every stream.
func (s *Server) apiOverview(w http.ResponseWriter, r *http.Request) {
	o, err := s.overviews.get(r.Context(), kernel.OverviewQuery{})
	if err != nil {
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	writeJSON(w, s.overviewJSON(o))
}

// GET /api/v1/streams?q=&offset=&limit=: a page of the longest streams
// whose name contains q, with their groups, consumers and newest dead
// letters, and the overview's figures.
func (s *Server) apiStreams(w http.ResponseWriter, r *http.Request) {
	qs := r.URL.Query()
	q := qs.Get("q")
	if len(q) > maxQuery {
		http.Error(w, fmt.Sprintf("q: at most %d bytes", maxQuery), http.StatusBadRequest)
		return
	}
	offset, err := intParam(qs.Get("offset"), 0, 0, maxOffset)
	if err != nil {
		http.Error(w, "offset: "+err.Error(), http.StatusBadRequest)
		return
	}
	limit, err := intParam(qs.Get("limit"), defaultLimit, 1, maxLimit)
	if err != nil {
		http.Error(w, "limit: "+err.Error(), http.StatusBadRequest)
		return
	}
	o, err := s.overviews.get(r.Context(), kernel.OverviewQuery{Top: limit, Skip: offset, Match: q,
		Consumers: maxConsumers, DeadLetters: maxDeadLetters})
	if err != nil {
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	out := streamsJSON{overviewJSON: s.overviewJSON(o), Query: q, Matched: o.Matched, Offset: offset, Limit: limit,
		List: make([]streamJSON, 0, len(o.Top))}
	for i := range o.Top {
		out.List = append(out.List, streamOf(o.Now, &o.Top[i]))
	}
	writeJSON(w, out)
}

// GET /api/v1/history?since=: the chart points after since (unix ms),
// oldest first, over the last 15 minutes.
func (s *Server) apiHistory(w http.ResponseWriter, r *http.Request) {
	since, err := strconv.ParseInt(r.URL.Query().Get("since"), 10, 64)
	if r.URL.Query().Get("since") == "" {
		since, err = 0, nil
	}
	if err != nil {
		http.Error(w, "since: unix ms expected", http.StatusBadRequest)
		return
	}
	writeJSON(w, map[string]any{"interval_ms": sampleEvery.Milliseconds(), "points": s.history.points(since)})
}

func (s *Server) overviewJSON(o *kernel.Overview) overviewJSON {
	a := &o.All
	out := overviewJSON{Now: o.Now, Version: kernel.RedisVersion, UptimeSeconds: int64(time.Since(s.started).Seconds()),
		Keys: o.Keys, Streams: o.Streams, Blocked: o.Blocked, UsedMemory: o.UsedMemory, MaxMemory: o.MaxMemory,
		Totals: totals{Length: a.Length, EntriesAdded: a.EntriesAdded, Bytes: a.Bytes, HotBytes: a.HotBytes, Groups: a.Groups,
			Consumers: a.Consumers, Lag: a.Lag, Pending: a.Pending, Delivered: a.Delivered, Acked: a.Acked,
			DeadLettered: a.DeadLettered},
		LockHolds: o.Locks, MaxLockHoldUsec: o.MaxLockHold.Microseconds()}
	if err := s.ready(); err != nil {
		out.NotReady = err.Error()
	} else {
		out.Ready = true
	}
	if o.LogErr != nil {
		out.Log.Failing = o.LogErr.Error()
	}
	if s.cfg.Stats != nil {
		st := s.cfg.Stats()
		out.Connected = st.ConnectedClients
		out.Log.Bytes, out.Log.FirstLSN, out.Log.LastLSN, out.Log.DurableLSN = st.LogBytes, st.LogFirstLSN, st.LogLastLSN, st.LogDurable
		out.Snapshot = snapJSON{Time: st.SnapshotTime.Unix(), AgeSeconds: time.Since(st.SnapshotTime).Seconds(),
			Seconds: st.SnapshotTook.Seconds(), Bytes: st.SnapshotBytes, Failed: st.SnapshotFailed, Running: st.SnapshotRunning}
	}
	return out
}

func streamOf(now int64, sv *kernel.StreamView) streamJSON {
	out := streamJSON{DB: sv.DB, Key: sv.Key, Length: sv.Length, EntriesAdded: sv.EntriesAdded, Bytes: sv.Bytes,
		HotBytes: sv.HotBytes, FirstID: sv.FirstID.String(), LastID: sv.LastID.String(), GroupsTotal: len(sv.Groups) + sv.OtherGroups.Groups,
		Groups: make([]groupJSON, 0, len(sv.Groups))}
	if sv.Length > 0 {
		out.FirstAgeMs = ageMs(now, sv.FirstID.Ms)
	}
	if !sv.LastID.IsZero() {
		out.LastAgeMs = ageMs(now, sv.LastID.Ms)
	}
	for i := range sv.Groups {
		out.Groups = append(out.Groups, groupOf(now, &sv.Groups[i]))
	}
	return out
}

func groupOf(now int64, g *kernel.GroupView) groupJSON {
	out := groupJSON{Name: g.Name, Pending: g.Pending, Consumers: g.Consumers, LastDeliveredID: g.LastID.String(),
		Delivered: g.Delivered, Acked: g.Acked, DeadLettered: g.DeadLettered, DeadLetterFailures: g.DeadLetterFailures,
		Held: g.Held, MaxDeliver: g.Settings.MaxDeliver, AckWaitMs: g.Settings.AckWait, DeadLetterKey: g.DeadLetterKey,
		DeadLetterLength: g.DeadLetterLen, DeadLetters: []entryJSON{}, ConsumerList: []consumerJSON{}}
	if g.LagKnown {
		out.Lag = &g.Lag
	}
	if g.EntriesRead != groups.InvalidEntriesRead {
		out.EntriesRead = &g.EntriesRead
	}
	if g.Pending > 0 {
		out.OldestPendingID = g.OldestPending.String()
		out.OldestPendingAgeMs = ageMs(now, g.OldestPending.Ms)
	}
	for _, c := range g.ConsumerList {
		cj := consumerJSON{Name: c.Name, Pending: c.Pending, IdleMs: max(now-c.SeenTime, 0)}
		if c.ActiveTime >= 0 {
			in := max(now-c.ActiveTime, 0)
			cj.InactiveMs = &in
		}
		out.ConsumerList = append(out.ConsumerList, cj)
	}
	for _, e := range g.DeadLetters {
		ej := entryJSON{ID: e.ID.String(), Fields: [][2]string{}}
		for i := 0; i+1 < len(e.Fields) && len(ej.Fields) < maxFieldPairs; i += 2 {
			ej.Fields = append(ej.Fields, [2]string{clip(e.Fields[i]), clip(e.Fields[i+1])})
		}
		out.DeadLetters = append(out.DeadLetters, ej)
	}
	return out
}

func ageMs(now int64, ms uint64) *int64 {
	a := int64(age(now, ms) * 1000)
	return &a
}

// clip shortens a field or value for display.
func clip(s string) string {
	if len(s) <= maxValueBytes {
		return s
	}
	return s[:maxValueBytes] + "…"
}

// intParam parses an optional integer query parameter within [lo, hi].
func intParam(v string, deflt, lo, hi int) (int, error) {
	if v == "" {
		return deflt, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, fmt.Errorf("an integer from %d to %d expected", lo, hi)
	}
	return n, nil
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	if err := json.NewEncoder(w).Encode(v); err != nil {
		panic(http.ErrAbortHandler) // the client went away mid-body
	}
}
