package httpd

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"sluice/kernel"
)

// otherStream is the stream label of the series that sum the streams
// (and groups) not itemized. Its db label is "", which no real stream
// has, so it cannot clash with a stream of that name.
const otherStream = "_other"

// metricsHandler serves /metrics from a registry of its own: the
// collector below, the log's histograms, and Go's and the process's
// standard collectors (go_*, process_*: heap, GC, RSS, open files).
func (s *Server) metricsHandler() http.HandlerFunc {
	reg := prometheus.NewRegistry()
	reg.MustRegister(newCollector(s), collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if s.cfg.Log != nil {
		reg.MustRegister(s.cfg.Log.fsync, s.cfg.Log.batchRecords, s.cfg.Log.batchBytes)
	}
	h := promhttp.HandlerFor(reg, promhttp.HandlerOpts{
		ErrorLog:            promLogger{s},
		MaxRequestsInFlight: maxWalks,
		Timeout:             walkTimeout,
	})
	return h.ServeHTTP
}

type promLogger struct{ s *Server }

func (l promLogger) Println(v ...any) { l.s.log.Warn("metrics", "err", v) }

// collector turns one kernel.Overview into series at each scrape, so
// that every figure comes from the engine itself at scrape time: nothing
// to keep in step, and nothing held per stream between scrapes.
type collector struct {
	s *Server

	streamLength, streamAdded, streamBytes, streamFirstAge, streamLastAge, streamGroups *prometheus.Desc

	groupLag, groupPending, groupConsumers, groupOldestAge, groupDelivered, groupAcked,
	groupDeadLettered, groupDLQFailures, groupHeld *prometheus.Desc

	keys, streams, commands, commandFailed, commandRejected, commandSeconds, errors,
	connected, blocked, logBytes, logLastLSN, logDurableLSN, logFailing,
	snapTook, snapAge, snapTime, snapBytes, snapFailed, snapRunning,
	usedMemory, maxMemory, ready, lockHold *prometheus.Desc
}

func newCollector(s *Server) *collector {
	stream := []string{"db", "stream"}
	group := []string{"db", "stream", "group"}
	d := func(name, help string, labels ...string) *prometheus.Desc {
		return prometheus.NewDesc("sluice_"+name, help, labels, nil)
	}
	return &collector{s: s,
		streamLength:   d("stream_length", "Entries in the stream (XLEN).", stream...),
		streamAdded:    d("stream_entries_added_total", "Entries ever added to the stream (XINFO STREAM entries-added).", stream...),
		streamBytes:    d("stream_bytes", "Bytes of the stream's entries as stored, by tier (hot: in memory).", "db", "stream", "tier"),
		streamFirstAge: d("stream_first_entry_age_seconds", "Age of the first entry, from its ID's time.", stream...),
		streamLastAge:  d("stream_last_entry_age_seconds", "Age of the newest entry added (last-generated-id), from its ID's time.", stream...),
		streamGroups:   d("stream_groups", "Consumer groups of the stream.", stream...),

		groupLag:          d("group_lag", "Entries the group has yet to read (XINFO GROUPS lag; absent while unknowable).", group...),
		groupPending:      d("group_pending", "Entries delivered and not yet acked (XPENDING count).", group...),
		groupConsumers:    d("group_consumers", "Consumers of the group.", group...),
		groupOldestAge:    d("group_oldest_pending_age_seconds", "Age of the oldest pending entry, from its ID's time.", group...),
		groupDelivered:    d("group_delivered_total", "Entries handed to consumers, new and again, since the process started.", group...),
		groupAcked:        d("group_acked_total", "Entries acked, since the process started.", group...),
		groupDeadLettered: d("group_dead_lettered_total", "Entries moved to the dead-letter stream (XINFO GROUPS dead-lettered).", group...),
		groupDLQFailures:  d("group_dead_letter_failures_total", "Dead letters their stream refused, left pending (XINFO GROUPS dead-letter-failures).", group...),
		groupHeld:         d("group_held", "Entries held back for their key's turn (ORDERBY).", group...),

		keys:            d("keys", "Keys in all databases."),
		streams:         d("streams", "Stream keys in all databases."),
		commands:        d("commands_total", "Commands run, by name (INFO commandstats calls).", "command"),
		commandFailed:   d("command_failed_total", "Commands that ran and replied with an error, by name.", "command"),
		commandRejected: d("command_rejected_total", "Commands refused before running (arity, auth, MISCONF, OOM...), by name.", "command"),
		commandSeconds:  d("command_duration_seconds_total", "Time spent running commands, by name.", "command"),
		errors:          d("errors_total", "Error replies by code (INFO errorstats).", "code"),
		connected:       d("connected_clients", "Client connections."),
		blocked:         d("blocked_clients", "Clients blocked in XREAD or XREADGROUP."),
		logBytes:        d("log_bytes", "Bytes of the write-ahead log segments on disk."),
		logLastLSN:      d("log_last_lsn", "The last record handed to the log."),
		logDurableLSN:   d("log_durable_lsn", "The last record durable under the fsync policy."),
		logFailing:      d("log_write_failing", "1 while the log refuses writes (commands get MISCONF)."),
		snapTook:        d("snapshot_duration_seconds", "How long the last snapshot took to write (0 until one is written)."),
		snapAge:         d("snapshot_age_seconds", "Time since the last snapshot was saved (or since start)."),
		snapTime:        d("snapshot_last_success_timestamp_seconds", "Unix time of the last saved snapshot (or of the start)."),
		snapBytes:       d("snapshot_bytes", "Size of the newest snapshot."),
		snapFailed:      d("snapshot_last_failed", "1 if the last snapshot attempt failed."),
		snapRunning:     d("snapshot_in_progress", "1 while a snapshot is being written."),
		usedMemory:      d("used_memory_bytes", "Heap bytes in use, as INFO used_memory (sampled every 100 ms)."),
		maxMemory:       d("maxmemory_bytes", "The maxmemory limit, 0 for none."),
		ready:           d("ready", "1 when recovered, serving and taking writes (as /readyz)."),
		lockHold:        d("scrape_lock_hold_seconds", "Longest single hold of the engine lock by this scrape's walk of the keyspace."),
	}
}

func (c *collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.streamLength, c.streamAdded, c.streamBytes, c.streamFirstAge, c.streamLastAge,
		c.streamGroups, c.groupLag, c.groupPending, c.groupConsumers, c.groupOldestAge, c.groupDelivered, c.groupAcked,
		c.groupDeadLettered, c.groupDLQFailures, c.groupHeld, c.keys, c.streams, c.commands, c.commandFailed,
		c.commandRejected, c.commandSeconds, c.errors, c.connected, c.blocked, c.logBytes, c.logLastLSN,
		c.logDurableLSN, c.logFailing, c.snapTook, c.snapAge, c.snapTime, c.snapBytes, c.snapFailed, c.snapRunning,
		c.usedMemory, c.maxMemory, c.ready, c.lockHold} {
		ch <- d
	}
}

