#!/usr/bin/env bats
# Every channel through which a traced command can act is recorded, or the
# receipt says it was not: one small workload per channel (tests/channels/
# work.c, built here), each checked in the receipt at its field or as a
# named completeness reason, each with a twin that must come out the other
# way. Needs root and BPF; run under flock /work/bpf.lock like the other
# tracer suites. Network workloads use the loopback interface only.

bats_require_minimum_version 1.5.0
load workload

setup_file() {
	export GH_TRACE_PIN_DIR=$BATS_FILE_TMPDIR/no-kept-programs
	workload_build channels/work.c -luring
}

setup() {
	workload_setup
}

# action TYPE: the receipt's actions of TYPE, without counts and pids.
action() {
	jq -c --arg t "$1" '[(.actions // [])[] | select(.type == $t) | del(.count, .pids)]' "$R"
}

# A process outside the traced tree, for the control workloads.
outsider() {
	sleep 60 &
	OUT_PID=$!
}

teardown() {
	[ -z "${OUT_PID:-}" ] || kill "$OUT_PID" 2>/dev/null || true
}

@test "closed: a run that uses no undecoded channel has no reasons" {
	trace "$WORK" none
	closed
	[ "$(jq -c 'select(.type == "end") | .undecoded' "$EV")" = \
		'{"compat_syscall":0,"bpf_syscall":0,"io_uring_unsupported_op":0,"foreign_process_control":0,"left_running":0,"path_changed":0,"unwatched_sockets":0,"scm_rights_unread":0,"seccomp_listener":0,"netlink_request":0}' ]
}

@test "bpf(): recorded, and the receipt is partial with bpf_syscall" {
	trace "$WORK" bpf
	[ "$(rc .completeness)" = '"partial"' ]
	[ "$(reasons bpf_syscall)" = '["bpf_syscall: 1 bpf() calls by the traced tree"]' ]
	[ "$(action bpf)" = '[{"cmd":32767,"result":"EINVAL","syscall":"bpf","type":"bpf"}]' ]
}

@test "bpf() twin: the same workload without the call stays closed" {
	trace "$WORK" none
	[ "$(reasons bpf_syscall)" = '[]' ]
	[ "$(action bpf)" = '[]' ]
}

@test "a change under the tracer's bpf directory is partial with bpf_syscall" {
	export GH_TRACE_PIN_DIR=$BATS_TEST_TMPDIR/pins
	mkdir -p pins
	trace mkdir "$GH_TRACE_PIN_DIR/x"
	[ "$(jq -r 'select(.type == "header") | .pin_dir' "$EV")" = "$GH_TRACE_PIN_DIR" ]
	[ "$(reasons bpf_syscall)" = "[\"bpf_syscall: 1 changes under the tracer's bpf directory $GH_TRACE_PIN_DIR\"]" ]
	# twin: the same change next to it
	trace mkdir "$BATS_TEST_TMPDIR/pinsx"
	[ "$(reasons bpf_syscall)" = '[]' ]
	[ "$(rc .completeness)" = '"closed"' ]
}

@test "a 32-bit (x32) syscall is counted, never decoded: compat_syscall" {
	trace "$WORK" x32
	[ "$(reasons compat_syscall)" = '["compat_syscall: 1 32-bit syscalls not decoded"]' ]
	# the number, 39 (getpid) with the x32 bit, made no record (libc's
	# mapping makes a map_exec)
	[ "$(jq -c 'select(.type != "header" and .type != "end" and .type != "exec" and .type != "open" and .type != "exit" and .type != "map_exec") | .type' "$EV")" = '' ]
}

@test "an ia32 syscall (int \$0x80) is counted: compat_syscall" {
	run gh-trace -o "$EV" -- "$WORK" int80
	if [ "$status" -eq 139 ] || [ "$status" -eq 132 ]; then
		skip "ia32 emulation is off on this machine: int \$0x80 faults; the compat decision is unit-tested in tests/unit/test_systab.c"
	fi
	[ "$status" -eq 0 ]
	gh-aggregate "$EV" > "$R"
	[ "$(reasons compat_syscall)" = '["compat_syscall: 1 32-bit syscalls not decoded"]' ]
}

@test "compat twin: the 64-bit workload stays closed" {
	trace "$WORK" none
	[ "$(reasons compat_syscall)" = '[]' ]
}

