#!/usr/bin/env bats
# The receipt's promise (gh-receipt(5), The rule), attacked a third time:
# requests to the kernel over netlink that change the machine's
# configuration, programs run by the dynamic loader with no exec of their
# own, and sends whose address is not where the bytes go. Each test traces a real workload (tests/evasion3/work.c,
# built here) and requires the action in the record, or the receipt
# partial with the named reason; each has a twin that must come out the
# other way. Needs root and BPF; run under flock /work/bpf.lock like the
# other tracer suites. The netlink workloads change only a network
# namespace they make for themselves; the others use loopback sockets.

bats_require_minimum_version 1.5.0
load trace/lib
load workload

setup_file() {
	workload_kept evasion3/work.c -lrt
}

teardown_file() {
	kept_teardown
}

setup() {
	workload_root
}

# the netlink sends of the stream: [protocol, message types] each
nl_sends() {
	jq -c 'select(.type == "send" and .family == "netlink") | [.netlink_protocol, .nlmsg_types]' "$EV" | paste -sd' '
}

NL_PARTIAL='["partial",["netlink_request: 1 netlink sends that may change the kernel'"'"'s configuration (addresses, routes, links, firewall rules...) or were not read: not decoded"]]'

# nl_added HOW SENDS: the workload adds an address through netlink the
# way HOW says (and then checks it is there); the stream's netlink sends
# are SENDS (nl_sends), the receipt partial, netlink_request
nl_added() {
	trace "$WORK" nl "$1"
	[ "$output" = added ]
	[ "$(nl_sends)" = "$2" ]
	[ "$(verdict)" = "$NL_PARTIAL" ]
}

@test "an address added through netlink (RTM_NEWADDR by sendto): its message type in the record, partial, netlink_request" {
	# RTM_NEWADDR (20), then the workload's own check, RTM_GETADDR (22)
	nl_added sendto '[0,[20]] [0,[22]]'
}

@test "RTM_NEWADDR behind an RTM_GETADDR in the same buffer: both types, partial" {
	nl_added behind '[0,[22,20]] [0,[22]]'
}

@test "RTM_NEWADDR by write(2) on the netlink socket (no send record): partial" {
	nl_added write '[0,[22]]'
}

@test "RTM_NEWADDR by sendmsg(2) split over two iovecs (messages not read): no types, partial" {
	nl_added iov '[0,null] [0,[22]]'
}

@test "netlink twin: RTM_GETADDR alone (a dump, nothing changed) stays closed, its type in the record" {
	trace "$WORK" nl get
	[ "$output" = absent ]
	[ "$(nl_sends)" = '[0,[22]]' ]
	closed
}

@test "netlink twin: getaddrinfo with AI_ADDRCONFIG (the C library asks netlink for the addresses) stays closed" {
	trace python3 -c 'import socket; print(socket.getaddrinfo("localhost", 80, socket.AF_INET, socket.SOCK_STREAM, 0, socket.AI_ADDRCONFIG)[0][4])'
	[ "$output" = "('127.0.0.1', 80)" ]
	[ "$(nl_sends)" = '[0,[22]]' ]
	closed
}

LD=/lib64/ld-linux-x86-64.so.2

@test "a program run by the dynamic loader (ld.so PROG) is executed, not only read: a rule denying its exec finds it" {
	cp /usr/bin/id prog
	trace "$LD" ./prog -u
	[ "$output" = 0 ]
	[ "$(jq -c 'select(.type == "exec") | [.argv, .loader]' "$EV")" = "[[\"$LD\",\"./prog\",\"-u\"],true]" ]
	[ "$(execs)" = "[[\"$PWD/prog\",null],[\"$(readlink -f $LD)\",null]]" ]
	printf 'deny exec %s/prog\n' "$PWD" > r.rules
	run gh-policy r.rules "$R"
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "r.rules:1: deny exec $PWD/prog by pid $(jq -r 'select(.type == "exec") | .pid' "$EV") ($LD ./prog -u)" ]
}

@test "the dynamic loader under another name (a copy) is still the loader: the program it runs is executed" {
	cp /usr/bin/id prog
	cp "$LD" ldcopy
	trace ./ldcopy ./prog -u
	[ "$output" = 0 ]
	[ "$(jq -c 'select(.type == "exec") | .loader' "$EV")" = true ]
	[ "$(execs)" = "[[\"$PWD/ldcopy\",null],[\"$PWD/prog\",null]]" ]
}

@test "a library preloaded by the loader (--preload) is executed too" {
	cp /usr/bin/id prog
	printf 'int gh_preloaded;\n' > lib.c
	cc -shared -fPIC -o lib.so lib.c
	trace "$LD" --preload ./lib.so ./prog -u
	[ "$output" = 0 ]
	[ "$(execs)" = "[[\"$PWD/lib.so\",null],[\"$PWD/prog\",null],[\"$(readlink -f $LD)\",null]]" ]
}

