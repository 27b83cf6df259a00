#!/usr/bin/env bats
# gh-trace and gh-aggregate on the network: final connect results from the
# socket's state changes, bytes counted per socket in the kernel, DNS
# messages decoded and tied to the peers they named. Every workload runs
# in network namespaces the tests make (only their loopback, and a route
# into it that drops), with its servers (tests/trace/tcpserver.py,
# dnsserver.py) inside. Traces real commands (needs root).

bats_require_minimum_version 1.5.0
load trace/lib

# An address routed into lo inside the namespace (nothing takes it, so a
# connect times out) and one with no route there at all.
DROP=10.9.9.2
NOROUTE=10.99.0.1

setup_file() {
	trace_setup_file
	export GH_TRACE_PIN_DIR=$BATS_FILE_TMPDIR/no-kept-programs
	[ "$(id -u)" -eq 0 ] || return 0
	export NET=$BATS_FILE_TMPDIR/outcomes DNS=$BATS_FILE_TMPDIR/dns
	mkdir "$NET" "$DNS"
	unshare -n "$TRACE_DIR/outcomes.sh" "$NET" "$DROP" "$NOROUTE" 2> "$NET/err"
	gh-aggregate "$NET/ev.ndjson" > "$NET/r.json"
	unshare -n -m "$TRACE_DIR/dns.sh" "$DNS" 2> "$DNS/err"
	gh-aggregate "$DNS/ev.ndjson" > "$DNS/r.json"
}

setup() {
	[ "$(id -u)" -eq 0 ] || skip "tracing needs root"
	trace_setup
}

# curl_ran: curl's three runs ended as planned (fetched from the test's
# HTTP server, refused, gave up); if not, fail naming what they did.
curl_ran() {
	local got
	got=$(grep '^curl ' "$NET/out.txt" | tr '\n' ' ')
	[ "$got" = "curl 0 curl 7 curl 28 " ] || {
		echo "curl did not run as planned (exit statuses: $got; expected 0, 7, 28)"
		return 1
	}
}

# port NAME: a port the outcomes workload used (ok, reset, http)
port() {
	local ok reset http
	read -r ok reset http < "$NET/ports"
	eval "echo \$$1"
}

