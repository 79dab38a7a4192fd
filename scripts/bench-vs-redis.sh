#!/usr/bin/env bash
# Runs the same `sluice bench` workloads against a fresh sluice and a fresh
# local Redis (append-only file fsynced every second, no RDB: the durability
# closest to sluice's log) and prints throughput and p99 side by side.
#
# Usage: scripts/bench-vs-redis.sh [-n MESSAGES]
#   -n MESSAGES  size of each workload (default 200000)
#   SLUICE_BIN   use this sluice binary instead of building one
# Both servers listen on free 127.0.0.1 ports and keep their data in a
# temporary directory that is removed at the end. Numbers from one machine
# where clients and servers share the CPUs: compare ratios, not absolutes.
set -euo pipefail

usage() { sed -n '2,11s/^# \{0,1\}//p' "$0"; }

n=200000
while [ $# -gt 0 ]; do
	case "$1" in
	-n)
		[ $# -ge 2 ] || { usage >&2; exit 2; }
		n=$2
		shift 2
		;;
	-h | --help) usage; exit 0 ;;
	*) echo "bench-vs-redis: unknown argument $1" >&2; usage >&2; exit 2 ;;
	esac
done
case "$n" in '' | *[!0-9]* | 0) echo "bench-vs-redis: -n must be a positive number" >&2; exit 2 ;; esac

if ! command -v redis-server >/dev/null; then
	echo "bench-vs-redis: redis-server not found; install it with: apt-get install redis-server" >&2
	exit 1
fi

root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench-vs-redis.XXXXXX")
pids=()
cleanup() {
	for pid in ${pids[@]+"${pids[@]}"}; do
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ -n "${SLUICE_BIN:-}" ]; then
	sluice=$SLUICE_BIN
else
	echo "building sluice..." >&2
	(cd "$root" && go build -o "$tmp/sluice" .)
	sluice=$tmp/sluice
fi

# free_port prints a port nothing on 127.0.0.1 answers on, other than $1,
# below Linux's usual ephemeral range (32768-60999) so that no outgoing
# connection holds it either.
free_port() {
	local p
	for _ in $(seq 200); do
		p=$((20000 + RANDOM % 12000))
		if [ "$p" != "${1:-}" ] && ! { (exec 3<>"/dev/tcp/127.0.0.1/$p"); } 2>/dev/null; then
			echo "$p"
			return
		fi
	done
	echo "bench-vs-redis: no free port found" >&2
	return 1
}

# wait_ready NAME PID PORT LOG waits until the server answers PING.
wait_ready() {
	local name=$1 pid=$2 port=$3 log=$4 reply
	for _ in $(seq 100); do
		if ! kill -0 "$pid" 2>/dev/null; then
			echo "bench-vs-redis: $name exited at start; its log:" >&2
			tail -n 20 "$log" >&2
			return 1
		fi
		# Braces: a bare "exec ... 2>/dev/null" would silence the whole script.
		if { exec 3<>"/dev/tcp/127.0.0.1/$port"; } 2>/dev/null; then
			printf '*1\r\n$4\r\nPING\r\n' >&3
			reply=$(timeout 1 head -c 5 <&3 || true)
			exec 3>&-
			[ "$reply" = "+PONG" ] && return 0
		fi
		sleep 0.1
	done
	echo "bench-vs-redis: $name does not answer PING on port $port; its log:" >&2
	tail -n 20 "$log" >&2
	return 1
}

p1=$(free_port)
p2=$(free_port "$p1")
mkdir -p "$tmp/data" "$tmp/redis"
"$sluice" --addr "127.0.0.1:$p1" --dir "$tmp/data" >"$tmp/sluice.log" 2>&1 &
pids+=($!)
wait_ready sluice "$!" "$p1" "$tmp/sluice.log"
redis-server --port "$p2" --bind 127.0.0.1 --daemonize no --appendonly yes --appendfsync everysec \
	--save '' --dir "$tmp/redis" >"$tmp/redis.log" 2>&1 &
pids+=($!)
wait_ready redis-server "$!" "$p2" "$tmp/redis.log"
echo "sluice on :$p1, $(redis-server --version | cut -d' ' -f1-3) on :$p2, $n messages per workload" >&2

# label|arguments of `sluice bench`
workloads=(
	"produce P1|produce -P 1 -n $n"
	"produce P16|produce -P 16 -n $n"
	"consume|consume -n $n"
	"e2e|e2e -n $n"
	"e2e @20k/s|e2e --rate 20000 -P 10 --duration 3s"
)

failed=0
# run SERVER PORT I LABEL ARGS... writes the CSV rows of one run to $tmp/SERVER.I.csv.
run() {
	local server=$1 port=$2 i=$3 label=$4
	shift 4
	echo "$label on $server..." >&2
	if ! "$sluice" bench "$@" --addr "127.0.0.1:$port" --csv --quiet >"$tmp/$server.$i.csv" 2>"$tmp/$server.$i.err"; then
		echo "bench-vs-redis: $label on $server failed: $(tail -n 1 "$tmp/$server.$i.err")" >&2
		: >"$tmp/$server.$i.csv" # partial results of a failed run are not comparable
		failed=1
	fi
}

for i in "${!workloads[@]}"; do
	label=${workloads[$i]%%|*}
	read -r -a args <<<"${workloads[$i]#*|}"
	run sluice "$p1" "$i" "$label" "${args[@]}"
	run redis "$p2" "$i" "$label" "${args[@]}"
done

# One line per result row: ops/s and p99 of both servers, and the ratios.
# A workload with several rows (consume) names each after its row.
printf '\n%-24s %12s %12s %8s %10s %10s %8s\n' workload "sluice op/s" "redis op/s" ratio "sluice p99" "redis p99" ratio
for i in "${!workloads[@]}"; do
	label=${workloads[$i]%%|*}
	awk -F, -v label="$label" '
		function ratio(a, b) { return (a == "" || b == "" || b + 0 == 0) ? "-" : sprintf("%.2f", a / b) }
		function show(v, fmt) { return v == "" ? "fail" : sprintf(fmt, v) }
		{ f = (FILENAME == ARGV[1]) ? 1 : 2 }
		FNR == 1 { next } # header
		{ name[FNR] = $1; rate[f, FNR] = $4; p99[f, FNR] = $7; if (FNR > rows) rows = FNR }
		END {
			if (rows == 0) rows = 2 # both failed: one line of "fail"
			for (r = 2; r <= rows; r++) {
				row = (rows > 2) ? name[r] : label
				printf "%-24s %12s %12s %8s %10s %10s %8s\n", row, show(rate[1, r], "%.0f"), show(rate[2, r], "%.0f"),
					ratio(rate[1, r], rate[2, r]), show(p99[1, r], "%.3f ms"), show(p99[2, r], "%.3f ms"), ratio(p99[1, r], p99[2, r])
			}
		}' "$tmp/sluice.$i.csv" "$tmp/redis.$i.csv"
done
echo "ratio: sluice / redis (op/s: above 1 is faster; p99: above 1 is slower)"
exit "$failed"
