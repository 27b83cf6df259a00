#!/usr/bin/env bats
# gh-trace: traces real commands on the running kernel (needs root) and
# checks exact facts of the event stream and, through gh-aggregate, of the
# receipt. Workloads live in tests/trace/.

bats_require_minimum_version 1.5.0

setup_file() {
	# the interpreter itself, not a wrapper script that forks on its own
	PY=$(python3 -c 'import sys; print(sys.executable)')
	export PY
	export TRACE_DIR=$GH_ROOT/tests/trace
	export FIX=$GH_ROOT/tests/fixtures/gh-trace
}

setup() {
	unset SUDO_UID SUDO_GID SUDO_USER
	cd "$BATS_TEST_TMPDIR" || return 1
	EV=$BATS_TEST_TMPDIR/ev.ndjson
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
	[ "$(tail -n1 "$EV" | jq -c .lost)" = '{"ringbuf":0,"fault":0,"truncated":0}' ]
}

@test "gh-trace --help prints usage on stdout and exits 0" {
	run --separate-stderr gh-trace --help
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "usage: gh-trace [-o FILE] [--stdout FILE] [--stderr FILE] [-u USER]" ]]
	[ -z "$stderr" ]
}

@test "gh-trace --version prints the version" {
	run --separate-stderr gh-trace --version
	[ "$status" -eq 0 ]
	[ "$output" = "gh-trace 0.1.0" ]
}

@test "gh-trace without a command is a usage error" {
	run --separate-stderr gh-trace
	[ "$status" -eq 2 ]
	[ -z "$output" ]
	[[ "$stderr" == "gh-trace: no command given"* ]]
}

@test "gh-trace rejects an unknown option and bad limits" {
	run --separate-stderr gh-trace --bogus -- true
	[ "$status" -eq 2 ]
	run --separate-stderr gh-trace --argv-limit 0 -- true
	[ "$status" -eq 2 ]
	[ "$stderr" = "gh-trace: --argv-limit: '0' is not a number from 1 to 65535" ]
	run --separate-stderr gh-trace --ringbuf-size 5000 -- true
	[ "$status" -eq 2 ]
	[ "$stderr" = "gh-trace: --ringbuf-size: '5000' is not a power of two from 4096 to 1073741824" ]
}

@test "header and end frame the stream and agree on the command" {
	run gh-trace -o "$EV" -- /bin/true
	[ "$status" -eq 0 ]
	check_stream
	no_loss
	[ "$(ev 'select(.type=="header") | [.schema, .tool, .argv, .audit, .limits.path_bytes, .stdout, .stderr]')" = \
		'[1,"gh-trace",["/bin/true"],{"active":true},4096,null,null]' ]
	pid=$(ev 'select(.type=="header") | .pid')
	[ "$(ev 'select(.type=="end") | [.pid, .status, .code, .signal]')" = "[$pid,0,0,null]" ]
	ev 'select(.type=="header") | .execution_id' | grep -Eq '^"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"$'
	ev 'select(.type=="header") | .start' | grep -Eq '^"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z"$'
}

@test "the command's own exec is captured with the resolved executable" {
	ln -s /bin/true mytrue
	run gh-trace -o "$EV" -- ./mytrue a 'b c'
	[ "$status" -eq 0 ]
	pid=$(ev 'select(.type=="header") | .pid')
	[ "$(sed -n 2p "$EV" | jq -c '[.type, .pid, .exe, .argv, .argc, .argv_truncated, .cwd, .ret]')" = \
		"[\"exec\",$pid,\"$(readlink -f /bin/true)\",[\"./mytrue\",\"a\",\"b c\"],3,false,\"$BATS_TEST_TMPDIR\",0]" ]
}

