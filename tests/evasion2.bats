#!/usr/bin/env bats
# The receipt's promise (gh-receipt(5), The rule), attacked further:
# descriptors the kernel hands over (fanotify), socket families beyond
# inet and unix, one call that sends to many addresses. Each test traces a
# real workload (tests/evasion2/work.c, built here) and requires the
# action in the receipt at its field, or the receipt partial with the
# named reason; each has a twin that must come out the other way. Needs
# root and BPF; run under flock /work/bpf.lock like the other tracer
# suites. Network workloads use loopback addresses, this machine's own
# vsock context, or no peer at all.

bats_require_minimum_version 1.5.0
load trace/lib
load workload

setup_file() {
	workload_kept evasion2/work.c -luring
}

teardown_file() {
	kept_teardown
}

setup() {
	workload_root
}

teardown() {
	[ -z "${OUT_PID:-}" ] || kill "$OUT_PID" 2>/dev/null || true
}

@test "a file written through the descriptor a fanotify event hands over: partial, fanotify_fds" {
	echo hello > f
	trace "$WORK" fanotify f
	[ "$(cat f)" = owned ]
	# the write is in no record: only the read that raised the event
	[ "$(rc '[.filesystem.reads[], .filesystem.writes[]] | map(select(endswith("/f")))')" = "[\"$PWD/f\"]" ]
	[ "$(verdict)" = '["partial",["fanotify_fds: 1 fanotify groups whose events carry descriptors: files they open for the tree are not recorded"]]' ]
}

@test "fanotify twin: a group that reports file ids, not descriptors, stays closed" {
	echo hello > f
	trace "$WORK" fanfid f
	[ "$(cat f)" = hello ]
	[ "$(rc '[.actions[] | select(.syscall == "fanotify_init") | .result]')" = '["ok"]' ]
	closed
}

@test "an AF_XDP socket (raw frames from a ring, no send call): partial, undecoded_socket" {
	trace "$WORK" family xdp
	[ "$(rc '[.actions[] | select(.type == "socket") | .family]')" = '["xdp"]' ]
	[ "$(verdict)" = '["partial",["undecoded_socket: 1 sockets of families whose peers and traffic are not decoded"]]' ]
}

@test "socket family twin: a netlink socket is decoded and stays closed" {
	trace "$WORK" family netlink
	[ "$(rc '[.actions[] | select(.type == "socket") | .family]')" = '["netlink"]' ]
	closed
}

@test "a vsock connect names its peer: context id and port" {
	trace "$WORK" vsock 5000
	[ "$(rc '[.network.attempts[] | [.op, .dst, .family, .result]]')" = '[["connect","vsock:1:5000","vsock","in_progress"]]' ]
	closed
}

@test "vsock twin: another port is another peer" {
	trace "$WORK" vsock 5001
	[ "$(rc '[.network.attempts[] | .dst]')" = '["vsock:1:5001"]' ]
	[ "$(rc '[.network.attempts[] | .dst]')" != '["vsock:1:5000"]' ]
}

# sends: the receipt's send attempts, [op, dst, count] each.
sends() {
	rc '[.network.attempts[] | [.op, .dst, .count]]'
}

@test "sendmmsg: every message's own destination is a send, not only the first's" {
	trace "$WORK" mmsg 127.0.0.1:9 127.0.0.2:10 127.0.0.3:11
	[ "$(sends)" = '[["send","127.0.0.1:9",1],["send","127.0.0.2:10",1],["send","127.0.0.3:11",1]]' ]
	[ "$(rc '.network.bytes_sent')" = 3 ]
	closed
}

@test "sendmmsg on a connected socket: a destination in the twelfth message is a send" {
	trace "$WORK" mmsg - - - - - - - - - - - 127.0.0.9:19
	[ "$(rc '[.network.attempts[] | select(.op == "send") | [.dst, .count]]')" = '[["127.0.0.9:19",1]]' ]
	[ "$(rc '[.network.attempts[] | .op]')" = '["connect","send"]' ]
	closed
}

@test "sendmmsg twin: every message to one destination is one peer, counted per message" {
	trace "$WORK" mmsg 127.0.0.1:9 127.0.0.1:9 127.0.0.1:9
	[ "$(sends)" = '[["send","127.0.0.1:9",3]]' ]
	[ "$(rc '.network.bytes_sent')" = 3 ]
}

