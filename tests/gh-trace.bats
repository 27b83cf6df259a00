#!/usr/bin/env bats
# gh-trace: traces real commands on the running kernel (needs root) and
# checks exact facts of the event stream and, through gh-aggregate, of the
# receipt. Workloads live in tests/trace/; the tests that
# tests/gh-trace-kept.bats runs again with kept programs are in
# tests/trace/lib.bash. The programs are loaded per run, or kept when
# GH_TRACE_KEEP=1 (then every test here runs with kept programs).

bats_require_minimum_version 1.5.0
load trace/lib

setup_file() {
	trace_setup_file
	if [ "${GH_TRACE_KEEP:-0}" = 1 ]; then
		kept_setup
	else
		# never programs that someone kept on this machine
		export GH_TRACE_PIN_DIR=$BATS_FILE_TMPDIR/no-kept-programs
	fi
}

teardown_file() {
	kept_teardown
}

setup() {
	trace_setup
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
	[ "$status" -eq 2 ] && [ -z "$output" ]
	[ "${stderr_lines[0]}" = "gh-trace: unknown option '--bogus'" ]
	[ "${stderr_lines[1]}" = "usage: gh-trace [-o FILE] [--stdout FILE] [--stderr FILE] [-u USER]" ]
	[ "${#stderr_lines[@]}" -eq 8 ]
	run --separate-stderr gh-trace -u
	[ "$status" -eq 2 ]
	[ "${stderr_lines[0]}" = "gh-trace: option '-u' needs an argument" ]
	run --separate-stderr gh-trace --argv-limit 0 -- true
	[ "$status" -eq 2 ]
	[ "$stderr" = "gh-trace: --argv-limit: '0' is not a number from 1 to 65535" ]
	run --separate-stderr gh-trace --ringbuf-size 5000 -- true
	[ "$status" -eq 2 ]
	[ "$stderr" = "gh-trace: --ringbuf-size: '5000' is not a power of two from 4096 to 1073741824" ]
}

@test "header and end frame the stream and agree on the command" {
	case_header_end
}

@test "the command's own exec is captured with the resolved executable" {
	case_own_exec
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
	case_paths
}

@test "cd somewhere && cat ./x gives the absolute path" {
	case_cd_relative
}

@test "a three-level process tree has the right ppids and exit codes, without exec" {
	case_tree
}

@test "a SIGKILLed child is reported by signal, the command's exit code passes through" {
	case_killed_child
}

@test "a command killed by a signal exits 128+N and the stream is finished" {
	run gh-trace -o "$EV" -- sh -c 'kill -9 $$'
	[ "$status" -eq 137 ]
	check_stream
	[ "$(ev 'select(.type=="end") | [.status, .code, .signal]')" = '[137,null,9]' ]
}

@test "a 40-argument argv is complete" {
	case_argv40
}

@test "--argv-limit truncates argv, says so and counts it" {
	case_argv_limit
}

@test "a failed exec is an exec record with the error" {
	case_failed_exec
}

@test "TCP, UDP, IPv6 and unix sockets are reported with kernel socket facts" {
	case_sockets
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
	case_outside
}

@test "orphans are followed until they finish" {
	case_orphans
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
	case_capture
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
	case_user
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
	case_not_found
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

@test "a path longer than PATH_MAX is marked incomplete and counted" {
	# 2100 levels made untraced (each traced record of them would carry
	# a path of up to 4 KiB), then reached in two steps
	"$PY" -c '
import os
for i in range(2100):
    os.mkdir("d"); os.chdir("d")'
	run gh-trace -o "$EV" -- "$PY" -c '
import os
os.chdir("d/" * 1050)
os.chdir("d/" * 1050)
os.close(os.open("f", os.O_CREAT | os.O_WRONLY))'
	[ "$status" -eq 0 ]
	[ "$(ev 'select(.type=="open" and .raw=="f") | [.path_incomplete, .path_status]')" = '[true,"incomplete"]' ]
	[ "$(ev 'select(.type=="end") | .lost.truncated')" -ge 1 ]
}

@test "in a PID namespace of its own (as in a container) the command is traced, with the ids seen there" {
	need_mount_ns
	run --separate-stderr unshare --pid --fork --mount-proc gh-trace -o "$EV" -- \
		sh -c 'echo $$; cat /etc/hostname > /dev/null; sh -c "echo \$\$"'
	[ "$status" -eq 0 ]
	[ "$output" = "2
4" ]
	check_stream
	no_loss
	[ "$(ev 'select(.type == "header" or .type == "end") | .pid')" = "2
2" ]
	[ "$(ev 'select(.type == "exec") | [.pid, .ppid, .argv[0]]')" = '[2,1,"sh"]
[3,2,"cat"]
[4,2,"sh"]' ]
	[ "$(ev 'select(.type == "open" and .path == "/etc/hostname") | [.pid, .tid]')" = '[3,3]' ]
	gh-aggregate "$EV" > r.json
	[ "$(jq -c '[.completeness, [.process_tree[] | [.pid, .ppid, .exit_code]]]' r.json)" = \
		'["closed",[[2,1,0],[3,2,0],[4,2,0]]]' ]
}

@test "a command that makes a PID namespace is followed into it, with the ids gh-trace sees" {
	run --separate-stderr gh-trace -o "$EV" -- unshare --pid --fork \
		sh -c 'echo $$; cat /etc/hostname > /dev/null'
	[ "$status" -eq 0 ]
	[ "$output" = 1 ]
	check_stream
	no_loss
	cmd=$(head -n1 "$EV" | jq .pid)
	# successful execs (sh is also looked for along PATH, failing)
	[ "$(ev 'select(.type == "exec" and .ret == 0) | .argv[0]' | tr '\n' ' ')" = '"unshare" "sh" "cat" ' ]
	sh=$(ev 'select(.type == "exec" and .ret == 0 and .argv[0] == "sh") | .pid')
	cat=$(ev 'select(.type == "exec" and .ret == 0 and .argv[0] == "cat") | .pid')
	# ids of this namespace, never the inner ones (sh is 1 in there)
	[ "$sh" -gt 1 ] && [ "$cat" -gt 1 ]
	[ "$(ev 'select(.type == "fork") | [.pid, .ppid] | map(tostring) | join(" ")' | tr -d '"' | tr '\n' ' ')" = \
		"$sh $cmd $cat $sh " ]
	[ "$(ev 'select(.type == "exec" and .ret == 0) | .ppid' | tail -n 2 | tr '\n' ' ')" = "$cmd $sh " ]
	[ "$(ev 'select(.type == "open" and .path == "/etc/hostname") | .pid')" != 1 ]
}

@test "every file strace sees the tree open successfully is in the receipt" {
	case_strace
}

@test "end to end: gh-aggregate turns the stream into a closed receipt" {
	case_receipt_closed
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
	# connected, never accepted: at exit the listener (a lower fd) closes
	# first and resets it; the attempt's final result says so
	jq -e --arg d "[::1]:$port6" '.network.attempts[] | select(.dst == $d and .result == "reset")' receipt.json
	[ "$(ev "select(.type == \"connect\" and .port == $port6) | .result")" = '"ok"' ]
	jq -e --arg d "127.0.0.1:$uport" '.network.attempts[] | select(.dst == $d and .protocol == "udp" and .op == "send")' receipt.json
}