// emit sends one series.
type emit func(d *prometheus.Desc, t prometheus.ValueType, v float64, labels ...string)

func (c *collector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), walkTimeout)
	defer cancel()
	o, err := c.s.overviews.forMetrics(ctx, c.s.cfg.MaxStreams)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(c.streams, err)
		return
	}
	out := func(d *prometheus.Desc, t prometheus.ValueType, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, t, v, labels...)
	}
	c.collectStreams(out, o)
	c.collectServer(out, o)
}

// collectStreams sends the series of the top streams and their groups,
// and one of each for the rest summed (db="", stream="_other", group
// "_other"): its ages are the oldest first entry and oldest pending
// entry among them, and the newest last entry.
func (c *collector) collectStreams(out emit, o *kernel.Overview) {
	now := o.Now
	others := o.Rest.GroupTotals
	for i := range o.Top {
		sv := &o.Top[i]
		db := strconv.Itoa(sv.DB)
		c.stream(out, now, db, sv.Key, sv.Length, sv.EntriesAdded, sv.Bytes, sv.HotBytes, sv.FirstID.Ms, sv.LastID.Ms, len(sv.Groups)+sv.OtherGroups.Groups)
		for j := range sv.Groups {
			g := &sv.Groups[j]
			l := []string{db, sv.Key, g.Name}
			if g.LagKnown {
				out(c.groupLag, prometheus.GaugeValue, float64(g.Lag), l...)
			}
			out(c.groupPending, prometheus.GaugeValue, float64(g.Pending), l...)
			out(c.groupConsumers, prometheus.GaugeValue, float64(g.Consumers), l...)
			if g.Pending > 0 {
				out(c.groupOldestAge, prometheus.GaugeValue, age(now, g.OldestPending.Ms), l...)
			}
			out(c.groupDelivered, prometheus.CounterValue, float64(g.Delivered), l...)
			out(c.groupAcked, prometheus.CounterValue, float64(g.Acked), l...)
			out(c.groupDeadLettered, prometheus.CounterValue, float64(g.DeadLettered), l...)
			out(c.groupDLQFailures, prometheus.CounterValue, float64(g.DeadLetterFailures), l...)
			out(c.groupHeld, prometheus.GaugeValue, float64(g.Held), l...)
		}
		others.Add(sv.OtherGroups)
	}
	r := &o.Rest
	if r.Streams > 0 {
		c.stream(out, now, "", otherStream, r.Length, r.EntriesAdded, r.Bytes, r.HotBytes, r.FirstMs, r.LastMs, r.Groups)
	}
	if others.Groups > 0 {
		l := []string{"", otherStream, otherStream}
		out(c.groupLag, prometheus.GaugeValue, float64(others.Lag), l...)
		out(c.groupPending, prometheus.GaugeValue, float64(others.Pending), l...)
		out(c.groupConsumers, prometheus.GaugeValue, float64(others.Consumers), l...)
		if others.Pending > 0 {
			out(c.groupOldestAge, prometheus.GaugeValue, age(now, others.OldestPendingMs), l...)
		}
		out(c.groupDelivered, prometheus.CounterValue, float64(others.Delivered), l...)
		out(c.groupAcked, prometheus.CounterValue, float64(others.Acked), l...)
		out(c.groupDeadLettered, prometheus.CounterValue, float64(others.DeadLettered), l...)
		out(c.groupDLQFailures, prometheus.CounterValue, float64(others.DeadLetterFailures), l...)
	}
}

