#!/usr/bin/env bash
# replay-bench.sh [BINARY...]: how fast each sluice binary replays a log of
# N messages produced, delivered (XREADGROUP) and acked (XACK), with
# snapshots off so that a restart after kill -9 replays the whole log.
# Prints one line per binary: records replayed, seconds (wall, and CPU
# used by then), records/s.
# Environment: N (default 1000000), PORT (default 16660).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
n=${N:-1000000}
port=${PORT:-16660}
work=$(mktemp -d /tmp/sluice-replay.XXXXXX)
trap 'kill -9 $pid 2>/dev/null || true; rm -rf "$work"' EXIT
pid=
bins=("$@")
if [[ ${#bins[@]} -eq 0 ]]; then
	go build -o "$work/sluice" "$root"
	bins=("$work/sluice")
fi
go build -o "$work/bench" "$root"
for bin in "${bins[@]}"; do
	data=$work/data
	rm -rf "$data"
	"$bin" --addr 127.0.0.1:$port --dir "$data" --snapshot-interval=-1s --snapshot-after-changes=-1 --log-level warn &
	pid=$!
	sleep 0.5
	"$work/bench" bench e2e --addr 127.0.0.1:$port -n "$n" --producers 4 --consumers 4 -q >/dev/null
	kill -9 $pid
	wait $pid 2>/dev/null || true
	log=$work/restart.log
	"$bin" --addr 127.0.0.1:$port --dir "$data" --snapshot-interval=-1s --snapshot-after-changes=-1 --log-level info >"$log" 2>&1 &
	pid=$!
	for _ in $(seq 600); do grep -q 'msg=recovered' "$log" && break; sleep 0.1; done
	# CPU seconds the process had used once recovered (user + system): a
	# figure a busy machine disturbs less than the wall time.
	read -r -a stat <"/proc/$pid/stat"
	cpu=$(awk -v u="${stat[13]}" -v s="${stat[14]}" -v hz="$(getconf CLK_TCK)" 'BEGIN{printf "%.3f", (u+s)/hz}')
	kill $pid
	wait $pid 2>/dev/null || true
	line=$(grep 'msg=recovered' "$log")
	recs=$(sed -E 's/.*records_replayed=([0-9]+).*/\1/' <<<"$line")
	took=$(sed -E 's/.*took=([0-9.]+)(m?s).*/\1 \2/' <<<"$line")
	secs=$(awk -v t="${took% *}" -v u="${took#* }" 'BEGIN{ if (u=="ms") t/=1000; printf "%.3f", t }')
	size=$(du -sb "$data/wal" | cut -f1)
	printf '%s: %s records (%s log bytes) replayed in %s s (%s s of CPU): %.0f records/s\n' "$(basename "$bin")" "$recs" "$size" "$secs" "$cpu" "$(awk -v r="$recs" -v s="$secs" 'BEGIN{print r/s}')"
done