@test "the syscall table unit test fails on a syscall it does not classify" {
	printf '#define __NR_read 0\n#define __NR_gh_bogus 499\n' > unistd.h
	run "$GH_OUT/tests/test_systab" unistd.h
	[ "$status" -eq 1 ]
	[[ "$output" == *"# gh_bogus (499) is neither in the table nor on the inert list"* ]]
	printf '#define __NR_read 0\n#define __NR_write 1\n' > unistd.h
	run "$GH_OUT/tests/test_systab" unistd.h
	[ "$status" -eq 0 ]
}

@test "ptrace of a process outside the tree: recorded, foreign_process_control" {
	outsider
	trace "$WORK" ptrace "$OUT_PID"
	[ "$(reasons foreign_process_control)" = '["foreign_process_control: 2 controls of processes outside the traced tree"]' ]
	[ "$(action ptrace)" = "[{\"in_tree\":false,\"request\":16,\"result\":\"ok\",\"syscall\":\"ptrace\",\"target_pid\":$OUT_PID,\"type\":\"ptrace\"},{\"in_tree\":false,\"request\":17,\"result\":\"ok\",\"syscall\":\"ptrace\",\"target_pid\":$OUT_PID,\"type\":\"ptrace\"}]" ]
}

@test "ptrace twin: of its own child, in the tree, stays closed" {
	trace "$WORK" ptrace child
	[ "$(rc .completeness)" = '"closed"' ]
	[ "$(action ptrace | jq -c '[.[] | [.request, .in_tree]]')" = '[[16,true],[17,true]]' ]
}

@test "pidfd_getfd from a process outside the tree: foreign_process_control" {
	outsider
	trace "$WORK" pidfd_getfd "$OUT_PID"
	[ "$(reasons foreign_process_control)" = '["foreign_process_control: 1 controls of processes outside the traced tree"]' ]
	[ "$(action pidfd | jq -c '[.[] | [.syscall, .target_pid, .in_tree]]')" = \
		"[[\"pidfd_getfd\",$OUT_PID,false],[\"pidfd_open\",$OUT_PID,false]]" ]
}

@test "pidfd_getfd twin: from its own child stays closed" {
	trace "$WORK" pidfd_getfd child
	[ "$(rc .completeness)" = '"closed"' ]
	[ "$(action pidfd | jq -c '[.[] | [.syscall, .in_tree]]')" = '[["pidfd_getfd",true],["pidfd_open",true]]' ]
}

@test "signals: a signal record with sender, target, signal and in_tree" {
	outsider
	trace "$WORK" kill "$OUT_PID"
	pid=$(jq 'select(.type == "header") | .pid' "$EV")
	[ "$(jq -c 'select(.type == "signal") | [.pid, .syscall, .target_pid, .signal, .in_tree, .ret]' "$EV")" = \
		"[$pid,\"kill\",$OUT_PID,15,false,0]" ]
	OUT_PID=
	# a signal is recorded, not a loss of completeness
	[ "$(rc .completeness)" = '"closed"' ]
	# twin: to its own child the target is in the tree
	trace "$WORK" kill child
	[ "$(jq -c 'select(.type == "signal") | [.signal, .in_tree]' "$EV")" = '[15,true]' ]
}

@test "mknod: a device node is recorded with its mode and device" {
	trace "$WORK" mknod "$BATS_TEST_TMPDIR/dev"
	[ "$(action mknod)" = "[{\"dev\":259,\"mode\":8576,\"path\":\"$BATS_TEST_TMPDIR/dev\",\"path_status\":\"lexical\",\"result\":\"ok\",\"syscall\":\"mknodat\",\"type\":\"mknod\"}]" ]
	# twin: no node made, no record
	trace "$WORK" none
	[ "$(action mknod)" = '[]' ]
}

@test "setxattr: security.capability is called out, user.* is not" {
	touch f
	trace "$WORK" setxattr "$BATS_TEST_TMPDIR/f" security.capability
	[ "$(action setxattr)" = "[{\"capability\":true,\"name\":\"security.capability\",\"path\":\"$BATS_TEST_TMPDIR/f\",\"path_status\":\"lexical\",\"result\":\"ok\",\"syscall\":\"setxattr\",\"type\":\"setxattr\"}]" ]
	trace "$WORK" setxattr "$BATS_TEST_TMPDIR/f" user.gh
	[ "$(action setxattr | jq -c '.[] | [.name, .capability]')" = '["user.gh",false]' ]
	trace "$WORK" removexattr "$BATS_TEST_TMPDIR/f" user.gh
	[ "$(action removexattr | jq -c '.[] | [.syscall, .path, .name]')" = "[\"removexattr\",\"$BATS_TEST_TMPDIR/f\",\"user.gh\"]" ]
}

