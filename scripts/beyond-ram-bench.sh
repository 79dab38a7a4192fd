#!/usr/bin/env bash
# Retention beyond RAM: produce N entries of 100-byte values into one stream
# at full speed (redis-benchmark XADD, 50 clients, pipeline 16, in rounds),
# then replay all of them with XREAD COUNT 1000 from 0, then restart.
# Prints the XADD rate of each round against the first one (the stream
# still in memory), the RSS as it grows, the replay rate, and the time from
# a restart to PING and XLEN = N.
#
# Usage: scripts/beyond-ram-bench.sh [-n ENTRIES] [-r ROUND] [-v]
#   -n ENTRIES  entries in all (default 50000000)
#   -r ROUND    XADDs per round (default 1000000)
#   -v          print every round
#   SLUICE_BIN  use this sluice binary instead of building one
#   PORT        port (default 17301); the data goes to a temporary directory
# As compare.sh does, the server runs on CPU 1 and the clients on CPU 0.
set -euo pipefail

usage() { sed -n '2,16s/^# \{0,1\}//p' "$0"; }

n=50000000 round=1000000 verbose=0
while [ $# -gt 0 ]; do
	case "$1" in
	-n) n=$2; shift 2 ;;
	-r) round=$2; shift 2 ;;
	-v) verbose=1; shift ;;
	-h | --help) usage; exit 0 ;;
	*) echo "beyond-ram-bench: unknown argument $1" >&2; usage >&2; exit 2 ;;
	esac
done
for t in redis-benchmark redis-cli taskset; do
	command -v $t >/dev/null || { echo "beyond-ram-bench: $t not found (apt-get install redis-tools util-linux)" >&2; exit 1; }
done

root=$(cd "$(dirname "$0")/.." && pwd)
port=${PORT:-17301}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/beyond-ram-bench.XXXXXX")
pid=
cleanup() {
	if [ -n "$pid" ]; then
		kill -9 "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
bin=${SLUICE_BIN:-}
if [ -z "$bin" ]; then
	bin=$tmp/sluice
	(cd "$root" && go build -o "$bin" .)
fi
data=$tmp/data

start() {
	taskset -c 1 "$bin" --addr 127.0.0.1:$port --dir "$data" --log-level warn >>"$tmp/server.log" 2>&1 &
	pid=$!
}
rss_mb() { awk '/^VmRSS:/{printf "%d", $2/1024}' /proc/$pid/status; }
now() { date +%s.%N; }
cli() { redis-cli -p $port "$@"; }

start
until [ "$(cli PING 2>/dev/null)" = PONG ]; do sleep 0.05; done
value=$(printf 'v%.0s' $(seq 100))
echo "beyond-ram-bench: $n entries of 100 bytes, XADD c50 P16 in rounds of $round; $(nproc) CPUs, $(uname -r)"
first=0 sum=0 rounds=0 slowest=0 maxrss=0
for ((done = 0; done < n; done += round)); do
	k=$((n - done < round ? n - done : round))
	rate=$(taskset -c 0 redis-benchmark -p $port -c 50 -P 16 -n "$k" --csv XADD s '*' f "$value" 2>/dev/null |
		awk -F'","' 'NR==2{printf "%d", $2}')
	rss=$(rss_mb)
	rounds=$((rounds + 1)) sum=$((sum + rate))
	[ $first -eq 0 ] && first=$rate
	if [ $slowest -eq 0 ] || [ "$rate" -lt $slowest ]; then slowest=$rate; fi
	[ "$rss" -gt $maxrss ] && maxrss=$rss
	if [ $verbose -eq 1 ]; then
		printf 'round %3d: %8d XADD/s (%.2f of the first), RSS %4d MB\n' $rounds "$rate" "$(awk -v a="$rate" -v b=$first 'BEGIN{print a/b}')" "$rss"
	fi
done
sleep 1
xlen=$(cli XLEN s)
[ "$xlen" = "$n" ] || { echo "beyond-ram-bench: XLEN $xlen, expected $n" >&2; exit 1; }
mean=$((sum / rounds))
printf 'XADD P16: first round %d/s, mean %d/s (%.2f of the first), slowest round %d/s (%.2f)\n' \
	$first $mean "$(awk -v a=$mean -v b=$first 'BEGIN{print a/b}')" $slowest "$(awk -v a=$slowest -v b=$first 'BEGIN{print a/b}')"
printf 'RSS after %d entries: %d MB (highest after a round: %d MB); block files %s, hot %s, cold %s bytes\n' "$n" "$(rss_mb)" $maxrss \
	"$(du -sh "$data/blocks" | cut -f1)" "$(cli XINFO STREAM s | awk 'p{print; p=0} /^hot-bytes$/{p=1}')" \
	"$(cli XINFO STREAM s | awk 'p{print; p=0} /^cold-bytes$/{p=1}')"

taskset -c 0 "$bin" bench replay --addr 127.0.0.1:$port --key s -n "$n" --count 1000 -q --csv >"$tmp/replay.csv"
awk -F, 'NR==2{printf "replay XREAD COUNT 1000 from 0: %d entries in %.1f s: %.0f entries/s (p99 %s ms)\n", $2, $3, $4, $7}' "$tmp/replay.csv"
printf 'RSS after the replay: %d MB\n' "$(rss_mb)"

t0=$(now)
kill -TERM $pid
wait $pid 2>/dev/null || true
stopped=$(now)
start
until [ "$(cli PING 2>/dev/null)" = PONG ]; do sleep 0.01; done
until [ "$(cli XLEN s 2>/dev/null)" = "$n" ]; do sleep 0.01; done
ready=$(now)
printf 'clean shutdown: %.2f s; restart to PING + XLEN=%d: %.2f s, RSS %d MB\n' \
	"$(awk -v a=$t0 -v b=$stopped 'BEGIN{print b-a}')" "$n" "$(awk -v a=$stopped -v b=$ready 'BEGIN{print b-a}')" "$(rss_mb)"