@test "loader twin: the program run directly is its own exec, no loader, and its libraries are not executed" {
	cp /usr/bin/id prog
	trace ./prog -u
	[ "$output" = 0 ]
	[ "$(jq -c 'select(.type == "exec") | [.exe, .loader]' "$EV")" = "[\"$PWD/prog\",null]" ]
	[ "$(execs)" = "[[\"$PWD/prog\",null]]" ]
	# libc was opened by the loader the kernel started: a read, and
	# mapped executable (map_exec), not an exec
	[ "$(rc '[.filesystem.accesses[] | select(.path | endswith("/libc.so.6")) | .op]')" = '["map_exec","read"]' ]
}

@test "loader twin: a file of the same name read by another program is read, not executed" {
	cp /usr/bin/id prog
	trace /bin/sh -c 'cat ./prog > /dev/null'
	[ "$(rc '[.filesystem.accesses[] | select(.path == "'"$PWD"'/prog") | .op]')" = '["read"]' ]
	[ "$(jq -c 'select(.type == "exec") | .loader' "$EV" | sort -u)" = null ]
	printf 'deny exec %s/prog\n' "$PWD" > r.rules
	run gh-policy r.rules "$R"
	[ "$status" -eq 0 ]
}

# [op, dst, protocol, result] of each attempt; [dst, bytes_sent] of each
# connection; bytes sent in all (the lists sorted: the receipt sorts by
# address, and the ports are the kernel's pick)
net() {
	rc '[([.network.attempts[] | [.op, .dst, .protocol, .result]] | sort), ([.network.connections[] | [.dst, .bytes_sent]] | sort), .network.bytes_sent]'
}

# the same shape from JSON text, its lists sorted
net_want() {
	jq -c '[(.[0] | sort), (.[1] | sort), .[2]]' <<<"$1"
}

@test "a UDP sendto naming another destination on a connected socket: the bytes are the destination's, not the peer's too" {
	trace "$WORK" udp dest
	read -r peer other got <<<"$output"
	[ "$got" = other ]
	[ "$(net)" = "$(net_want "[[[\"send\",\"127.0.0.1:$other\",\"udp\",\"ok\"],[\"connect\",\"127.0.0.1:$peer\",\"udp\",\"ok\"]],[[\"127.0.0.1:$other\",5],[\"127.0.0.1:$peer\",0]],5]")" ]
	closed
}

@test "UDP twin: a send without an address on the connected socket is the peer's" {
	trace "$WORK" udp peer
	read -r peer other got <<<"$output"
	[ "$got" = peer ]
	[ "$(net)" = "[[[\"connect\",\"127.0.0.1:$peer\",\"udp\",\"ok\"]],[[\"127.0.0.1:$peer\",5]],5]" ]
}

# tcp_peer HOW: the workload's TCP client (tcp HOW) sent 5 bytes to its
# listener; the receipt has one connect, to the listener, and those bytes
tcp_peer() {
	trace "$WORK" tcp "$1"
	read -r port got <<<"$output"
	[ "$got" = 5 ]
	[ "$(net)" = "[[[\"connect\",\"127.0.0.1:$port\",\"tcp\",\"ok\"]],[[\"127.0.0.1:$port\",5]],5]" ]
}

@test "a TCP sendto naming a decoy address on a connected socket: no record names the decoy, the bytes are the peer's" {
	tcp_peer decoy
	[ "$(jq -c 'select(.addr == "127.0.0.9")' "$EV")" = "" ]
}

@test "TCP fast open (sendto with MSG_FASTOPEN, no connect call): one connect to the listener, its bytes counted once" {
	tcp_peer tfo
	closed
}

@test "a POSIX message queue (a channel to any process that opens its name): the receipt names the queue" {
	trace "$WORK" mq "/gh-evasion3-$$"
	[ "$(rc '[.actions[] | select(.syscall | startswith("mq_")) | [.syscall, .raw, .result]]')" = "[[\"mq_open\",\"gh-evasion3-$$\",\"ok\"],[\"mq_timedsend\",null,\"ok\"],[\"mq_unlink\",\"gh-evasion3-$$\",\"ok\"]]" ]
}

@test "message queue twin: two queues are two actions each, one name each" {
	trace "$WORK" mq "/gh-evasion3-a$$" "/gh-evasion3-b$$"
	[ "$(rc '[.actions[] | select(.syscall == "mq_open") | .raw]')" = "[\"gh-evasion3-a$$\",\"gh-evasion3-b$$\"]" ]
}

@test "the decoy by sendmmsg (its second message names 127.0.0.9:9): no record names the decoy either" {
	tcp_peer mmsg
	[ "$(jq -c 'select(.addr == "127.0.0.9")' "$EV")" = "" ]
}
