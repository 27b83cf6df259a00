# Helpers and test cases shared by tests/gh-trace.bats and
# tests/gh-trace-kept.bats (loaded with bats' load).

trace_setup_file() {
	# the interpreter itself, not a wrapper script that forks on its own
	PY=$(python3 -c 'import sys; print(sys.executable)')
	export PY
	export TRACE_DIR=$GH_ROOT/tests/trace
	export FIX=$GH_ROOT/tests/fixtures/gh-trace
}

# trace_setup_file_unkept: trace_setup_file, for a suite that must never
# use programs that someone kept on this machine
trace_setup_file_unkept() {
	trace_setup_file
	export GH_TRACE_PIN_DIR=$BATS_FILE_TMPDIR/no-kept-programs
}

trace_setup() {
	unset SUDO_UID SUDO_GID SUDO_USER
	cd "$BATS_TEST_TMPDIR" || return 1
	EV=$BATS_TEST_TMPDIR/ev.ndjson
}

# need_mount_ns: skip unless unshare can make a mount namespace here (the
# tests that mount /proc or bpffs in one). In a plain chroot it cannot: the
# root directory is not a mount point, so its propagation cannot change.
need_mount_ns() {
	local err
	err=$(unshare -m true 2>&1) ||
		skip "unshare -m cannot make a mount namespace here ($err); in a chroot, the root directory must be a mount point"
}

# kept_setup: a bpf filesystem of the suite's own (nothing on the machine's
# /sys/fs/bpf is touched), the programs kept in it, GH_TRACE_KEEP=1.
kept_setup() {
	export KEPT_FS=$BATS_FILE_TMPDIR/bpf
	mkdir -p "$KEPT_FS"
	mount -t bpf bpf "$KEPT_FS"
	export GH_TRACE_PIN_DIR=$KEPT_FS/glasshouse GH_TRACE_KEEP=1
	gh-trace --keep
}

kept_teardown() {
	[ -n "${KEPT_FS:-}" ] || return 0
	GH_TRACE_PIN_DIR=$KEPT_FS/glasshouse gh-trace --unload
	umount "$KEPT_FS"
}

# ev FILTER: the records that jq FILTER keeps, one compact line each.
ev() {
	jq -c "$1" "$EV"
}

# The stream is well formed: valid JSON lines, header first, end last.
check_stream() {
	jq -e . "$EV" >/dev/null
	[ "$(head -n1 "$EV" | jq -r .type)" = header ]
	[ "$(tail -n1 "$EV" | jq -r .type)" = end ]
	[ "$(jq -s '[.[] | select(.type == "header" or .type == "end")] | length' "$EV")" = 2 ]
}

no_loss() {
	[ "$(tail -n1 "$EV" | jq -c .lost)" = '{"ringbuf":0,"fault":0,"truncated":0,"missed":0}' ]
}

# signal_test SIG N: SIG sent to gh-trace reaches the command (sleep), which
# dies of it; gh-trace exits 128+N with a finished stream. Started through
# python so that neither SIGINT (ignored by a shell for background jobs)
# nor SIGHUP (ignored under nohup, as tests/run leaves it) is ignored.
signal_test() {
	"$PY" -c 'import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_DFL)
signal.signal(signal.SIGHUP, signal.SIG_DFL)
os.execvp(sys.argv[1], sys.argv[1:])' gh-trace -o "$EV" -- sleep 30 &
	gt=$!
	until grep -q '"exe":"[^"]*sleep"' "$EV" 2>/dev/null; do sleep 0.05; done
	kill -"$1" "$gt"
	status=0
	wait "$gt" || status=$?
	[ "$status" -eq $((128 + $2)) ]
	check_stream
	[ "$(ev 'select(.type=="end") | [.status, .code, .signal]')" = "[$((128 + $2)),null,$2]" ]
}

# The cases, each named after its test.