@test "utimensat: rewritten timestamps are recorded" {
	touch f
	trace "$WORK" utime f
	[ "$(action utime)" = "[{\"path\":\"$BATS_TEST_TMPDIR/f\",\"path_status\":\"lexical\",\"result\":\"ok\",\"syscall\":\"utimensat\",\"type\":\"utime\"}]" ]
	trace "$WORK" none
	[ "$(action utime)" = '[]' ]
}

@test "open_by_handle_at: an open of the file's kernel path, via a handle" {
	echo x > f
	trace "$WORK" handle f
	[ "$(action name_to_handle | jq -c '.[] | [.syscall, .path]')" = "[\"name_to_handle_at\",\"$BATS_TEST_TMPDIR/f\"]" ]
	[ "$(jq -c 'select(.type == "open" and .via == "handle") | [.path, .flags, .ret >= 0]' "$EV")" = \
		"[\"$BATS_TEST_TMPDIR/f\",0,true]" ]
	[ "$(jq -c --arg p "$BATS_TEST_TMPDIR/f" '[.filesystem.reads[] | select(. == $p)]' "$R")" = "[\"$BATS_TEST_TMPDIR/f\"]" ]
	# twin: no handle, no such open
	trace "$WORK" none
	[ "$(jq -c 'select(.via == "handle")' "$EV")" = '' ]
}

