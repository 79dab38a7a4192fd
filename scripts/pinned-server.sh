# pinned-server.sh: sourced by the benchmark scripts that start one server
# at a time on a core of its own. It sets srv_pin and cli_pin (taskset
# prefixes: the server on CPU 1, the client on CPU 0, as bench/compare.sh
# pins them; empty on one CPU) and defines await_server and stop_server,
# which use $server (the server's pid) and $port.

srv_pin=() cli_pin=()
if [[ $(nproc) -ge 2 ]] && command -v taskset >/dev/null; then
	srv_pin=(taskset -c 1) cli_pin=(taskset -c 0)
fi

# await_server WHO: wait up to 5 s for PING on $port, or exit naming WHO.
await_server() {
	for _ in $(seq 50); do
		redis-cli -p "$port" PING >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	echo "$(basename "$0" .sh): $1 did not start" >&2
	exit 1
}

# stop_server stops $server and waits for it.
stop_server() {
	kill "$server"
	wait "$server" 2>/dev/null || true
	server=
}