# header and end frame the stream and agree on the command
case_header_end() {
	run gh-trace -o "$EV" -- /bin/true
	[ "$status" -eq 0 ]
	check_stream
	no_loss
	[ "$(ev 'select(.type=="header") | [.schema, .tool, .argv, .audit.active, .limits.path_bytes, .stdout, .stderr]')" = \
		'[2,"gh-trace",["/bin/true"],true,4096,null,null]' ]
	# what observed the run: the BPF object (as built), kept or loaded
	# for the run; gh-aggregate carries it, the version and the kernel
	local want=loaded bpf
	ls "${GH_TRACE_PIN_DIR:-/nonexistent}"/trace-* >/dev/null 2>&1 && want=kept
	bpf=$(sha256sum < "${GH_OUT:-$GH_ROOT/build}/trace.bpf.o" | cut -d' ' -f1)
	[ "$(ev 'select(.type=="header") | .audit')" = "{\"active\":true,\"programs\":\"$want\",\"bpf_object_sha256\":\"$bpf\"}" ]
	[ "$(gh-aggregate "$EV" | jq -c '.provenance | [.tool_version, .kernel, .bpf_object_sha256, .bpf_programs]')" = \
		"[\"0.1.0\",\"$(uname -r)\",\"$bpf\",\"$want\"]" ]
	pid=$(ev 'select(.type=="header") | .pid')
	[ "$(ev 'select(.type=="end") | [.pid, .status, .code, .signal]')" = "[$pid,0,0,null]" ]
	ev 'select(.type=="header") | .execution_id' | grep -Eq '^"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"$'
	ev 'select(.type=="header") | .start' | grep -Eq '^"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z"$'
}

# the command's own exec is captured with the resolved executable
case_own_exec() {
	ln -s /bin/true mytrue
	run gh-trace -o "$EV" -- ./mytrue a 'b c'
	[ "$status" -eq 0 ]
	pid=$(ev 'select(.type=="header") | .pid')
	[ "$(sed -n 2p "$EV" | jq -c '[.type, .pid, .exe, .argv, .argc, .argv_truncated, .cwd, .ret]')" = \
		"[\"exec\",$pid,\"$(readlink -f /bin/true)\",[\"./mytrue\",\"a\",\"b c\"],3,false,\"$BATS_TEST_TMPDIR\",0]" ]
}

