#!/usr/bin/env bash
# request-cost.sh: what one XADD costs sluice and Redis, in CPU, system
# calls and context switches. redis-benchmark drives each server with 50
# clients at pipeline P, the server pinned to one core and the client to
# the other (as bench/compare.sh), in ROUNDS alternating rounds, both with
# the same fsync policy. perf stat counts the server's system calls by
# kind and its context switches; the CPU is user+sys from /proc (a
# kernel worker's fsync under AIO is not in it). Prints medians per
# request, or per 100 requests for the rare calls.
# Environment: FSYNC (everysec), P (1), N (200000), ROUNDS (3), PORT (16730).
set -euo pipefail
fsync=${FSYNC:-everysec} p=${P:-1} n=${N:-200000} rounds=${ROUNDS:-3} port=${PORT:-16730}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/sluice-reqcost.XXXXXX)
server= perfpid=
cleanup() {
	if [[ -n $perfpid ]]; then kill -INT "$perfpid" 2>/dev/null || true; fi
	if [[ -n $server ]]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
	rm -rf "$work"
}
trap cleanup EXIT
for c in redis-server redis-benchmark redis-cli perf; do
	command -v $c >/dev/null || { echo "request-cost: needs $c (apt-get install redis-server redis-tools linux-perf)" >&2; exit 1; }
done
(cd "$root" && go build -o "$work/sluice" .)
. "$root/scripts/pinned-server.sh"
val=$(printf 'x%.0s' {1..100})
events=raw_syscalls:sys_enter,syscalls:sys_enter_read,syscalls:sys_enter_write,syscalls:sys_enter_pwrite64
events+=,syscalls:sys_enter_epoll_wait,syscalls:sys_enter_epoll_pwait,syscalls:sys_enter_futex
events+=,syscalls:sys_enter_nanosleep,syscalls:sys_enter_fsync,syscalls:sys_enter_fdatasync
events+=,syscalls:sys_enter_io_submit,context-switches

start() {
	rm -rf "$work/data" && mkdir "$work/data"
	case $1 in
	redis) "${srv_pin[@]}" redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly yes \
		--appendfsync "$fsync" --dir "$work/data" >/dev/null 2>&1 & ;;
	sluice) "${srv_pin[@]}" "$work/sluice" --addr "127.0.0.1:$port" --dir "$work/data" \
		--appendfsync "$fsync" --log-level warn >/dev/null 2>&1 & ;;
	esac
	server=$!
	await_server "$1"
}

for ((r = 1; r <= rounds; r++)); do
	for s in sluice redis; do
		start "$s"
		perf stat -x, -e "$events" -p "$server" -o "$work/perf" &
		perfpid=$!
		sleep 0.2
		ops=$("${cli_pin[@]}" redis-benchmark -p "$port" -c 50 -P "$p" -n "$n" -q XADD s '*' f "$val" 2>/dev/null |
			tr '\r' '\n' | awk '/requests per second/ {for (i = 1; i <= NF; i++) if ($(i+1) == "requests") print $i}' | tail -1)
		kill -INT "$perfpid"
		wait "$perfpid" 2>/dev/null || true
		perfpid=
		read -r ut st < <(awk '{print $14, $15}' "/proc/$server/stat")
		stop_server
		awk -F, -v s="$s" -v ops="$ops" -v n="$n" -v cpu="$(awk -v u="$ut" -v t="$st" -v hz="$(getconf CLK_TCK)" 'BEGIN {print (u + t) / hz}')" '
			$3 ~ /sys_enter|context-switches/ {
				k = $3; sub(/.*sys_enter_?/, "", k); if (k == "") k = "all"
				if (k ~ /^epoll/) k = "epoll"
				if (k == "fdatasync" || k == "io_submit") k = "fsync"
				c[k] += ($1 ~ /^[0-9]+$/ ? $1 : 0)
			}
			END {
				printf "%s %s %.2f", s, ops, cpu * 1e6 / n
				split("all read write pwrite64 epoll futex nanosleep fsync context-switches", ks, " ")
				for (i = 1; i <= 9; i++) printf " %.3f", c[ks[i]] / n
				print ""
			}' "$work/perf" >>"$work/results"
	done
done

printf '%-8s %9s %7s %6s %6s %6s %6s %6s %6s %6s %6s %6s\n' server ops/s 'cpu us' calls read write pwrite epoll futex sleep fsync cswtch
printf '%-8s %9s %7s %6s %6s %6s %6s %6s %6s %6s %6s %6s\n' '' '' '/req' '/req' '/req' '/req' '/100' '/100' '/100' '/100' '/100' '/100'
for s in sluice redis; do
	awk -v s="$s" '$1 == s' "$work/results" | awk -v s="$s" '
		{ for (i = 2; i <= NF; i++) v[i, NR] = $i; nf = NF; rows = NR }
		function median(col,   i, j, t, a) {
			for (i = 1; i <= rows; i++) a[i] = v[col, i]
			for (i = 1; i <= rows; i++) for (j = i + 1; j <= rows; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
			return rows % 2 ? a[(rows + 1) / 2] : (a[rows / 2] + a[rows / 2 + 1]) / 2
		}
		END {
			printf "%-8s %9.0f %7.2f %6.2f %6.2f %6.2f", s, median(2), median(3), median(4), median(5), median(6)
			for (i = 7; i <= nf; i++) printf " %6.1f", median(i) * 100
			print ""
		}'
done
echo "(appendfsync $fsync, P=$p, 50 clients, $n requests, $rounds rounds; medians)"