// stream sends one stream's series; the ages only where there is an entry.
func (c *collector) stream(out emit, now int64, db, key string, length, added, bytes, hot, firstMs, lastMs uint64, groups int) {
	out(c.streamLength, prometheus.GaugeValue, float64(length), db, key)
	out(c.streamAdded, prometheus.CounterValue, float64(added), db, key)
	out(c.streamBytes, prometheus.GaugeValue, float64(hot), db, key, "hot")
	out(c.streamBytes, prometheus.GaugeValue, float64(bytes-hot), db, key, "cold")
	if length > 0 {
		out(c.streamFirstAge, prometheus.GaugeValue, age(now, firstMs), db, key)
	}
	if lastMs > 0 {
		out(c.streamLastAge, prometheus.GaugeValue, age(now, lastMs), db, key)
	}
	out(c.streamGroups, prometheus.GaugeValue, float64(groups), db, key)
}

// age is the seconds from an ID's ms part to now, never negative (a
// client may give IDs ahead of the clock).
func age(now int64, ms uint64) float64 {
	if int64(ms) >= now || ms > 1<<62 {
		return 0
	}
	return float64(now-int64(ms)) / 1000
}

func (c *collector) collectServer(out emit, o *kernel.Overview) {
	g, ctr := prometheus.GaugeValue, prometheus.CounterValue
	out(c.keys, g, float64(o.Keys))
	out(c.streams, g, float64(o.Streams))
	for _, st := range o.Commands {
		out(c.commands, ctr, float64(st.Calls), st.Name)
		out(c.commandFailed, ctr, float64(st.Failed), st.Name)
		out(c.commandRejected, ctr, float64(st.Rejected), st.Name)
		out(c.commandSeconds, ctr, float64(st.Usec)/1e6, st.Name)
	}
	for code, n := range o.Errors {
		out(c.errors, ctr, float64(n), code)
	}
	out(c.blocked, g, float64(o.Blocked))
	out(c.usedMemory, g, float64(o.UsedMemory))
	out(c.maxMemory, g, float64(o.MaxMemory))
	out(c.logFailing, g, boolFloat(o.LogErr != nil))
	out(c.ready, g, boolFloat(c.s.ready() == nil))
	out(c.lockHold, g, o.MaxLockHold.Seconds())
	if c.s.cfg.Stats == nil {
		return
	}
	st := c.s.cfg.Stats()
	out(c.connected, g, float64(st.ConnectedClients))
	out(c.logBytes, g, float64(st.LogBytes))
	out(c.logLastLSN, g, float64(st.LogLastLSN))
	out(c.logDurableLSN, g, float64(st.LogDurable))
	out(c.snapTook, g, st.SnapshotTook.Seconds())
	out(c.snapAge, g, time.Since(st.SnapshotTime).Seconds())
	out(c.snapTime, g, float64(st.SnapshotTime.UnixNano())/1e9)
	out(c.snapBytes, g, float64(st.SnapshotBytes))
	out(c.snapFailed, g, boolFloat(st.SnapshotFailed))
	out(c.snapRunning, g, boolFloat(st.SnapshotRunning))
}

func boolFloat(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