# relative, dirfd and failing paths are absolute and normalized
case_paths() {
	mkdir w
	run gh-trace -o "$EV" -- "$PY" "$TRACE_DIR/files.py" "$BATS_TEST_TMPDIR/w"
	[ "$status" -eq 0 ]
	check_stream
	no_loss
	# fd numbers depend on what the test harness leaves open: keep them out
	jq -c --arg d "$BATS_TEST_TMPDIR/w" \
		'select((.path // "") | startswith($d)) | del(.t, .pid, .tid) |
		 if .type == "open" and .ret >= 0 then .ret = "FD" else . end |
		 if (.dirfd // -100) >= 0 then .dirfd = "FD" else . end' "$EV" |
		sed "s|$BATS_TEST_TMPDIR/w|@DIR@|g" > got
	diff -u "$FIX/files.ndjson" got
}

# cd somewhere && cat ./x gives the absolute path
case_cd_relative() {
	mkdir -p d && echo hi > d/x
	run gh-trace -o "$EV" -- sh -c "cd $BATS_TEST_TMPDIR/d && cat ./x >/dev/null && cat ./nope 2>/dev/null; true"
	[ "$status" -eq 0 ]
	[ "$(ev 'select(.type=="open" and (.raw|startswith("./"))) | [.path, .raw, .ret >= 0, .err]')" = \
		"[\"$BATS_TEST_TMPDIR/d/x\",\"./x\",true,null]
[\"$BATS_TEST_TMPDIR/d/nope\",\"./nope\",false,\"ENOENT\"]" ]
}

# a three-level process tree has the right ppids and exit codes, without exec
case_tree() {
	run gh-trace -o "$EV" -- "$PY" "$TRACE_DIR/tree.py" "$BATS_TEST_TMPDIR/pids"
	[ "$status" -eq 0 ]
	check_stream
	no_loss
	read -r child grand < pids
	top=$(ev 'select(.type=="header") | .pid')
	[ "$(ev 'select(.type=="fork") | [.pid, .ppid]')" = "[$child,$top]
[$grand,$child]" ]
	[ "$(ev 'select(.type=="exit") | [.pid, .ppid, .code, .signal]')" = "[$grand,$child,4,null]
[$child,$top,3,null]
[$top,$(ev 'select(.type=="exec") | .ppid'),0,null]" ]
	[ "$(ev 'select(.type=="exec") | .pid')" = "$top" ]
}

# a SIGKILLed child is reported by signal, the command's exit code passes through
case_killed_child() {
	run gh-trace -o "$EV" -- sh -c 'sh -c "kill -9 \$\$"; exit 7'
	[ "$status" -eq 7 ]
	[ "$(ev 'select(.type=="exit") | [.code, .signal, .core]')" = '[null,9,false]
[7,null,false]' ]
	[ "$(ev 'select(.type=="end") | [.status, .code, .signal]')" = '[7,7,null]' ]
}

# a 40-argument argv is complete
case_argv40() {
	args=()
	for i in $(seq 1 40); do args+=("argument-number-$i"); done
	run gh-trace -o "$EV" -- /bin/echo "${args[@]}"
	[ "$status" -eq 0 ]
	no_loss
	[ "$(ev 'select(.type=="exec") | [.argc, (.argv|length), .argv[0], .argv[40], .argv_truncated, .argv_bytes]')" = \
		'[41,41,"/bin/echo","argument-number-40",false,761]' ]
}

# --argv-limit truncates argv, says so and counts it
case_argv_limit() {
	run gh-trace -o "$EV" --argv-limit 24 -- /bin/echo 0123456789 abcdefghij
	[ "$status" -eq 0 ]
	[ "$(ev 'select(.type=="exec") | [.argc, .argv, .argv_truncated, .argv_bytes]')" = \
		'[3,["/bin/echo","0123456789","abc"],true,32]' ]
	[ "$(ev 'select(.type=="end") | .lost')" = '{"ringbuf":0,"fault":0,"truncated":1,"missed":0}' ]
}

# a failed exec is an exec record with the error
case_failed_exec() {
	run gh-trace -o "$EV" -- sh -c '/nonexistent/prog arg 2>/dev/null; true'
	[ "$status" -eq 0 ]
	[ "$(ev 'select(.type=="exec" and .ret < 0) | [.path, .raw, .argv, .ret, .err, .cwd]')" = \
		"[\"/nonexistent/prog\",\"/nonexistent/prog\",[\"/nonexistent/prog\",\"arg\"],-2,\"ENOENT\",\"$BATS_TEST_TMPDIR\"]" ]
	# made by a child the shell forked: its parent is the command
	cmd=$(head -n1 "$EV" | jq .pid)
	child=$(ev 'select(.type=="fork") | .pid')
	[ "$(ev 'select(.type=="exec" and .ret < 0) | [.pid, .ppid]')" = "[$child,$cmd]" ]
}

# TCP, UDP, IPv6 and unix sockets are reported with kernel socket facts
case_sockets() {
	run gh-trace -o "$EV" -- "$PY" "$TRACE_DIR/net.py" "$BATS_TEST_TMPDIR/ports"
	[ "$status" -eq 0 ]
	check_stream
	no_loss
	read -r port closed uport port6 dupfd < ports
	[ "$(ev 'select(.type=="connect") | [.family, .addr, .port, .sock_type, .proto, .result, .err]')" = \
"[\"inet\",\"127.0.0.1\",$port,\"stream\",\"tcp\",\"ok\",null]
[\"inet\",\"127.0.0.1\",$closed,\"stream\",\"tcp\",\"refused\",\"ECONNREFUSED\"]
[\"inet6\",\"::1\",$port6,\"stream\",\"tcp\",\"ok\",null]
[\"inet\",\"127.0.0.1\",$port,\"stream\",\"tcp\",\"ok\",null]
[\"unix\",\"@gh-trace-test-$(ev 'select(.type=="header") | .pid')\",null,\"stream\",\"unix\",\"ok\",null]" ]
	[ "$(ev "select(.type==\"connect\" and .fd==$dupfd) | .proto")" = '"tcp"' ]
	[ "$(ev 'select(.type=="send") | [.family, .addr, .port, .sock_type, .proto, .bytes, .ret]')" = \
"[\"inet\",\"127.0.0.1\",$uport,\"dgram\",\"udp\",5,5]
[\"inet\",\"127.0.0.1\",$uport,\"dgram\",\"udp\",3,3]" ]
	[ "$(ev 'select(.type=="listen") | [.family, .addr, .port, .backlog]' | head -n2)" = \
"[\"inet\",\"127.0.0.1\",$port,4]
[\"inet6\",\"::1\",$port6,1]" ]
	[ "$(ev 'select(.type=="accept") | [.family, .addr, .proto] ')" = '["inet","127.0.0.1","tcp"]' ]
	[ "$(ev 'select(.type=="bind") | [.family, .addr, .port, .proto]' | head -n1)" = '["inet","127.0.0.1",0,"tcp"]' ]
}

# a concurrent process outside the tree never appears
case_outside() {
	echo secret > outside
	( while [ ! -e stop ]; do cat outside >/dev/null; done ) &
	loop=$!
	run gh-trace -o "$EV" -- sh -c 'for i in 1 2 3 4 5 6 7 8; do cat /etc/hostname >/dev/null; done'
	touch stop
	wait "$loop"
	[ "$status" -eq 0 ]
	check_stream
	[ "$(ev "select(.pid==$loop or (.path // \"\" | endswith(\"/outside\")))" | wc -l)" -eq 0 ]
	[ "$(ev 'select(.type=="open" and .path=="/etc/hostname")' | wc -l)" -eq 8 ]
}

# orphans are followed until they finish
case_orphans() {
	run gh-trace -o "$EV" -- sh -c "(sleep 0.2; echo late > $BATS_TEST_TMPDIR/late) & exit 0"
	[ "$status" -eq 0 ]
	check_stream
	[ "$(ev "select(.type==\"open\" and .path==\"$BATS_TEST_TMPDIR/late\") | .ret >= 0")" = true ]
}

# --stdout and --stderr capture to files, still shown, bytes in the end
case_capture() {
	run --separate-stderr gh-trace -o "$EV" --stdout out.txt --stderr err.txt -- sh -c 'echo hello; echo oops >&2'
	[ "$status" -eq 0 ]
	[ "$output" = hello ]
	[ "$stderr" = oops ]
	[ "$(cat out.txt)" = hello ]
	[ "$(cat err.txt)" = oops ]
	[ "$(ev 'select(.type=="header") | [.stdout, .stderr]')" = \
		"[{\"path\":\"$BATS_TEST_TMPDIR/out.txt\"},{\"path\":\"$BATS_TEST_TMPDIR/err.txt\"}]" ]
	[ "$(ev 'select(.type=="end") | [.stdout, .stderr]')" = \
		"[{\"path\":\"$BATS_TEST_TMPDIR/out.txt\",\"bytes\":6},{\"path\":\"$BATS_TEST_TMPDIR/err.txt\",\"bytes\":5}]" ]
}

# -u runs the command as that user
case_user() {
	run --separate-stderr gh-trace -o "$EV" -u nobody -- id -u
	[ "$status" -eq 0 ]
	[ "$output" = "$(id -u nobody)" ]
	[ "$(ev 'select(.type=="header") | [.uid, .run_uid]')" = "[0,$(id -u nobody)]" ]
	[ "$(ev 'select(.type=="exec") | .uid')" = "$(id -u nobody)" ]
}

# a command that is not found exits 127 with a finished stream
case_not_found() {
	run -127 --separate-stderr gh-trace -o "$EV" -- no-such-command-here
	[ "$status" -eq 127 ]
	[ "$stderr" = "gh-trace: no-such-command-here: No such file or directory" ]
	check_stream
	[ "$(ev 'select(.type=="exec")' | wc -l)" -eq 0 ]
}

# every file strace sees the tree open successfully is in the receipt
case_strace() {
	command -v gh-aggregate >/dev/null || skip "gh-aggregate is not built"
	cmd=(sh -c "ls /etc >/dev/null; cat /etc/hostname /etc/passwd >/dev/null; cd /usr/share && ls -d doc >/dev/null; date >/dev/null; $PY -c 'import json, sqlite3, email.parser'")
	strace -f -qq -y -e trace=open,openat,openat2,creat -e status=successful -o st.txt "${cmd[@]}"
	sed -n 's/.*= [0-9]*<\(.*\)>$/\1/p' st.txt | sort -u > strace.paths
	[ "$(wc -l < strace.paths)" -ge 50 ]
	run gh-trace -o "$EV" -- "${cmd[@]}"
	[ "$status" -eq 0 ]
	no_loss
	gh-aggregate "$EV" > receipt.json
	jq -r '.filesystem.accesses[] | select(.result == "ok" and (.op == "read" or .op == "write" or .op == "create")) | .path' receipt.json | sort -u > receipt.paths
	comm -23 strace.paths receipt.paths > missing
	[ ! -s missing ] || { cat missing; false; }
}

# end to end: gh-aggregate turns the stream into a closed receipt
case_receipt_closed() {
	command -v gh-aggregate >/dev/null || skip "gh-aggregate is not built"
	mkdir w
	gh-trace -o "$EV" -- "$PY" "$TRACE_DIR/files.py" "$BATS_TEST_TMPDIR/w"
	gh-aggregate "$EV" > receipt.json
	[ "$(jq -r .completeness receipt.json)" = closed ]
	[ "$(jq -c .loss receipt.json)" = '{"fault":0,"ringbuf":0,"truncated":0}' ]
	jq -e --arg f "$BATS_TEST_TMPDIR/w/sub/b.txt" '.filesystem.writes | index($f)' receipt.json
	jq -e --arg f "$BATS_TEST_TMPDIR/w/sub/hard" '.filesystem.deletes | index($f)' receipt.json
	[ "$(jq '.process_tree | length' receipt.json)" = 1 ]
}