@test "the child's output never mixes into the event stream" {
	run --separate-stderr gh-trace -- sh -c 'echo to-stdout; echo to-stderr >&2'
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" > "$EV"
	check_stream
	[ "$stderr" = "to-stdout
to-stderr" ]
}

@test "with -o the child's stdout stays on stdout" {
	run --separate-stderr gh-trace -o "$EV" -- echo hello
	[ "$status" -eq 0 ]
	[ "$output" = hello ]
	check_stream
}

@test "relative, dirfd and failing paths are absolute and normalized" {
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

@test "cd somewhere && cat ./x gives the absolute path" {
	mkdir -p d && echo hi > d/x
	run gh-trace -o "$EV" -- sh -c "cd $BATS_TEST_TMPDIR/d && cat ./x >/dev/null && cat ./nope 2>/dev/null; true"
	[ "$status" -eq 0 ]
	[ "$(ev 'select(.type=="open" and (.raw|startswith("./"))) | [.path, .raw, .ret >= 0, .err]')" = \
		"[\"$BATS_TEST_TMPDIR/d/x\",\"./x\",true,null]
[\"$BATS_TEST_TMPDIR/d/nope\",\"./nope\",false,\"ENOENT\"]" ]
}

@test "a three-level process tree has the right ppids and exit codes, without exec" {
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

@test "a SIGKILLed child is reported by signal, the command's exit code passes through" {
	run gh-trace -o "$EV" -- sh -c 'sh -c "kill -9 \$\$"; exit 7'
	[ "$status" -eq 7 ]
	[ "$(ev 'select(.type=="exit") | [.code, .signal, .core]')" = '[null,9,false]
[7,null,false]' ]
	[ "$(ev 'select(.type=="end") | [.status, .code, .signal]')" = '[7,7,null]' ]
}

@test "a command killed by a signal exits 128+N and the stream is finished" {
	run gh-trace -o "$EV" -- sh -c 'kill -9 $$'
	[ "$status" -eq 137 ]
	check_stream
	[ "$(ev 'select(.type=="end") | [.status, .code, .signal]')" = '[137,null,9]' ]
}

@test "a 40-argument argv is complete" {
	args=()
	for i in $(seq 1 40); do args+=("argument-number-$i"); done
	run gh-trace -o "$EV" -- /bin/echo "${args[@]}"
	[ "$status" -eq 0 ]
	no_loss
	[ "$(ev 'select(.type=="exec") | [.argc, (.argv|length), .argv[0], .argv[40], .argv_truncated, .argv_bytes]')" = \
		'[41,41,"/bin/echo","argument-number-40",false,761]' ]
}

@test "--argv-limit truncates argv, says so and counts it" {
	run gh-trace -o "$EV" --argv-limit 24 -- /bin/echo 0123456789 abcdefghij
	[ "$status" -eq 0 ]
	[ "$(ev 'select(.type=="exec") | [.argc, .argv, .argv_truncated, .argv_bytes]')" = \
		'[3,["/bin/echo","0123456789","abc"],true,32]' ]
	[ "$(ev 'select(.type=="end") | .lost')" = '{"ringbuf":0,"fault":0,"truncated":1}' ]
}

@test "a failed exec is an exec record with the error" {
	run gh-trace -o "$EV" -- sh -c '/nonexistent/prog arg 2>/dev/null; true'
	[ "$status" -eq 0 ]
	[ "$(ev 'select(.type=="exec" and .ret < 0) | [.path, .raw, .argv, .ret, .err, .cwd]')" = \
		"[\"/nonexistent/prog\",\"/nonexistent/prog\",[\"/nonexistent/prog\",\"arg\"],-2,\"ENOENT\",\"$BATS_TEST_TMPDIR\"]" ]
}

@test "TCP, UDP, IPv6 and unix sockets are reported with kernel socket facts" {
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

@test "a non-blocking connect is in progress" {
	run gh-trace -o "$EV" -- "$PY" -c '
import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(1)
c = socket.socket(); c.setblocking(False)
try:
    c.connect(s.getsockname())
except BlockingIOError:
    pass'
	[ "$status" -eq 0 ]
	[ "$(ev 'select(.type=="connect") | [.result, .err]')" = '["in_progress","EINPROGRESS"]' ]
}

@test "a concurrent process outside the tree never appears" {
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

@test "orphans are followed until they finish" {
	run gh-trace -o "$EV" -- sh -c "(sleep 0.2; echo late > $BATS_TEST_TMPDIR/late) & exit 0"
	[ "$status" -eq 0 ]
	check_stream
	[ "$(ev "select(.type==\"open\" and .path==\"$BATS_TEST_TMPDIR/late\") | .ret >= 0")" = true ]
}

# signal_test SIG N: SIG sent to gh-trace reaches the command (sleep), which
# dies of it; gh-trace exits 128+N with a finished stream. Started through
# python so that SIGINT is not ignored, as a shell does for background jobs.
signal_test() {
	"$PY" -c 'import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_DFL)
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

@test "SIGTERM to gh-trace reaches the command and the stream is finished" {
	signal_test TERM 15
}

@test "SIGINT to gh-trace reaches the command and the stream is finished" {
	signal_test INT 2
}

@test "SIGHUP to gh-trace reaches the command and the stream is finished" {
	signal_test HUP 1
}

@test "a signal ignored when gh-trace starts stays ignored for the command" {
	probe=(-c 'import signal; print(signal.getsignal(signal.SIGINT) == signal.SIG_IGN)')
	[ "$( (trap '' INT; gh-trace -o "$EV" -- "$PY" "${probe[@]}") )" = True ]
	[ "$(gh-trace -o "$EV" -- "$PY" "${probe[@]}")" = False ]
}

@test "--stdout and --stderr capture to files, still shown, bytes in the end" {
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

@test "an unopenable --stdout file is status 125 and nothing runs" {
	run --separate-stderr gh-trace -o "$EV" --stdout /nonexistent/out -- touch ran
	[ "$status" -eq 125 ]
	[ "$stderr" = "gh-trace: /nonexistent/out: No such file or directory" ]
	[ ! -e ran ]
}

@test "a capture file that cannot be written is status 125, the command's output still shown" {
	run --separate-stderr gh-trace -o "$EV" --stdout /dev/full -- echo hello
	[ "$status" -eq 125 ]
	[ "$output" = hello ]
	[ "$stderr" = "gh-trace: /dev/full: write error: No space left on device" ]
	check_stream
}

@test "-u runs the command as that user" {
	run --separate-stderr gh-trace -o "$EV" -u nobody -- id -u
	[ "$status" -eq 0 ]
	[ "$output" = "$(id -u nobody)" ]
	[ "$(ev 'select(.type=="header") | [.uid, .run_uid]')" = "[0,$(id -u nobody)]" ]
	[ "$(ev 'select(.type=="exec") | .uid')" = "$(id -u nobody)" ]
}

@test "under sudo the command runs as the invoking user by default" {
	run --separate-stderr env SUDO_UID=65534 SUDO_GID=65534 gh-trace -o "$EV" -- id -u
	[ "$status" -eq 0 ]
	[ "$output" = 65534 ]
	run --separate-stderr env SUDO_UID=65534 SUDO_GID=65534 gh-trace -o "$EV" -u root -- id -u
	[ "$output" = 0 ]
}

@test "-u with an unknown user fails before running anything" {
	run --separate-stderr gh-trace -o "$EV" -u no-such-user-here -- touch ran
	[ "$status" -eq 125 ]
	[ "$stderr" = "gh-trace: unknown user 'no-such-user-here'" ]
	[ ! -e ran ]
}

@test "without root, the command still runs and the stream says audit is off" {
	chmod 755 "$BATS_TEST_TMPDIR"
	run --separate-stderr setpriv --reuid=65534 --regid=65534 --clear-groups gh-trace -- sh -c 'exit 3'
	[ "$status" -eq 3 ]
	[ "$stderr" = "gh-trace: warning: audit unavailable: not running as root (euid 65534); running the command untraced" ]
	printf '%s\n' "$output" > "$EV"
	check_stream
	[ "$(ev 'select(.type=="header") | .audit')" = '{"active":false,"reason":"not running as root (euid 65534)"}' ]
	[ "$(ev 'select(.type=="end") | [.status, .events]')" = '[3,0]' ]
}

@test "--require-audit makes unavailable eBPF fatal" {
	chmod 755 "$BATS_TEST_TMPDIR"
	run --separate-stderr setpriv --reuid=65534 --regid=65534 --clear-groups gh-trace --require-audit -- touch /tmp/gh-trace-must-not-exist
	[ "$status" -eq 125 ]
	[ -z "$output" ]
	[ "$stderr" = "gh-trace: audit unavailable: not running as root (euid 65534)" ]
	[ ! -e /tmp/gh-trace-must-not-exist ]
}

@test "a command that is not found exits 127 with a finished stream" {
	run -127 --separate-stderr gh-trace -o "$EV" -- no-such-command-here
	[ "$status" -eq 127 ]
	[ "$stderr" = "gh-trace: no-such-command-here: No such file or directory" ]
	check_stream
	[ "$(ev 'select(.type=="exec")' | wc -l)" -eq 0 ]
}

@test "a write error on the event stream is status 125" {
	run --separate-stderr gh-trace -o /dev/full -- true
	[ "$status" -eq 125 ]
	[ "$stderr" = "gh-trace: write error: No space left on device" ]
}

@test "an unopenable -o file is status 125 and nothing runs" {
	run --separate-stderr gh-trace -o /nonexistent/ev -- touch ran
	[ "$status" -eq 125 ]
	[ "$stderr" = "gh-trace: /nonexistent/ev: No such file or directory" ]
	[ ! -e ran ]
}

@test "invalid UTF-8 in a path is replaced and kept in hex" {
	run gh-trace -o "$EV" -- "$PY" -c 'import os; os.close(os.open(b"bad\xffname", os.O_CREAT | os.O_WRONLY))'
	[ "$status" -eq 0 ]
	[ "$(ev 'select(.type=="open" and .raw_hex) | [.path, .raw, .raw_hex, .path_hex]')" = \
		"[\"$BATS_TEST_TMPDIR/bad�name\",\"bad�name\",\"626164ff6e616d65\",\"$(printf %s "$BATS_TEST_TMPDIR/" | od -An -tx1 | tr -d ' \n')626164ff6e616d65\"]" ]
}

@test "a path deeper than the walk limit is marked incomplete and counted" {
	run gh-trace -o "$EV" -- "$PY" -c '
import os
for i in range(1100):
    os.mkdir("d"); os.chdir("d")
os.close(os.open("f", os.O_CREAT | os.O_WRONLY))'
	[ "$status" -eq 0 ]
	[ "$(ev 'select(.type=="open" and .raw=="f") | .path_incomplete')" = true ]
	[ "$(ev 'select(.type=="end") | .lost.truncated')" -ge 1 ]
}

@test "every file strace sees the tree open successfully is in the receipt" {
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

@test "end to end: gh-aggregate turns the stream into a closed receipt" {
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

@test "end to end: any loss makes the receipt partial" {
	command -v gh-aggregate >/dev/null || skip "gh-aggregate is not built"
	gh-trace -o "$EV" --argv-limit 24 -- /bin/echo 0123456789 abcdefghij >/dev/null
	gh-aggregate "$EV" > receipt.json
	[ "$(jq -c '[.completeness, .loss]' receipt.json)" = '["partial",{"fault":0,"ringbuf":0,"truncated":1}]' ]
}

@test "end to end: the receipt shows the tree and the network attempts" {
	command -v gh-aggregate >/dev/null || skip "gh-aggregate is not built"
	gh-trace -o "$EV" -- "$PY" "$TRACE_DIR/tree.py" "$BATS_TEST_TMPDIR/pids"
	gh-aggregate "$EV" > receipt.json
	read -r child grand < pids
	top=$(ev 'select(.type=="header") | .pid')
	[ "$(jq -c '[.process_tree[] | [.pid, .ppid, .exit_code]]' receipt.json)" = \
		"[[$top,$(ev 'select(.type=="exec") | .ppid'),0],[$child,$top,3],[$grand,$child,4]]" ]
	gh-trace -o "$EV" -- "$PY" "$TRACE_DIR/net.py" "$BATS_TEST_TMPDIR/ports"
	gh-aggregate "$EV" > receipt.json
	read -r port closed uport port6 dupfd < ports
	jq -e --arg d "127.0.0.1:$closed" '.network.attempts[] | select(.dst == $d and .result == "refused")' receipt.json
	jq -e --arg d "[::1]:$port6" '.network.attempts[] | select(.dst == $d and .result == "ok")' receipt.json
	jq -e --arg d "127.0.0.1:$uport" '.network.attempts[] | select(.dst == $d and .protocol == "udp" and .op == "send")' receipt.json
}
