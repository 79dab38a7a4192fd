#!/usr/bin/env bash
# load-test.sh: 10,000 concurrent connections against sluice (and, when
# redis-server is installed, Redis beside it, one server at a time).
#
# For each server, scripts/loadtest opens IDLE connections that each send
# one PING and BLOCKED connections that each wait in XREADGROUP BLOCK 0 on
# one of STREAMS streams (one group per stream, one consumer per
# connection), and reports the server's resident memory per idle and per
# blocked connection, XADD latency (p50/p99/max at RATE XADDs per second)
# with all of them connected, and the time to wake every blocked client
# with one entry each, checking that each is woken exactly once with an
# entry of its own. The open file limit is raised as far as the hard
# limit allows; each side needs a descriptor per connection.
# Environment: IDLE (5000), BLOCKED (5000), STREAMS (100), RATE (2000),
# DURATION (5s), PORT (16700), REDIS=0 skips Redis.
set -euo pipefail

idle=${IDLE:-5000} blocked=${BLOCKED:-5000} streams=${STREAMS:-100}
rate=${RATE:-2000} duration=${DURATION:-5s} port=${PORT:-16700}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/sluice-load.XXXXXX)
server=

cleanup() {
	if [[ -n $server ]]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
	rm -rf "$work"
}
trap cleanup EXIT

need=$((idle + blocked + 100))
ulimit -n "$(ulimit -Hn)"
if (($(ulimit -n) < need)); then
	echo "load-test: the open file limit is $(ulimit -n), $need needed; raise the hard limit (ulimit -Hn)" >&2
	exit 1
fi
maxclients=$((idle + blocked + 10))

go build -o "$work/sluice" "$root"
go build -o "$work/loadtest" "$root/scripts/loadtest"

wait_port() {
	for _ in $(seq 100); do
		if bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null; then return 0; fi
		sleep 0.1
	done
	echo "load-test: nothing listens on port $1" >&2
	exit 1
}

run() { # name, then the server command
	local name=$1
	shift
	"$@" >"$work/$name.log" 2>&1 &
	server=$!
	wait_port "$port"
	"$work/loadtest" -addr "127.0.0.1:$port" -pid "$server" -name "$name" -idle "$idle" -blocked "$blocked" \
		-streams "$streams" -rate "$rate" -duration "$duration" 2>>"$work/$name.log"
	kill "$server"
	wait "$server" 2>/dev/null || true
	server=
}

run sluice "$work/sluice" --addr "127.0.0.1:$port" --dir "$work/data" --log-level warn --maxclients "$maxclients"
if [[ ${REDIS:-1} != 0 ]] && command -v redis-server >/dev/null; then
	run "redis $(redis-server --version | grep -o 'v=[0-9.]*' | cut -c3-)" \
		redis-server --port "$port" --dir "$work" --save '' --appendonly yes --appendfsync everysec --maxclients "$maxclients"
fi