@test "net: the workloads ran as planned" {
	[ ! -s "$NET/err" ]
	[ "$(grep -v '^curl ' "$NET/out.txt")" = "ok 3000
ECONNREFUSED 0
ECONNRESET 0
ETIMEDOUT 0
ENETUNREACH 0" ]
	EV=$NET/ev.ndjson
	check_stream
	no_loss
	curl_ran
}

@test "net: each connect's final result, non-blocking Python clients" {
	run jq -r --arg ok "127.0.0.1:$(port ok)" --arg reset "127.0.0.1:$(port reset)" \
		'.network.attempts[] | select(.op == "connect") |
		 select(.dst == $ok or .dst == $reset or .dst == "10.9.9.2:80" or .dst == "10.99.0.1:80") |
		 [(if .dst == $ok then "OK" elif .dst == $reset then "RESET" else .dst end), .result, .count] | @tsv' "$NET/r.json"
	[ "$status" -eq 0 ]
	got=$(printf '%s\n' "${lines[@]}" | sort)
	[ "$got" = "$(printf '%s\n' \
		"10.9.9.2:80	timeout	1" \
		"10.99.0.1:80	unreachable	1" \
		"OK	ok	1" \
		"RESET	reset	1" | sort)" ] || {
		printf 'got:\n%s\nthe sockets:\n' "$got"
		jq -c 'select(.type == "connect" or .type == "sock_end")' "$NET/ev.ndjson"
		false
	}
	# the stream still says what connect(2) returned
	[ "$(jq -r --argjson p "$(port ok)" 'select(.type == "connect" and .port == $p) | .result' "$NET/ev.ndjson")" = in_progress ]
}

@test "net: curl's connects: ok, refused, and in_progress when curl gave up first" {
	curl_ran
	run jq -r --arg http "127.0.0.1:$(port http)" '.network.attempts[] |
		select(.dst == $http or .dst == "127.0.0.1:9" or .dst == "10.9.9.2:81") |
		[(if .dst == $http then "HTTP" else .dst end), .result, .count, (.pids | length)] | @tsv' "$NET/r.json"
	[ "$(printf '%s\n' "${lines[@]}" | sort)" = "$(printf '%s\n' \
		"10.9.9.2:81	in_progress	1	1" \
		"127.0.0.1:9	refused	2	2" \
		"HTTP	ok	1	1" | sort)" ]
}

@test "net: without the sockets' ends the results stay what connect(2) returned" {
	# the failing twin: the same stream less its sock_end records
	grep -v '"type":"sock_end"' "$NET/ev.ndjson" > nosock.ndjson
	gh-aggregate nosock.ndjson > nosock.json
	run jq -r '[.network.attempts[] | select(.op == "connect" and .family == "inet") | .result] | unique | join(",")' nosock.json
	[ "$output" = "in_progress,unreachable" ]
	[ "$(jq -c '[.network.bytes_received, (.network.connections[0] | has("names"))]' nosock.json)" = '[null,false]' ]
}

@test "net: bytes per peer and in all, counted in the kernel" {
	run jq -c --arg ok "127.0.0.1:$(port ok)" \
		'.network.connections[] | select(.dst == $ok) | [.bytes_sent, .bytes_received, .names]' "$NET/r.json"
	[ "$output" = '[1234,3000,[]]' ]
	# the totals hold every socket: the sum over the stream's sock_end records
	want=$(jq -s '[.[] | select(.type == "sock_end" and .addr != null) | .bytes_sent] | add' "$NET/ev.ndjson")
	[ "$(jq .network.bytes_sent "$NET/r.json")" = "$want" ]
	want=$(jq -s '[.[] | select(.type == "sock_end") | .bytes_received] | add' "$NET/ev.ndjson")
	[ "$(jq .network.bytes_received "$NET/r.json")" = "$want" ]
	curl_ran	# the HTTP response is the rest of what was received
	[ "$want" -gt 3000 ]
	# no per-packet records: one sock_end per socket
	[ "$(jq -s '[.[] | select(.type == "sock_end")] | length' "$NET/ev.ndjson")" -lt 20 ]
}

@test "net: a sock_end names its connect's socket and the final result" {
	run jq -c --argjson p "$(port ok)" 'select(.port == $p and (.type == "connect" or .type == "sock_end")) |
		[.type, .proto, .connect, .at_end]' "$NET/ev.ndjson"
	[ "${lines[0]}" = '["connect","tcp",null,null]' ]
	[ "${lines[1]}" = '["sock_end","tcp","ok",false]' ]
	# one socket; when the peer's data was read after the connection had
	# closed, a second sock_end (at_end) has those bytes
	[ "$(jq -s --argjson p "$(port ok)" '[.[] | select(.port == $p and (.type == "connect" or .type == "sock_end")) | .sock] | unique | length' "$NET/ev.ndjson")" -le 2 ]
	[ "$(jq -s -c --argjson p "$(port ok)" '[.[] | select(.port == $p and .type == "sock_end")] | [(map(.bytes_sent) | add), (map(.bytes_received) | add), (map(select(.connect)) | length)]' "$NET/ev.ndjson")" = '[1234,3000,1]' ]
}

@test "dns: queries and answers over UDP and TCP, decoded" {
	[ ! -s "$DNS/err" ]
	EV=$DNS/ev.ndjson
	check_stream
	no_loss
	run jq -c 'select(.type == "dns" and .direction == "received" and .qtype == "A" and .proto == "tcp") |
		[.name, .rcode, .answers, .addresses, .names]' "$EV"
	[ "$output" = '["gh-test.example",0,[{"name":"gh-test.example","type":"CNAME","ttl":60,"data":"www.gh-test.example"},{"name":"www.gh-test.example","type":"A","ttl":60,"data":"127.0.0.7"}],["127.0.0.7"],["gh-test.example","www.gh-test.example"]]' ]
	# queries: a record each, over UDP to an address, UDP connected, TCP
	run jq -r 'select(.type == "dns" and .direction == "sent" and .name == "gh-test.example" and .port == 53) | [.proto, .qtype, .response] | @tsv' "$EV"
	[ "${lines[0]}" = "udp	A	false" ]
	[ "${lines[1]}" = "udp	AAAA	false" ]
	[ "${lines[4]}" = "tcp	A	false" ]
	[ "${lines[5]}" = "tcp	AAAA	false" ]
}

@test "dns: the receipt's network.dns and the names of each peer" {
	run jq -c '.network.dns[] | select(.name == "gh-test.example") | [.type, .addresses]' "$DNS/r.json"
	[ "${lines[0]}" = '["A",["127.0.0.7"]]' ]
	[ "${lines[1]}" = '["AAAA",["::1"]]' ]
	run jq -c --arg ok "127.0.0.7:$(cat "$DNS/ok.port")" \
		'.network.connections[] | select(.dst == $ok) | [.names, .bytes_sent, .bytes_received]' "$DNS/r.json"
	[ "$output" = '[["gh-test.example","www.gh-test.example"],10,100]' ]
	# the DNS server's own address was never an answer
	[ "$(jq -c '.network.connections[] | select(.dst == "127.0.0.1:53") | .names' "$DNS/r.json" | sort -u)" = '[]' ]
}

@test "dns: the C library's resolver (sendmmsg on a connected socket)" {
	[ "$(cat "$DNS/getent")" = 1 ] || skip "no mount namespace here for a resolv.conf of the test's own"
	grep -q '^127.0.0.7 ' "$DNS/out.txt"
	pid=$(jq -r 'select(.type == "exec" and (.exe | endswith("/getent"))) | .pid' "$DNS/ev.ndjson")
	run jq -r --argjson pid "$pid" 'select(.type == "dns" and .pid == $pid) | [.direction, .qtype, (.addresses | join(" "))] | @tsv' "$DNS/ev.ndjson"
	[ "$(printf '%s\n' "${lines[@]}" | sort)" = "$(printf '%s\n' "received	A	127.0.0.7" "received	AAAA	::1" "sent	A	" "sent	AAAA	" | sort)" ]
}

@test "dns: a malformed answer is recorded as such" {
	run jq -c 'select(.type == "dns" and .name == "bad.gh-test.example" and .direction == "received") | [.malformed, .truncated, .answers]' "$DNS/ev.ndjson"
	[ "${lines[0]}" = '["truncated",false,[]]' ]
	[ "$(jq .network.dns_malformed "$DNS/r.json")" = 2 ]
	[ "$(jq -c '[.network.dns[] | select(.name == "bad.gh-test.example") | .addresses]' "$DNS/r.json")" = '[[],[]]' ]
}
