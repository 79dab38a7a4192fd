#!/usr/bin/env bash
# retention-bench.sh: what a MAXAGE sweep costs a live workload. Runs
# `sluice bench e2e` at a steady rate for a while against a fresh sluice
# twice, without retention and with --stream-max-age (so the stream it
# writes is swept while it runs), alternating ROUNDS times, and prints the
# e2e latency rows and, with retention, the stream's length at the end and
# the sweep's longest lock hold (INFO stats stream_retention_sweep_max_lock_us).
# Environment: RATE (msgs/s, default 20000), SECS (default 10), MAXAGE
# (ms, default 1000), ROUNDS (default 2), PORT (default 16670).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
rate=${RATE:-20000}
secs=${SECS:-10}
maxage=${MAXAGE:-1000}
rounds=${ROUNDS:-2}
port=${PORT:-16670}
work=$(mktemp -d /tmp/sluice-retention.XXXXXX)
pid=
trap 'kill -9 $pid 2>/dev/null || true; rm -rf "$work"' EXIT
go build -o "$work/sluice" "$root"

info() { # info FIELD: one INFO field of the running server
	printf 'INFO all\r\n' | timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port; cat >&3; sleep 0.3; timeout 0.5 cat <&3" |
		tr -d '\r' | sed -n "s/^$1://p"
}

xlen() {
	printf 'XLEN bench\r\n' | timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port; cat >&3; sleep 0.2; timeout 0.3 cat <&3" | tr -d '\r:'
}

for round in $(seq "$rounds"); do
	for mode in plain maxage; do
		rm -rf "$work/data"
		args=()
		if [[ $mode == maxage ]]; then args=(--stream-max-age "$maxage"); fi
		"$work/sluice" --addr 127.0.0.1:$port --dir "$work/data" --log-level warn "${args[@]}" &
		pid=$!
		sleep 0.5
		echo "round $round, $mode:"
		"$work/sluice" bench e2e --addr 127.0.0.1:$port --rate "$rate" --duration "${secs}s" -q | grep -E '^(workload|e2e)'
		if [[ $mode == maxage ]]; then
			echo "  XLEN at the end: $(xlen) (about rate × MAXAGE); sweep's longest lock hold: $(info stream_retention_sweep_max_lock_us) us; entries swept: $(info stream_retention_trimmed)"
		fi
		kill $pid
		wait $pid 2>/dev/null || true
	done
done