@test "memfd_create, mounts and namespaces are recorded" {
	mkdir m
	trace "$WORK" memfd
	[ "$(action memfd)" = '[{"flags":0,"name":"gh-memfd","result":"ok","syscall":"memfd_create","type":"memfd"}]' ]
	trace "$WORK" mount "$BATS_TEST_TMPDIR/m"
	[ "$(action namespace)" = '[{"flags":131072,"result":"ok","syscall":"unshare","type":"namespace"}]' ]
	[ "$(action mount | jq -c '.[] | [.syscall, .path, .source, .fstype]')" = \
		"[\"mount\",\"/\",null,null]
[\"mount\",\"$BATS_TEST_TMPDIR/m\",\"gh-tmp\",\"tmpfs\"]
[\"umount2\",\"$BATS_TEST_TMPDIR/m\",null,null]" ]
	trace "$WORK" none
	[ "$(rc '.actions // []')" = '[]' ]
}

@test "identity changes are recorded" {
	trace "$WORK" setuid
	[ "$(action identity)" = '[{"args":[4294967295,4294967295,4294967295],"result":"ok","syscall":"setresuid","type":"identity"}]' ]
	trace "$WORK" none
	[ "$(action identity)" = '[]' ]
}

@test "AF_PACKET raw socket and a frame sent on it without an address" {
	trace "$WORK" packet
	[ "$(action socket | jq -c '.[] | select(.family == "packet") | [.sock_type, .protocol]')" = '["raw",768]' ]
	[ "$(jq -c 'select(.type == "send") | [.family, .sock_type, .bytes]' "$EV")" = '["packet","raw",60]' ]
	# twin: a UDP socket is no packet socket, and sends nothing
	trace "$WORK" udp
	[ "$(action socket | jq -c '[.[] | [.family, .sock_type]]')" = '[["inet","dgram"]]' ]
	[ "$(jq -c 'select(.type == "send")' "$EV")" = '' ]
}

@test "the header lists inherited descriptors" {
	echo data > inh
	run gh-trace -o "$EV" -- true 7<inh
	[ "$status" -eq 0 ]
	[ "$(jq -c 'select(.type == "header") | .fds[] | select(.fd == 7)' "$EV")" = \
		"{\"fd\":7,\"kind\":\"file\",\"path\":\"$BATS_TEST_TMPDIR/inh\"}" ]
	# twin: not inherited, not listed
	run gh-trace -o "$EV" -- true
	[ "$(jq -c 'select(.type == "header") | .fds[] | select(.fd == 7)' "$EV")" = '' ]
}

@test "io_uring: opens, mkdir, rename, unlink, socket, connect, accept, send are records via io_uring" {
	mkdir d
	trace "$WORK" uring "$BATS_TEST_TMPDIR/d"
	pid=$(jq 'select(.type == "header") | .pid' "$EV")
	jq -c 'select(.via == "io_uring") | del(.t, .tid, .dirfd, .fd, .port) |
	       if .type == "open" and .ret >= 0 then .ret = "FD" else . end |
	       if .type == "socket" or .type == "accept" then .ret = "FD" else . end |
	       if .sock then .sock = "S" else . end' "$EV" |
		sed "s|$BATS_TEST_TMPDIR|@T|g; s|\"pid\":$pid,|\"pid\":\"P\",|" > got
	cat > want <<'WANT'
{"type":"open","pid":"P","path":"@T/d/u","raw":"u","flags":32833,"mode":384,"ret":"FD","via":"io_uring","opcode":18}
{"type":"mkdir","pid":"P","path":"@T/d/ud","raw":"ud","path_status":"lexical","mode":448,"ret":0,"via":"io_uring","opcode":37}
{"type":"rename","pid":"P","path":"@T/d/u","raw":"u","path_status":"lexical","new_path":"@T/d/u2","new_raw":"u2","new_path_status":"lexical","flags":0,"ret":0,"via":"io_uring","opcode":35}
{"type":"unlink","pid":"P","path":"@T/d/u2","raw":"u2","path_status":"lexical","ret":0,"via":"io_uring","opcode":36}
{"type":"open","pid":"P","path":"@T/d/missing","raw":"missing","path_status":"lexical","flags":32768,"mode":0,"ret":-2,"err":"ENOENT","via":"io_uring","opcode":18}
{"type":"socket","pid":"P","syscall":"io_uring","family":"inet","sock_type":"stream","proto":"other","protocol":0,"ret":"FD","via":"io_uring","opcode":45}
{"type":"connect","pid":"P","family":"inet","addr":"127.0.0.1","sock_type":"stream","proto":"tcp","result":"ok","sock":"S","ret":0,"via":"io_uring","opcode":16}
{"type":"accept","pid":"P","family":"inet","addr":"127.0.0.1","sock_type":"stream","proto":"tcp","ret":"FD","via":"io_uring","opcode":13}
{"type":"send","pid":"P","family":"inet","addr":"127.0.0.1","sock_type":"dgram","proto":"udp","bytes":1,"ret":1,"via":"io_uring","opcode":9}
WANT
	diff -u want got
	# in the receipt as their syscall twins are
	[ "$(jq -c --arg d "$BATS_TEST_TMPDIR/d" '[.filesystem.accesses[] | select(.path | startswith($d + "/")) | [.op, .path, .result]]' "$R")" = \
		"[[\"read\",\"$BATS_TEST_TMPDIR/d/missing\",\"ENOENT\"],[\"create\",\"$BATS_TEST_TMPDIR/d/u\",\"ok\"],[\"rename\",\"$BATS_TEST_TMPDIR/d/u\",\"ok\"],[\"delete\",\"$BATS_TEST_TMPDIR/d/u2\",\"ok\"],[\"mkdir\",\"$BATS_TEST_TMPDIR/d/ud\",\"ok\"]]" ]
	[ "$(rc '[.network.attempts[] | [.op, .family, .protocol, .result]]')" = '[["connect","inet","tcp","ok"],["send","inet","udp","ok"]]' ]
	[ "$(rc .completeness)" = '"closed"' ]
}

@test "io_uring: an operation that is not decoded is partial with its opcode" {
	trace "$WORK" uring_msg
	[ "$(reasons io_uring_unsupported_op)" = '["io_uring_unsupported_op: 1 io_uring operations not decoded (opcodes 40)"]' ]
	[ "$(jq -c 'select(.type == "end") | .io_uring_opcodes' "$EV")" = '[40]' ]
	# twin: an operation that acts on nothing outside the process
	trace "$WORK" uring_nop
	[ "$(reasons io_uring_unsupported_op)" = '[]' ]
	[ "$(rc .completeness)" = '"closed"' ]
}

# fifo_open: [path, raw, path_changed] of the stream's read-only open of
# d/fifo
fifo_open() {
	jq -c --arg f "$BATS_TEST_TMPDIR/d/fifo" 'select(.type == "open" and .path == $f and .flags == 0) | [.path, .raw, .path_changed]' "$EV"
}

@test "a name rewritten while its syscall runs: path_changed on the record, the receipt partial" {
	mkdir d
	trace "$WORK" race "$BATS_TEST_TMPDIR/d"
	# the open slept in the FIFO after the kernel took the name; the
	# name was rewritten before it returned
	[ "$(fifo_open)" = "[\"$BATS_TEST_TMPDIR/d/fifo\",\"$BATS_TEST_TMPDIR/d/other\",true]" ]
	[ "$(jq -c 'select(.type == "end") | .undecoded.path_changed' "$EV")" = 1 ]
	[ "$(reasons path_changed)" = '["path_changed: 1 names changed while their syscall ran: the recorded name may not be the one the kernel used"]' ]
	[ "$(rc .completeness)" = '"partial"' ]
}

@test "path_changed twin: the same FIFO open, the name left alone, stays closed" {
	mkdir d
	trace "$WORK" norace "$BATS_TEST_TMPDIR/d"
	[ "$(fifo_open)" = "[\"$BATS_TEST_TMPDIR/d/fifo\",\"$BATS_TEST_TMPDIR/d/fifo\",null]" ]
	[ "$(jq -c 'select(.type == "end") | .undecoded.path_changed' "$EV")" = 0 ]
	closed
}

@test "a name in writable memory that could not be read at entry counts as changed" {
	trace "$WORK" unread
	[ "$(jq -c 'select(.type == "open" and .raw == "") | [.err, .path_changed]' "$EV")" = '["ENOENT",true]' ]
	[ "$(reasons path_changed | jq length)" = 1 ]
	# twin: the name written before the call is read at entry and compared
	trace "$WORK" unread "$BATS_TEST_TMPDIR/missing"
	[ "$(jq -c --arg p "$BATS_TEST_TMPDIR/missing" 'select(.type == "open" and .raw == $p) | [.err, .path_changed]' "$EV")" = '["ENOENT",null]' ]
	closed
}

# peer3: the peer of the inherited fd 3, as the header lists it.
peer3() {
	jq -r 'select(.type == "header") | .fds[] | select(.fd == 3) | .peer' "$EV"
}

# inherited_send KIND HOW: the workload's "send3 HOW" traced with fd 3 a
# connected KIND socket (tcp, on loopback, or unix); it succeeds, and the
# peer is in $peer.
inherited_send() {
	run "$WORK" pass "$1" gh-trace -o "$EV" -- "$WORK" send3 "$2"
	[ "$status" -eq 0 ]
	peer=$(peer3)
	[ "$1" != tcp ] || [[ "$peer" == 127.0.0.1:* ]]
}

# sent_to_peer: the receipt has one attempt, a send to $peer over TCP, and
# is closed.
sent_to_peer() {
	gh-aggregate "$EV" > "$R"
	[ "$(rc '[.network.attempts[] | [.op, .dst, .protocol, .result]]')" = "[[\"send\",\"$peer\",\"tcp\",\"ok\"]]" ]
	[ "$(rc .completeness)" = '"closed"' ]
}

@test "sends on an inherited TCP socket are recorded with its peer, whichever syscall made them" {
	for how in write send sendmsg sendfile; do
		inherited_send tcp $how
		sys=$how
		[ $how != send ] || sys=sendto
		[ "$(jq -c 'select(.type == "send") | [.fd, .family, .addr, "\(.addr):\(.port)", .sock_type, .bytes, .inherited, .syscall]' "$EV")" = \
			"[3,\"inet\",\"127.0.0.1\",\"$peer\",\"stream\",5,true,\"$sys\"]" ]
		sent_to_peer
	done
}

@test "a write on an inherited Unix socket is a send record" {
	inherited_send unix write
	[ "$(jq -c 'select(.type == "send") | [.fd, .family, .sock_type, .bytes, .inherited, .syscall]' "$EV")" = \
		'[3,"unix","stream",5,true,"write"]' ]
}

@test "inherited socket twins: no send, or the same write on an inherited file, make no send record" {
	inherited_send tcp none
	[ "$(jq -c 'select(.type == "send")' "$EV")" = '' ]
	run gh-trace -o "$EV" -- "$WORK" send3 write 3>file
	[ "$status" -eq 0 ]
	[ "$(cat file)" = hello ]
	[ "$(jq -c 'select(.type == "send")' "$EV")" = '' ]
}

@test "more inherited sockets than the 16 watched: partial with unwatched_sockets" {
	run "$WORK" sockets 17 gh-trace -o "$EV" -- true
	[ "$status" -eq 0 ]
	gh-aggregate "$EV" > "$R"
	[ "$(jq -c 'select(.type == "end") | .undecoded.unwatched_sockets' "$EV")" = 1 ]
	[ "$(reasons unwatched_sockets)" = '["unwatched_sockets: 1 inherited sockets beyond the 16 watched: sends on them are not recorded"]' ]
	# twin: 16 fit
	run "$WORK" sockets 16 gh-trace -o "$EV" -- true
	[ "$status" -eq 0 ]
	gh-aggregate "$EV" > "$R"
	closed
}

# received: the fd_received record of the socket that came over fd 3, as
# [fd, "addr:port"].
received() {
	jq -c 'select(.type == "fd_received" and .sock_fd == 3) | [.fd, "\(.addr):\(.port)"]' "$EV"
}

@test "a socket received over SCM_RIGHTS from outside the tree is watched as an inherited one: its sends are recorded with its peer" {
	for how in write send sendmsg; do
		run --separate-stderr "$WORK" passfd tcp gh-trace -o "$EV" -- "$WORK" recv3 $how
		[ "$status" -eq 0 ]
		fd=$output
		[ "$fd" -gt 3 ]
		got=$(received)
		[[ "$got" == "[$fd,\"127.0.0.1:"* ]]
		peer=$(jq -r '.[1]' <<<"$got")
		sys=$how
		[ $how != send ] || sys=sendto
		[ "$(jq -c 'select(.type == "send") | [.fd, .family, "\(.addr):\(.port)", .sock_type, .bytes, .inherited, .syscall]' "$EV")" = \
			"[$fd,\"inet\",\"$peer\",\"stream\",5,true,\"$sys\"]" ]
		gh-aggregate "$EV" > "$R"
		[ "$(rc '[.network.attempts[] | [.op, .dst, .protocol, .result]]')" = "[[\"send\",\"$peer\",\"tcp\",\"ok\"]]" ]
		[ "$(rc '[.network.connections[] | [.dst, .bytes_sent]]')" = "[[\"$peer\",5]]" ]
		closed
	done
	# a Unix socket as well
	run --separate-stderr "$WORK" passfd unix gh-trace -o "$EV" -- "$WORK" recv3 write
	[ "$status" -eq 0 ]
	[ "$(jq -c 'select(.type == "send") | [.fd, .family, .sock_type, .bytes, .inherited, .syscall]' "$EV")" = \
		"[$output,\"unix\",\"stream\",5,true,\"write\"]" ]
}

@test "received socket twin: received but not sent on, no send record" {
	run --separate-stderr "$WORK" passfd tcp gh-trace -o "$EV" -- "$WORK" recv3 none
	[ "$status" -eq 0 ]
	[[ "$(received)" == "[$output,\"127.0.0.1:"* ]]
	[ "$(jq -c 'select(.type == "send")' "$EV")" = '' ]
	gh-aggregate "$EV" > "$R"
	[ "$(rc '[.network.attempts, .completeness]')" = '[[],"closed"]' ]
}

@test "a socket received when the 16 watched are taken: partial with unwatched_sockets; one free, it is watched (the twin)" {
	# fd 3 and 15 more inherited sockets fill the 16
	run --separate-stderr "$WORK" sockets 15 "$WORK" passfd tcp gh-trace -o "$EV" -- "$WORK" recv3 write
	[ "$status" -eq 0 ]
	gh-aggregate "$EV" > "$R"
	[ "$(jq -c 'select(.type == "send")' "$EV")" = '' ]
	[ "$(jq -c 'select(.type == "end") | .undecoded.unwatched_sockets' "$EV")" = 1 ]
	[ "$(rc .completeness)" = '"partial"' ]
	[ "$(reasons unwatched_sockets | jq length)" = 1 ]
	# twin: 14 more, the received one takes the last slot
	run --separate-stderr "$WORK" sockets 14 "$WORK" passfd tcp gh-trace -o "$EV" -- "$WORK" recv3 write
	[ "$status" -eq 0 ]
	gh-aggregate "$EV" > "$R"
	[ "$(jq -c 'select(.type == "send") | [.fd, .bytes, .inherited]' "$EV")" = "[$output,5,true]" ]
	closed
}

@test "io_uring: a send without an address on an inherited socket is recorded with its peer" {
	inherited_send tcp uring
	[ "$(jq -c 'select(.type == "send") | [.fd, "\(.addr):\(.port)", .proto, .bytes, .inherited, .via, .opcode]' "$EV")" = \
		"[3,\"$peer\",\"tcp\",5,true,\"io_uring\",26]" ]
	sent_to_peer
}

@test "io_uring: writes on an inherited socket (write, writev, on a fixed file, splice) are send records with its peer" {
	for how in write:3:23 writev:3:2 write_fixed:0:23 splice:3:30; do
		op=${how%%:*} fd=${how#*:} code=${how##*:}
		fd=${fd%%:*}
		fixed=null
		[ "$op" != write_fixed ] || fixed=true
		inherited_send tcp "uring_$op"
		[ "$(jq -c 'select(.type == "send") | [.fd, "\(.addr):\(.port)", .proto, .bytes, .inherited, .via, .opcode, .fixed_file]' "$EV")" = \
			"[$fd,\"$peer\",\"tcp\",5,true,\"io_uring\",$code,$fixed]" ]
		sent_to_peer
	done
}

@test "io_uring write twins: the same writes on an inherited file make no send record" {
	for op in write write_fixed; do
		run gh-trace -o "$EV" -- "$WORK" send3 "uring_$op" 3>file
		[ "$status" -eq 0 ]
		[ "$(cat file)" = hello ]
		[ "$(jq -c 'select(.type == "send")' "$EV")" = '' ]
		[ "$(jq -c 'select(.type == "end") | .undecoded.io_uring_unsupported_op' "$EV")" = 0 ]
	done
}

@test "io_uring: RECVMSG with a control buffer (descriptors it may receive) makes the receipt partial with its opcode" {
	trace "$WORK" send3 uring_recvmsg_ctl
	[ "$(jq -c 'select(.type == "end") | [.undecoded.io_uring_unsupported_op, .io_uring_opcodes]' "$EV")" = '[1,[10]]' ]
	[ "$(reasons io_uring_unsupported_op)" = '["io_uring_unsupported_op: 1 io_uring operations not decoded (opcodes 10)"]' ]
	# the twin: without a control buffer nothing can come with the bytes
	trace "$WORK" send3 uring_recvmsg
	closed
}

@test "io_uring: connect and send on a fixed file: the socket and peer read at completion" {
	trace "$WORK" uring_fixed
	jq -c 'select(.via == "io_uring") | [.type, .fd, .family, .addr, .port, .sock_type, .proto, .ret, .fixed_file]' "$EV" > got
	port=$(jq 'select(.type == "connect") | .port' "$EV")
	printf '["connect",0,"inet","127.0.0.1",%s,"stream","tcp",0,true]\n["send",0,"inet","127.0.0.1",%s,"stream","tcp",1,true]\n' "$port" "$port" > want
	diff -u want got
	# one attempt per connect: its record names the socket's entry (sock),
	# whose end gives the final result (the peer closes with a reset)
	[ "$(jq -s -c '[.[] | select(.type == "connect" or .type == "sock_end")] | [map(.type), (.[0].sock | type), .[0].sock == .[1].sock]' "$EV")" = '[["connect","sock_end"],"number",true]' ]
	[ "$(rc '[.network.attempts[] | [.op, .dst, .protocol, .result]]')" = "[[\"connect\",\"127.0.0.1:$port\",\"tcp\",\"reset\"],[\"send\",\"127.0.0.1:$port\",\"tcp\",\"ok\"]]" ]
	[ "$(rc .completeness)" = '"closed"' ]
}

@test "io_uring fixed-file twin: by fd, the connect is recorded and the connected send is not, as send(2)" {
	trace "$WORK" uring_fd
	[ "$(jq -c 'select(.via == "io_uring") | [.type, .family, .proto, .fixed_file]' "$EV")" = '["connect","inet","tcp",null]' ]
	[ "$(rc .completeness)" = '"closed"' ]
}