# signals: the receipt's signal actions, [syscall, target, in_tree,
# signal] each, sorted.
signals() {
	rc '[.actions[] | select(.type == "signal") | [.syscall, .target_pid, .in_tree, .signal]] | sort'
}

@test "the owner of a pipe's I/O signals set to a process outside the tree (F_SETOWN, F_SETSIG): killed by the kernel, recorded as signals" {
	sleep 60 &
	OUT_PID=$!
	trace "$WORK" sigio "$OUT_PID" 9
	run wait "$OUT_PID"
	[ "$status" -eq 137 ]
	[ "$(signals)" = "[[\"fcntl\",$OUT_PID,false,9],[\"fcntl\",$OUT_PID,false,29]]" ]
	# the starter policy refuses signals to processes outside the run
	run gh-policy "$GH_ROOT/policies/agent.rules" "$R"
	[ "$status" -eq 1 ]
	[ "${lines[0]#"$GH_ROOT"/policies/agent.rules:*: }" = "deny signal foreign [op=fcntl signal=IO] by pid $(rc '.process_tree[0].pid') ($WORK sigio $OUT_PID 9)" ]
}

@test "the same through ioctl FIOSETOWN: a signal record with its target" {
	sleep 60 &
	OUT_PID=$!
	trace "$WORK" sigio "$OUT_PID" 15 ioctl
	run wait "$OUT_PID"
	[ "$status" -eq 143 ]
	[ "$(signals)" = "[[\"fcntl\",$OUT_PID,false,15],[\"ioctl\",$OUT_PID,false,29]]" ]
}

@test "signal owner twin: the process itself as the owner is in the tree" {
	trace "$WORK" sigio self 23
	[ "$(rc '[.actions[] | select(.type == "signal") | [.syscall, .in_tree, .signal]] | sort')" = '[["fcntl",true,23],["fcntl",true,29]]' ]
	[ "$(rc '[.actions[] | select(.type == "signal") | .target_pid] | unique | length')" = 1 ]
	run gh-policy "$GH_ROOT/policies/agent.rules" "$R"
	[ "$status" -eq 0 ]
}

@test "a script run through its #! interpreter is executed too: its name beside the interpreter's" {
	printf '#!/bin/cat\nscript body\n' > s.sh
	chmod +x s.sh
	trace ./s.sh
	[ "$output" = "$(printf '#!/bin/cat\nscript body')" ]
	[ "$(execs)" = "[[\"$PWD/s.sh\",\"lexical\"],[\"/usr/bin/cat\",null]]" ]
	[ "$(jq -c 'select(.type == "exec") | [.exe, .script]' "$EV")" = "[\"/usr/bin/cat\",\"$PWD/s.sh\"]" ]
}

@test "script twin: the interpreter run on the script by name executes only itself" {
	printf '#!/bin/cat\nscript body\n' > s.sh
	trace /bin/cat s.sh
	[ "$(execs)" = '[["/usr/bin/cat",null]]' ]
	[ "$(rc '[.filesystem.reads[] | select(endswith("/s.sh"))]')" = "[\"$PWD/s.sh\"]" ]
}

@test "a script run by fexecve is /dev/fd/N, lexical: never gh-trace's own descriptor N" {
	printf '#!/bin/cat\nscript body\n' > s.sh
	chmod +x s.sh
	echo decoy > decoy
	# gh-trace holds decoy at the descriptor the script gets (5)
	run gh-trace -o "$EV" -- "$WORK" fexec s.sh 5<decoy
	[ "$status" -eq 0 ]
	gh-aggregate "$EV" > "$R"
	[ "$(jq -c 'select(.type == "exec" and .script) | [.exe, .script, .script_status]' "$EV")" = '["/usr/bin/cat","/dev/fd/5","lexical"]' ]
	[ "$(execs | jq -c 'map(select(.[0] | endswith("decoy")))')" = '[]' ]
}

@test "chmod through /dev/fd/N (a magic link): /dev/fd/N, lexical, not the file at gh-trace's own descriptor N" {
	echo secret > secret
	echo decoy > decoy
	run gh-trace -o "$EV" -- bash -c 'exec 7<secret; chmod 640 /dev/fd/7' 7<decoy
	[ "$status" -eq 0 ]
	[ "$(stat -c %a secret decoy | tr '\n' ' ')" = "640 644 " ]
	[ "$(jq -c 'select(.type == "chmod") | [.path, .path_status]' "$EV")" = '["/dev/fd/7","lexical"]' ]
}

