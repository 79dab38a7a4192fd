package commands

import (
	"crypto/rand"
	"encoding/hex"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"sluice/kernel"
)

// runID identifies this process, as Redis's run_id.
var runID = func() string {
	var b [20]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}()

// infoSectionOrder is the order INFO prints sections in; the bool says
// whether the section is in the default set.
var infoSectionOrder = []struct {
	name, title string
	deflt       bool
}{
	{"server", "Server", true},
	{"clients", "Clients", true},
	{"memory", "Memory", true},
	{"persistence", "Persistence", true},
	{"stats", "Stats", true},
	{"replication", "Replication", true},
	{"cpu", "CPU", true},
	{"modules", "Modules", true},
	{"commandstats", "Commandstats", false},
	{"errorstats", "Errorstats", true},
	{"latencystats", "Latencystats", false},
	{"cluster", "Cluster", true},
	{"keyspace", "Keyspace", true},
}

// kvList is an ordered list of INFO fields.
type kvList struct {
	keys []string
	vals map[string]string
}

func (l *kvList) add(k, v string) {
	if l.vals == nil {
		l.vals = map[string]string{}
	}
	if _, ok := l.vals[k]; !ok {
		l.keys = append(l.keys, k)
	}
	l.vals[k] = v
}

// INFO [section [section ...]]
func info(c *Ctx) {
	want := map[string]bool{}
	all, everything, deflt := false, false, len(c.Args) == 1
	for _, a := range c.Args[1:] {
		s := strings.ToLower(string(a))
		switch s {
		case "all":
			all = true
		case "everything":
			everything = true
		case "default":
			deflt = true
		default:
			want[s] = true
		}
	}
	include := func(name string, isDefault bool) bool {
		if everything || want[name] {
			return true
		}
		if all && name != "modules" {
			return true
		}
		return deflt && isDefault
	}
	var b strings.Builder
	n := 0
	emit := func(name, title string, l *kvList) {
		for _, fn := range c.InfoProviders(name) {
			fn(l.add)
		}
		if n > 0 {
			b.WriteString("\r\n")
		}
		n++
		b.WriteString("# " + title + "\r\n")
		for _, k := range l.keys {
			b.WriteString(k)
			b.WriteByte(':')
			b.WriteString(l.vals[k])
			b.WriteString("\r\n")
		}
	}
	for _, s := range infoSectionOrder {
		if !include(s.name, s.deflt) {
			continue
		}
		l := &kvList{}
		infoBuiltin(c, s.name, l)
		emit(s.name, s.title, l)
	}
	var extra []string
	for _, name := range c.InfoSections() {
		known := false
		for _, s := range infoSectionOrder {
			known = known || s.name == name
		}
		if !known {
			extra = append(extra, name)
		}
	}
	sort.Strings(extra)
	for _, name := range extra {
		if include(name, true) {
			emit(name, strings.ToUpper(name[:1])+name[1:], &kvList{})
		}
	}
	c.W.Verbatim("txt", b.String())
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// humanBytes formats a byte count as Redis's bytesToHuman.
func humanBytes(n uint64) string {
	f := float64(n)
	switch {
	case n < 1024:
		return strconv.FormatUint(n, 10) + "B"
	case n < 1<<20:
		return strconv.FormatFloat(f/1024, 'f', 2, 64) + "K"
	case n < 1<<30:
		return strconv.FormatFloat(f/(1<<20), 'f', 2, 64) + "M"
	case n < 1<<40:
		return strconv.FormatFloat(f/(1<<30), 'f', 2, 64) + "G"
	default:
		return strconv.FormatFloat(f/(1<<40), 'f', 2, 64) + "T"
	}
}

// commandStats returns the commands that ran, by full name, sorted.
func commandStats(c *Ctx) ([]string, map[string]kernel.CommandStat) {
	stats := map[string]kernel.CommandStat{}
	c.CommandStats(func(name string, st kernel.CommandStat) { stats[name] = st })
	names := make([]string, 0, len(stats))
	for n := range stats {
		names = append(names, n)
	}
	sort.Strings(names)
	return names, stats
}

// infoBuiltin fills a built-in section; under the lock.
func infoBuiltin(c *Ctx, name string, l *kvList) {
	now := time.Now()
	switch name {
	case "server":
		exe, _ := os.Executable()
		up := int64(now.Sub(c.Started()).Seconds())
		l.add("redis_version", kernel.RedisVersion)
		l.add("redis_git_sha1", "00000000")
		l.add("redis_git_dirty", "0")
		l.add("redis_build_id", "0")
		l.add("redis_mode", "standalone")
		l.add("os", runtime.GOOS+" "+runtime.GOARCH)
		l.add("arch_bits", "64")
		l.add("monotonic_clock", "POSIX clock_gettime")
		l.add("multiplexing_api", "epoll")
		l.add("atomicvar_api", "c11-builtin")
		l.add("gcc_version", "0.0.0")
		l.add("process_id", strconv.Itoa(os.Getpid()))
		l.add("process_supervised", "no")
		l.add("run_id", runID)
		l.add("tcp_port", "0")
		l.add("server_time_usec", itoa(now.UnixMicro()))
		l.add("uptime_in_seconds", itoa(up))
		l.add("uptime_in_days", itoa(up/86400))
		l.add("hz", "10")
		l.add("configured_hz", "10")
		l.add("lru_clock", itoa(now.Unix()&(1<<24-1)))
		l.add("executable", exe)
		l.add("config_file", "")
		l.add("io_threads_active", "0")
		l.add("listener0", "name=tcp")
		l.add("sluice_go_version", runtime.Version())
	case "clients":
		l.add("connected_clients", "0")
		l.add("cluster_connections", "0")
		l.add("maxclients", "10000")
		l.add("client_recent_max_input_buffer", "0")
		l.add("client_recent_max_output_buffer", "0")
		l.add("blocked_clients", strconv.Itoa(c.Blocked()))
		l.add("tracking_clients", "0")
		l.add("pubsub_clients", "0")
		l.add("watching_clients", "0")
		l.add("clients_in_timeout_table", strconv.Itoa(c.Blocked()))
		l.add("total_watched_keys", strconv.Itoa(c.WatchedKeys()))
		l.add("total_blocking_keys", strconv.Itoa(c.BlockingKeys()))
		l.add("total_blocking_keys_on_nokey", "0")
	case "memory":
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		used := ms.HeapAlloc
		l.add("used_memory", strconv.FormatUint(used, 10))
		l.add("used_memory_human", humanBytes(used))
		l.add("used_memory_rss", strconv.FormatUint(ms.Sys, 10))
		l.add("used_memory_rss_human", humanBytes(ms.Sys))
		l.add("used_memory_peak", strconv.FormatUint(ms.HeapSys, 10))
		l.add("used_memory_peak_human", humanBytes(ms.HeapSys))
		l.add("total_system_memory", "0")
		maxmem := c.Config().Int("maxmemory")
		l.add("maxmemory", itoa(maxmem))
		l.add("maxmemory_human", humanBytes(uint64(maxmem)))
		policy, _ := c.Config().Get("maxmemory-policy")
		l.add("maxmemory_policy", policy)
		l.add("mem_fragmentation_ratio", "1.00")
		l.add("mem_allocator", "go")
		total, hot := c.StreamBytes()
		l.add("streams_hot_bytes", strconv.FormatUint(hot, 10)) // stream data in memory
		l.add("streams_cold_bytes", strconv.FormatUint(total-hot, 10))
		l.add("lazyfree_pending_objects", "0")
	case "persistence":
		l.add("loading", "0")
		l.add("async_loading", "0")
		l.add("rdb_changes_since_last_save", itoa(c.DirtyCount()))
		l.add("rdb_bgsave_in_progress", "0")
		l.add("rdb_last_bgsave_status", "ok")
		l.add("aof_enabled", "1")
		l.add("aof_rewrite_in_progress", "0")
		l.add("aof_rewrite_scheduled", "0")
		status := "ok"
		if c.LogErr() != nil {
			status = "err"
		}
		l.add("aof_last_write_status", status)
	case "stats":
		var calls, errs int64
		c.CommandStats(func(_ string, st kernel.CommandStat) { calls += st.Calls })
		c.ErrorStats(func(_ string, n int64) { errs += n })
		l.add("total_connections_received", "0")
		l.add("total_commands_processed", itoa(calls))
		l.add("instantaneous_ops_per_sec", "0")
		l.add("rejected_connections", "0")
		l.add("expired_keys", itoa(c.ExpiredKeys()))
		trimmed, longest := c.RetentionStats()
		l.add("stream_retention_trimmed", itoa(trimmed))
		l.add("stream_retention_sweep_max_lock_us", itoa(longest.Microseconds()))
		l.add("evicted_keys", "0")
		l.add("keyspace_hits", "0")
		l.add("keyspace_misses", "0")
		l.add("pubsub_channels", "0")
		l.add("pubsub_patterns", "0")
		l.add("total_forks", "0")
		l.add("unexpected_error_replies", "0")
		l.add("total_error_replies", itoa(errs))
		l.add("dump_payload_sanitizations", "0")
	case "replication":
		l.add("role", "master")
		l.add("connected_slaves", "0")
		l.add("master_failover_state", "no-failover")
		l.add("master_replid", runID)
		l.add("master_replid2", "0000000000000000000000000000000000000000")
		l.add("master_repl_offset", "0")
		l.add("second_repl_offset", "-1")
		l.add("repl_backlog_active", "0")
		l.add("repl_backlog_size", "1048576")
		l.add("repl_backlog_first_byte_offset", "0")
		l.add("repl_backlog_histlen", "0")
	case "cpu":
		sys, user := cpuTimes()
		l.add("used_cpu_sys", strconv.FormatFloat(sys, 'f', 6, 64))
		l.add("used_cpu_user", strconv.FormatFloat(user, 'f', 6, 64))
		l.add("used_cpu_sys_children", "0.000000")
		l.add("used_cpu_user_children", "0.000000")
	case "commandstats":
		names, stats := commandStats(c)
		for _, name := range names {
			st := stats[name]
			per := 0.0
			if st.Calls > 0 {
				per = float64(st.Usec) / float64(st.Calls)
			}
			l.add("cmdstat_"+name, "calls="+itoa(st.Calls)+",usec="+itoa(st.Usec)+
				",usec_per_call="+strconv.FormatFloat(per, 'f', 2, 64)+",rejected_calls="+itoa(st.Rejected)+",failed_calls="+itoa(st.Failed))
		}
	case "errorstats":
		counts := map[string]int64{}
		c.ErrorStats(func(code string, n int64) { counts[code] = n })
		codes := make([]string, 0, len(counts))
		for code := range counts {
			codes = append(codes, code)
		}
		sort.Strings(codes)
		for _, code := range codes {
			l.add("errorstat_"+code, "count="+itoa(counts[code]))
		}
	case "cluster":
		l.add("cluster_enabled", "0")
	case "keyspace":
		for i := range c.NumDBs() {
			d := c.Database(i)
			if d.Len() == 0 {
				continue
			}
			l.add("db"+strconv.Itoa(i), "keys="+strconv.Itoa(d.Len())+",expires="+strconv.Itoa(d.Expires())+",avg_ttl=0,subexpiry=0")
		}
	}
}

// cpuTimes returns the process's system and user CPU seconds.
func cpuTimes() (sys, user float64) {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0, 0
	}
	tv := func(t syscall.Timeval) float64 { return float64(t.Sec) + float64(t.Usec)/1e6 }
	return tv(ru.Stime), tv(ru.Utime)
}
