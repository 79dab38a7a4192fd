#!/usr/bin/env bash
# serve-model-bench.sh: what the serving model alone costs a request.
# scripts/servemodel answers XADD-shaped requests with a fixed reply and no
# engine, as a goroutine per connection (sluice's model) or one epoll loop
# (Redis's), each with and without a log written once per batch; Redis
# (no persistence, and AOF everysec) runs beside them when installed.
# redis-benchmark drives each with 50 clients at pipeline P, the server
# pinned to one core and the client to another (as bench/compare.sh), in
# ROUNDS alternating rounds. Prints each model's median ops/s and the
# server's CPU per request (user+sys from /proc), with the spread.
# Environment: P (1), N (300000), ROUNDS (5), PORT (16720).
set -euo pipefail
p=${P:-1} n=${N:-300000} rounds=${ROUNDS:-5} port=${PORT:-16720}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/sluice-servemodel.XXXXXX)
server=
cleanup() {
	if [[ -n $server ]]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
	rm -rf "$work"
}
trap cleanup EXIT
command -v redis-benchmark >/dev/null || { echo "serve-model-bench: needs redis-benchmark (apt-get install redis-tools)" >&2; exit 1; }
go build -o "$work/servemodel" "$root/scripts/servemodel"
. "$root/scripts/pinned-server.sh"
models=(goroutine goroutine-log epoll epoll-log)
if command -v redis-server >/dev/null; then models+=(redis redis-aof); fi
val=$(printf 'x%.0s' {1..100})

start() {
	case $1 in
	redis) "${srv_pin[@]}" redis-server --port "$port" --save '' --appendonly no --dir "$work" >/dev/null 2>&1 & ;;
	redis-aof) "${srv_pin[@]}" redis-server --port "$port" --save '' --appendonly yes --appendfsync everysec --dir "$work" >/dev/null 2>&1 & ;;
	*) "${srv_pin[@]}" "$work/servemodel" -addr "127.0.0.1:$port" -model "$1" -log "$work/model.log" & ;;
	esac
	server=$!
	await_server "$1"
}

stop() {
	stop_server
	rm -rf "$work/appendonlydir" "$work/model.log"
}

for ((r = 1; r <= rounds; r++)); do
	for m in "${models[@]}"; do
		start "$m"
		ops=$("${cli_pin[@]}" redis-benchmark -p "$port" -c 50 -P "$p" -n "$n" -q XADD s '*' f "$val" 2>/dev/null |
			tr '\r' '\n' | awk '/requests per second/ {for (i = 1; i <= NF; i++) if ($(i+1) == "requests") print $i}' | tail -1)
		read -r ut st < <(awk '{print $14, $15}' "/proc/$server/stat")
		echo "$m $ops $(awk -v u="$ut" -v s="$st" -v n="$n" -v hz="$(getconf CLK_TCK)" 'BEGIN {printf "%.2f", (u + s) / hz * 1e6 / n}')" >>"$work/results"
		stop
	done
done

printf '%-14s %12s %7s %14s\n' model "ops/s" sprd "cpu us/req"
median() { sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)], v[1], v[NR]}'; }
for m in "${models[@]}"; do
	read -r ops lo hi < <(awk -v m="$m" '$1 == m {print $2}' "$work/results" | median)
	read -r cpu _ < <(awk -v m="$m" '$1 == m {print $3}' "$work/results" | median)
	awk -v m="$m" -v o="$ops" -v lo="$lo" -v hi="$hi" -v c="$cpu" 'BEGIN {printf "%-14s %12.0f %6.0f%% %14.2f\n", m, o, (hi - lo) / o * 100, c}'
done
echo "(P=$p, 50 clients, $n requests, $rounds rounds; medians)"
