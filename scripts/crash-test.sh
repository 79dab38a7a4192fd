#!/usr/bin/env bash
# crash-test.sh [CYCLES]: kill -9 sluice under write load, restart it, and
# check that nothing acknowledged was lost.
#
# Each cycle runs scripts/crashload against a sluice started with
# --appendfsync always (or FSYNC) on one data directory (pipelined XADDs from several
# clients, XREADGROUP + XACK, BGSAVE now and then), kills the server with
# SIGKILL after a random 0.5-2 s, restarts it, and verifies every
# acknowledged XADD of every cycle so far is present, every acknowledged XACK
# is no longer pending, and entries are neither duplicated nor reordered.
# Prints "crash-test: N cycles, A acked, L lost"; exits 1 if L > 0.
# SIGKILL leaves the page cache, so under everysec and no too every
# acknowledged write must come back.
# Environment: PORT (default 16650), FSYNC (always), KEEP=1 keeps the work
# directory.
set -euo pipefail

cycles=${1:-20}
port=${PORT:-16650}
fsync=${FSYNC:-always}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/sluice-crash.XXXXXX)
addr=127.0.0.1:$port
server=

cleanup() {
	if [[ -n $server ]]; then kill -9 "$server" 2>/dev/null || true; fi
	if [[ ${KEEP:-0} != 1 ]]; then rm -rf "$work"; else echo "crash-test: kept $work"; fi
}
trap cleanup EXIT

go build -o "$work/sluice" "$root"
go build -o "$work/crashload" "$root/scripts/crashload"

start_server() {
	"$work/sluice" --addr "$addr" --dir "$work/data" --appendfsync "$fsync" >>"$work/server.log" 2>&1 &
	server=$!
	if ! "$work/crashload" -mode wait -addr "$addr"; then
		echo "crash-test: server did not start; see below" >&2
		tail -20 "$work/server.log" >&2
		exit 1
	fi
}

acked=0 lost=0
start_server
for ((c = 1; c <= cycles; c++)); do
	"$work/crashload" -mode load -addr "$addr" -cycle "$c" -out "$work/acked.$c" 2>>"$work/load.log" &
	load=$!
	sleep "$(awk -v s="$RANDOM" 'BEGIN { srand(s); printf "%.2f", 0.5 + rand() * 1.5 }')"
	kill -9 "$server"
	wait "$server" 2>/dev/null || true
	server=
	wait "$load" || { echo "crash-test: load client failed; see $work/load.log" >&2; KEEP=1; exit 1; }
	start_server
	result=$("$work/crashload" -mode verify -addr "$addr" "$work"/acked.*)
	echo "cycle $c: $result"
	acked=$(awk '{ print $2 }' <<<"$result")
	cycle_lost=$(awk '{ print $4 }' <<<"$result")
	((cycle_lost > lost)) && lost=$cycle_lost
done
kill -TERM "$server"
wait "$server" 2>/dev/null || true
server=
echo "crash-test: $cycles cycles, $acked acked, $lost lost"
if ((lost > 0)); then
	KEEP=1
	exit 1
fi
