package broker

import "strconv"

// addInfo adds the snapshot and log fields to INFO persistence.
func (b *Broker) addInfo() {
	s := b.snap
	b.eng.AddInfoSection("persistence", func(add func(key, value string)) {
		status := "ok"
		if s.failed.Load() {
			status = "err"
		}
		add("rdb_bgsave_in_progress", boolInt(s.running.Load()))
		add("rdb_last_save_time", strconv.FormatInt(s.lastSave.Load(), 10))
		add("rdb_last_bgsave_status", status)
		add("rdb_saves_scheduled", boolInt(s.scheduled.Load()))
		add("sluice_snapshot_lsn", strconv.FormatUint(s.lastLSN.Load(), 10))
		add("sluice_snapshot_size", strconv.FormatInt(s.lastSize.Load(), 10))
		add("sluice_log_first_lsn", strconv.FormatUint(b.wal.FirstLSN(), 10))
		add("sluice_log_last_lsn", strconv.FormatUint(b.wal.LastLSN(), 10))
		add("sluice_log_durable_lsn", strconv.FormatUint(b.wal.Durable(), 10))
		add("aof_current_size", strconv.FormatInt(b.wal.Size(), 10))
		add("aof_fsync_policy", b.cfg.Fsync.String())
		// A snapshot is what compacts the log: Redis's AOF rewrite.
		add("aof_last_bgrewrite_status", status)
		// The engine shows aof_last_write_status; this says why it is err.
		logErr := ""
		if err := b.wal.Err(); err != nil {
			logErr = err.Error()
		} else if err := b.blocks.Err(); err != nil {
			logErr = err.Error() // block files are persistence too
		}
		add("aof_last_write_error", logErr)
	})
}

func boolInt(b bool) string {
	if b {
		return "1"
	}
	return "0"
}