@test "magic link twin: chmod through an ordinary symbolic link is checked and names its target" {
	echo secret > secret
	ln -s secret lnk
	run gh-trace -o "$EV" -- chmod 640 lnk
	[ "$status" -eq 0 ]
	[ "$(jq -c 'select(.type == "chmod") | [.path, .path_status]' "$EV")" = "[\"$PWD/secret\",\"lexical\"]" ]
}

@test "a write into the input pipe of a process outside the tree through /proc/PID/fd/0: foreign_process_control" {
	local i
	exec 8> >(exec cat > out.txt)
	OUT_PID=$!
	for i in $(seq 3000); do
		[ -p "/proc/$OUT_PID/fd/0" ] && break
		sleep 0.02
	done
	trace sh -c 'echo injected > /proc/$0/fd/0' "$OUT_PID"
	exec 8>&-
	wait "$OUT_PID" || true
	[ "$(cat out.txt)" = injected ]
	[ "$(rc '[.filesystem.accesses[] | select(.path == "pipe:") | [.op, .path_status]]')" = '[["create","unresolved"]]' ]
	[ "$(verdict)" = '["partial",["foreign_process_control: 1 controls of processes outside the traced tree"]]' ]
}

@test "pipe twin: writes into its own pipes and into a pipe of a process of the tree stay closed" {
	# the pipe's writer holds it open until c is written (a FIFO says
	# when): a writer that ends on its own could end first under load
	mkfifo hold
	run gh-trace -o "$EV" -- sh -c 'echo a > /dev/stdout; echo b > /proc/self/fd/1
		(read x < hold) | cat & i=0
		until [ -p /proc/$!/fd/0 ] || [ $i -gt 3000 ]; do sleep 0.02; i=$((i + 1)); done
		echo c > /proc/$!/fd/0; echo > hold; wait' < /dev/null
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "$output" | sort | tr -d '\n')" = abc ]
	gh-aggregate "$EV" > "$R"
	[ "$(rc '[.filesystem.writes[] | select(. == "pipe:")]')" = '["pipe:"]' ]
	closed
}

# sid MODE: /usr/bin/id copied with MODE into a directory of its own
# (its path in SID), run as "id -u" by nobody under gh-trace (status 0),
# the receipt in R.
sid() {
	local d
	d=$(mktemp -d /tmp/gh-evasion2.XXXXXX)
	SID=$d/sid
	chmod 755 "$d"
	cp /usr/bin/id "$SID"
	chmod "$1" "$SID"
	run gh-trace -u nobody -o "$EV" -- "$SID" -u
	rm -rf "$d"
	[ "$status" -eq 0 ]
	gh-aggregate "$EV" > "$R"
}

@test "a set-user-ID program run by nobody: the exec carries the ids it runs with (uid 0)" {
	sid 4755
	[ "$output" = 0 ]
	[ "$(rc '[.process_tree[].execs[] | [.exe, .uid, .gid]]')" = "[[\"$SID\",0,65534]]" ]
}

@test "set-user-ID twin: the same program without the bit runs as nobody, no ids in the exec" {
	sid 755
	[ "$output" = 65534 ]
	[ "$(rc '[.process_tree[].execs[] | [.exe, .uid, .gid]]')" = "[[\"$SID\",null,null]]" ]
}

# conns: the receipt's connect attempts, [dst, result] each, and the
# stream's connect records, [addr, addr_raw].
conns() {
	rc '[.network.attempts[] | select(.op == "connect") | [.dst, .result]] | unique'
	jq -c 'select(.type == "connect") | [.addr, .addr_raw]' "$EV"
}

@test "a unix connect through a symbolic link or /proc/self/fd names the socket file, the name given beside; a policy on the file judges it" {
	trace "$WORK" uconn "$PWD/srv.sock" "$PWD/lnk.sock"
	[ "$(conns)" = "$(printf '%s\n' "[[\"unix:$PWD/srv.sock\",\"ok\"]]" \
		"[\"$PWD/srv.sock\",\"$PWD/lnk.sock\"]" "[\"$PWD/srv.sock\",\"/proc/self/fd/9\"]")" ]
	printf 'deny connect unix:%s/srv.sock\nallow connect unix:**\n' "$PWD" > rules
	run gh-policy rules "$R"
	[ "$status" -eq 1 ]
}

@test "unix connect twin: by the socket file's own name, no addr_raw, and a policy on another file passes" {
	trace "$WORK" uconn "$PWD/srv.sock" -
	[ "$(conns)" = "$(printf '%s\n' "[[\"unix:$PWD/srv.sock\",\"ok\"]]" "[\"$PWD/srv.sock\",null]")" ]
	printf 'deny connect unix:%s/other.sock\nallow connect unix:**\n' "$PWD" > rules
	run gh-policy rules "$R"
	[ "$status" -eq 0 ]
}

@test "io_uring: a unix CONNECT through a symbolic link names the socket file too" {
	trace "$WORK" uconn_uring "$PWD/srv.sock" "$PWD/lnk.sock"
	[ "$(conns)" = "$(printf '%s\n' "[[\"unix:$PWD/srv.sock\",\"ok\"]]" "[\"$PWD/srv.sock\",\"$PWD/lnk.sock\"]")" ]
	[ "$(jq -c 'select(.type == "connect") | .via' "$EV")" = '"io_uring"' ]
}

# usends: the stream's send records to unix names, [addr, addr_raw,
# addr_status], and the receipt's send peers.
usends() {
	jq -c 'select(.type == "send" and .family == "unix") | [.addr, .addr_raw, .addr_status]' "$EV"
	rc '[.network.attempts[] | select(.op == "send") | .dst]'
}

@test "a unix datagram sent through a symbolic link names the socket file it names now, lexical, the name given beside" {
	trace "$WORK" usend "$PWD/srv.sock" "$PWD/lnk.sock"
	[ "$(usends)" = "$(printf '%s\n' "[\"$PWD/srv.sock\",\"$PWD/lnk.sock\",\"lexical\"]" "[\"unix:$PWD/srv.sock\"]")" ]
}

@test "unix datagram twin: sent by the socket file's own name, the name alone" {
	trace "$WORK" usend "$PWD/srv.sock" -
	[ "$(usends)" = "$(printf '%s\n' "[\"$PWD/srv.sock\",null,null]" "[\"unix:$PWD/srv.sock\"]")" ]
}

@test "the tun/tap driver opened and an interface made (in a network namespace of its own): partial, tun_device" {
	trace unshare -n "$WORK" tun
	[ "$(rc '[.filesystem.accesses[] | select(.path == "/dev/net/tun") | .op]')" = '["write"]' ]
	[ "$(verdict)" = '["partial",["tun_device: 1 opens of the tun/tap driver (/dev/net/tun) or nodes made for it: interfaces it makes and packets written to it are not decoded"]]' ]
}

@test "a node made for the tun/tap driver (character device 10:200) is tun_device too; another device's node stays closed (the twin)" {
	trace mknod tunnode c 10 200
	[ "$(rc '.completeness_reasons')" = '["tun_device: 1 opens of the tun/tap driver (/dev/net/tun) or nodes made for it: interfaces it makes and packets written to it are not decoded"]' ]
	rm tunnode
	trace mknod nullnode c 1 3
	[ "$(rc '[.actions[] | select(.type == "mknod") | .dev]')" = '[259]' ]
	closed
}

# renames: the receipt's rename accesses, [path, target] each.
renames() {
	rc '[.filesystem.accesses[] | select(.op == "rename") | [.path, .target]]'
}

@test "io_uring RENAMEAT with RENAME_EXCHANGE: both names renamed, each way" {
	echo A > xa
	echo B > xb
	trace "$WORK" xchg_uring xa xb
	[ "$(cat xa xb | tr -d '\n')" = BA ]
	[ "$(renames)" = "[[\"$PWD/xa\",\"$PWD/xb\"],[\"$PWD/xb\",\"$PWD/xa\"]]" ]
}

@test "io_uring RENAMEAT twin: a plain rename goes one way" {
	echo A > xa
	echo B > xb
	trace "$WORK" xchg_uring xa xb plain
	[ "$(cat xb)" = A ]
	[ "$(renames)" = "[[\"$PWD/xa\",\"$PWD/xb\"]]" ]
}
