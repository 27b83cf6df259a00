#!/usr/bin/env bats
# The receipt's promise (gh-receipt(5), The rule), attacked with what an
# adversary would try next: writes into other processes' memory, the
# tracer's own counters and announce, io_uring through another process's
# SQPOLL thread, another process's mount namespace, unnamed files, shared
# mappings, daemons, record floods, a root command that stops the tracer
# and rewrites its maps. Each test traces a real workload
# (tests/evasion/work.c and tamper.c, built here) and requires the action in the
# receipt at its field, or the receipt partial with the named reason; each
# has a twin that must come out the other way. Needs root and BPF; run
# under flock /work/bpf.lock like the other tracer suites. Sockets are Unix
# sockets only.

bats_require_minimum_version 1.5.0
load trace/lib
load workload

# The programs are kept in a bpf filesystem of the suite's own (loading
# them for each of the many runs would dominate the suite's time).
setup_file() {
	export TAMPER=$BATS_FILE_TMPDIR/tamper
	cc -O1 -Wall -Wextra -Werror -o "$TAMPER" "$GH_ROOT/tests/evasion/tamper.c"
	workload_kept evasion/work.c -luring -lpthread
}

teardown_file() {
	kept_teardown
}

setup() {
	workload_root
	OUT_PIDS=()
}

teardown() {
	local p
	for p in "${OUT_PIDS[@]}"; do
		kill "$p" 2>/dev/null || true
	done
}

# outside CMD...: start CMD outside the traced tree (stdout to out.txt)
# and wait (bounded) for its first line of output; OUT_PID is its pid.
outside() {
	local i
	"$@" > out.txt 3>&- &
	OUT_PID=$!
	OUT_PIDS+=("$OUT_PID")
	for i in $(seq 3000); do
		[ -s out.txt ] && return 0
		sleep 0.02
	done
	echo "outside: $* printed nothing" >&2
	return 1
}

@test "a write into another process's memory through /proc/PID/mem: foreign_process_control" {
	sleep 60 3>&- &
	OUT_PIDS+=($!)
	trace "$WORK" procmem "$!"
	[ "$(reasons foreign_process_control)" = '["foreign_process_control: 1 controls of processes outside the traced tree"]' ]
	[ "$(rc --arg p "/proc/$!/mem" '[.filesystem.writes[] | select(. == $p)]')" = "[\"/proc/$!/mem\"]" ]
}

@test "/proc/PID/mem twin: the same write into its own child's memory stays closed" {
	trace "$WORK" procmem child
	closed
	[ "$(rc '[.filesystem.writes[] | select(test("^/proc/[0-9]+/mem$"))] | length')" = 1 ]
}

@test "a descriptor of another process's memory received over SCM_RIGHTS and written: foreign_process_control" {
	outside "$WORK" memserver "$BATS_TEST_TMPDIR/m.sock"
	trace "$WORK" memclient "$BATS_TEST_TMPDIR/m.sock"
	[ "$(jq -c 'select(.type == "fd_received") | .path' "$EV")" = "\"/proc/$OUT_PID/mem\"" ]
	[ "$(reasons foreign_process_control)" = '["foreign_process_control: 1 controls of processes outside the traced tree"]' ]
}

@test "received descriptor twin: a file's descriptor, written the same way, stays closed" {
	echo data > f
	outside "$WORK" memserver "$BATS_TEST_TMPDIR/m.sock" "$BATS_TEST_TMPDIR/f"
	trace "$WORK" memclient "$BATS_TEST_TMPDIR/m.sock"
	[ "$(jq -c 'select(.type == "fd_received") | .path' "$EV")" = "\"$BATS_TEST_TMPDIR/f\"" ]
	closed
}

@test "ptrace of gh-trace itself (the command's parent): gh-trace is outside the tree" {
	trace "$WORK" ptrace_parent
	[ "$(reasons foreign_process_control)" = '["foreign_process_control: 2 controls of processes outside the traced tree"]' ]
	[ "$(jq -c 'select(.type == "ptrace") | [.request, .in_tree]' "$EV")" = '[16,false]
[17,false]' ]
	# twin: nothing traced
	trace "$WORK" none
	closed
}

@test "bpf() that zeroes the run's own counters: the end record still counts every call" {
	trace "$WORK" bpfzero "$BATS_TEST_TMPDIR/after"
	[ -e after ]
	# the rewrite of the run's entry does not lower the end record's count
	# (the tallies, which no bpf() caller writes), which is that of the
	# records of the calls
	n=$(jq -s '[.[] | select(.type == "bpf")] | length' "$EV")
	[ "$n" -gt 3 ]
	[ "$(jq -c 'select(.type == "end") | .undecoded.bpf_syscall' "$EV")" = "$n" ]
	[ "$(reasons bpf_syscall)" = "[\"bpf_syscall: $n bpf() calls by the traced tree\"]" ]
	[ "$(rc .completeness)" = '"partial"' ]
	[ "$(rc --arg p "$BATS_TEST_TMPDIR/after" '[.filesystem.writes[] | select(. == $p)]')" = "[\"$BATS_TEST_TMPDIR/after\"]" ]
}

@test "bpf() twin: no bpf() call, no bpf_syscall reason" {
	trace "$WORK" none
	[ "$(reasons bpf_syscall)" = '[]' ]
	[ "$(jq -s '[.[] | select(.type == "bpf")] | length' "$EV")" = 0 ]
}

@test "the run's cookie, read through bpf(), no longer announces anyone: gh-trace stays the run's tracer" {
	trace "$WORK" hello
	# the cookie was cleared once gh-trace announced itself
	[ "$output" = "cookie 0, self gh-trace" ]
	[ "$(rc .completeness)" = '"partial"' ]
	# twin: the reading itself is a bpf() call of the tree
	[ "$(reasons bpf_syscall | jq length)" = 1 ]
}

@test "io_uring through the SQPOLL thread of a ring taken from a process outside the tree: foreign_process_control" {
	outside "$WORK" ringhold
	# (on 6.18 the other process's SQPOLL thread cannot read the name in
	# this process's memory: EFAULT; on any kernel the run is partial)
	run gh-trace -o "$EV" -- "$WORK" sqpoll "$OUT_PID" "$(cat out.txt)" "$BATS_TEST_TMPDIR/viaring"
	[ "$status" -eq 0 ] || [ "$status" -eq 1 ]
	gh-aggregate "$EV" > "$R"
	[ "$(reasons foreign_process_control)" = '["foreign_process_control: 1 controls of processes outside the traced tree"]' ]
	[ "$(jq -c 'select(.type == "pidfd") | [.syscall, .target_pid, .in_tree]' "$EV")" = \
		"[\"pidfd_open\",$OUT_PID,false]
[\"pidfd_getfd\",$OUT_PID,false]" ]
}

@test "SQPOLL twin: through the SQPOLL thread of its own ring, the open is recorded via io_uring, closed" {
	trace "$WORK" sqpoll own - "$BATS_TEST_TMPDIR/viaring"
	[ -e viaring ]
	closed
	[ "$(jq -c 'select(.via == "io_uring") | [.type, .path, .flags]' "$EV")" = \
		"[\"open\",\"$BATS_TEST_TMPDIR/viaring\",32833]" ]
}

@test "a file read in another process's mount namespace (nsenter -m) on a tmpfs only it has: tmpfs:/NAME, unresolved" {
	need_mount_ns
	mkdir m
	outside unshare -m --propagation private sh -c 'mount -t tmpfs gh-ev "$1" && echo s > "$1/secret" && echo ready && exec sleep 60' sh "$BATS_TEST_TMPDIR/m"
	# setns(CLONE_NEWNS) puts the caller at the namespace's real root: in
	# a chroot, this test's directory is not where nsenter looks
	nsenter -t "$OUT_PID" -m cat "$BATS_TEST_TMPDIR/m/secret" > /dev/null 2>&1 ||
		skip "nsenter -m does not reach $BATS_TEST_TMPDIR from the namespace's root (a chroot?)"
	trace nsenter -t "$OUT_PID" -m cat "$BATS_TEST_TMPDIR/m/secret"
	[ "$output" = s ]
	[ "$(rc '[.filesystem.accesses[] | select(.path_seen != null) | [.op, .path, .path_seen, .path_status]]')" = \
		"[[\"read\",\"tmpfs:/secret\",\"$BATS_TEST_TMPDIR/m/secret\",\"unresolved\"]]" ]
	# twin: a file the host has, read in that namespace, is the kernel's path
	echo h > h
	trace nsenter -t "$OUT_PID" -m cat "$BATS_TEST_TMPDIR/h"
	[ "$(rc --arg p "$BATS_TEST_TMPDIR/h" '[.filesystem.accesses[] | select(.path == $p) | [.op, .path_seen, .path_status]]')" = '[["read",null,null]]' ]
}

@test "O_TMPFILE, written, then named with linkat through /proc/self/fd: both names written" {
	trace "$WORK" tmpfile "$BATS_TEST_TMPDIR" named
	[ "$(cat named)" = secret ]
	[ "$(rc --arg d "$BATS_TEST_TMPDIR/" '[.filesystem.writes[] | select(startswith($d)) | sub($d; "") | sub("^#[0-9]+$"; "#INO")]')" = '["#INO","named"]' ]
	[ "$(rc '[.filesystem.accesses[] | select(.op == "link") | [.path, .path_status, .target]]' | sed 's|/fd/[0-9]*|/fd/N|')" = \
		"[[\"/proc/self/fd/N\",\"lexical\",\"$BATS_TEST_TMPDIR/named\"]]" ]
	# twin: no link, no such name
	trace "$WORK" none
	[ "$(rc --arg d "$BATS_TEST_TMPDIR/" '[.filesystem.writes[] | select(startswith($d))]')" = '[]' ]
}

@test "a store into a shared writable mapping is a write of the file" {
	echo hello > f
	trace "$WORK" mmapwrite "$BATS_TEST_TMPDIR/f"
	[ "$(head -c 4 f)" = MMAP ]
	[ "$(rc --arg p "$BATS_TEST_TMPDIR/f" '[.filesystem.writes[] | select(. == $p)]')" = "[\"$BATS_TEST_TMPDIR/f\"]" ]
	# twin: read, not mapped for writing: a read only
	trace cat f
	[ "$(rc --arg p "$BATS_TEST_TMPDIR/f" '[[.filesystem.writes[] | select(. == $p)], [.filesystem.reads[] | select(. == $p)]]')" = "[[],[\"$BATS_TEST_TMPDIR/f\"]]" ]
}

@test "a double-forked, setsid daemon acting after the command exited is waited for and recorded" {
	trace "$WORK" daemon "$BATS_TEST_TMPDIR/late"
	[ -e late ]
	closed
	[ "$(rc --arg p "$BATS_TEST_TMPDIR/late" '[.filesystem.writes[] | select(. == $p)]')" = "[\"$BATS_TEST_TMPDIR/late\"]" ]
	# twin: not waited for (--wait=command), the receipt says so (the
	# daemon waits for go: under load, 0.2 s could pass before the
	# command's end; and it holds no output of the test's open meanwhile)
	rm late
	status=0
	gh-trace --wait=command -o "$EV" -- "$WORK" daemon "$BATS_TEST_TMPDIR/late" "$BATS_TEST_TMPDIR/go" \
		> /dev/null 2>&1 3>&- || status=$?
	: > go
	[ "$status" -eq 0 ]
	gh-aggregate "$EV" > "$R"
	[ "$(rc .completeness)" = '"partial"' ]
	[ "$(reasons left_running | jq length)" = 1 ]
}

@test "records lost to a flood (a ring buffer too small) make the receipt partial" {
	run gh-trace --ringbuf-size 4096 -o "$EV" -- "$WORK" flood 2000
	[ "$status" -eq 0 ]
	gh-aggregate "$EV" > "$R"
	[ "$(rc .completeness)" = '"partial"' ]
	n=$(jq 'select(.type == "end") | .lost.ringbuf' "$EV")
	[ "$n" -gt 0 ]
	[ "$(rc .completeness_reasons)" = "[\"lost $n records: ring buffer full\"]" ]
	# twin: the default ring buffer holds the same flood
	trace "$WORK" flood 2000
	closed
	[ "$(jq -s '[.[] | select(.type == "open" and .err == "ENOENT" and (.path | startswith("/nonexistent/")))] | length' "$EV")" = 2000 ]
}

@test "execveat of an O_PATH descriptor and exec through /proc/self/fd name the real program" {
	py=$(readlink -f /usr/bin/python3)
	trace /usr/bin/python3 -c 'import os; fd = os.open("/bin/true", os.O_PATH); os.execve(fd, ["true"], {})'
	[ "$(rc '[.process_tree[].execs[].exe]')" = "[\"$py\",\"/usr/bin/true\"]" ]
	trace /usr/bin/python3 -c 'import os; fd = os.open("/bin/true", os.O_RDONLY); os.execv("/proc/self/fd/%d" % fd, ["true"])'
	[ "$(rc '[.process_tree[].execs[].exe]')" = "[\"$py\",\"/usr/bin/true\"]" ]
	# twin: another program is named as itself
	trace /usr/bin/python3 -c 'import os; os.execv("/bin/echo", ["echo"])'
	[ "$(rc '[.process_tree[].execs[].exe]')" = "[\"$py\",\"/usr/bin/echo\"]" ]
}

@test "the event stream's own file (-o), rewritten in place by the command: stream_written" {
	echo key > secret
	# (once the read's record is in the file: gh-trace writes as it reads
	# the ring buffer)
	trace sh -c 'cat secret > /dev/null &&
		for i in $(seq 6000); do grep -qF "/secret\"" "$1" && break; sleep 0.01; done &&
		perl -e '\''open(F, "+<", $ARGV[0]) or die; local $/; my $s = <F>; $s =~ s/secret/sacred/g; seek(F, 0, 0); print F $s; close F'\'' "$1"' sh "$EV"
	# the rewrite worked: the read of secret is gone from the records ...
	[ "$(rc --arg p "$BATS_TEST_TMPDIR/secret" '[.filesystem.reads[] | select(. == $p)]')" = '[]' ]
	# ... and the receipt says the stream was written by the tree
	[ "$(jq -r 'select(.type == "header") | .output' "$EV")" = "$EV" ]
	[ "$(reasons stream_written)" = "[\"stream_written: 1 changes of the event stream's own file $EV by the traced tree\"]" ]
	[ "$(rc .completeness)" = '"partial"' ]
}

@test "stream_written twin: the command reading the stream's file leaves it closed" {
	echo key > secret
	trace sh -c 'cat secret "$1" > /dev/null' sh "$EV"
	closed
	[ "$(rc --arg p "$BATS_TEST_TMPDIR/secret" '[.filesystem.reads[] | select(. == $p)]')" = "[\"$BATS_TEST_TMPDIR/secret\"]" ]
}

@test "the event stream's own file (-o) replaced by the command: gh-trace fails (125) and says so" {
	run gh-trace -o "$EV" -- sh -c 'mv "$1" "$1.real" && echo "{}" > "$1"' sh "$EV"
	[ "$status" -eq 125 ]
	[ "$output" = "gh-trace: $EV: removed or replaced during the run: it does not hold this run's events" ]
	# the run's events went on into the file it was: the rename and the
	# new file are there
	gh-aggregate "$EV.real" > "$R"
	[ "$(reasons stream_written)" = "[\"stream_written: 2 changes of the event stream's own file $EV by the traced tree\"]" ]
	[ "$(rc --arg p "$EV" '[.filesystem.accesses[] | select(.path == $p) | .op]')" = '["create","rename"]' ]
	# twin: left in place, the command's status
	run gh-trace -o "$EV" -- sh -c 'cp "$1" "$1.copy"' sh "$EV"
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
}

@test "a thread creating files while its process execs: every file it made is in the receipt" {
	mkdir d
	trace "$WORK" threadexec "$BATS_TEST_TMPDIR/d"
	made=$(cd d && ls | sort)
	[ -n "$made" ]
	got=$(rc --arg d "$BATS_TEST_TMPDIR/d/" '.filesystem.writes[] | select(startswith($d)) | sub($d; "")' | tr -d '"' | sort)
	[ "$made" = "$got" ]
	[ "$(rc '[.process_tree[].execs[].exe]')" = "[\"$WORK\",\"/usr/bin/true\"]" ]
	# twin: a file made outside the run is not in its receipt
	touch d/outside
	[ "$(cd d && ls | sort)" != "$got" ]
}

@test "a write into gh-trace's own memory (/proc/PPID/mem): foreign_process_control" {
	trace "$WORK" procmem parent
	[ "$(reasons foreign_process_control)" = '["foreign_process_control: 1 controls of processes outside the traced tree"]' ]
	# twin: reading it is no control
	trace sh -c 'exec head -c 1 /proc/$PPID/cmdline' > /dev/null
	closed
}

@test "io_uring: a linked open and mkdir, an open run by an io-wq worker, an open into a fixed slot: all recorded" {
	mkdir d
	trace "$WORK" uringlink "$BATS_TEST_TMPDIR/d"
	[ "$(cat d/direct)" = x ]
	closed
	[ "$(jq -c 'select(.via == "io_uring") | [.type, (.path | sub(".*/"; "")), .path_status, .opcode]' "$EV" | sort)" = \
'["mkdir","linkeddir","lexical",37]
["open","async",null,18]
["open","direct","lexical",18]
["open","linked",null,18]' ]
	# twin: the ring not used, nothing via io_uring
	trace "$WORK" none
	[ "$(jq -c 'select(.via == "io_uring")' "$EV")" = '' ]
}

@test "a seccomp filter with a listener (another process may answer the syscalls): seccomp_listener" {
	trace "$WORK" seccomp listen
	[ "$(jq -c 'select(.type == "end") | .undecoded.seccomp_listener' "$EV")" = 1 ]
	[ "$(reasons seccomp_listener)" = "[\"seccomp_listener: 1 seccomp filters with a listener: another process may answer the tree's syscalls and install descriptors, unrecorded\"]" ]
	# twin: the same filter without a listener stays closed
	trace "$WORK" seccomp plain
	closed
}

# chain_partial: the receipt of "tamper chain hidden" (traced last) is
# partial, with what the chain could not take back.
chain_partial() {
	# the chain ran: the flood dropped records before the first bpf() call
	# was counted, and the file was made while out of the traced set
	[[ "${lines[0]}" =~ ^ringbuf\ ([0-9]+)\ bpf\ ([0-9]+)$ ]]
	[ "${BASH_REMATCH[1]}" -gt 0 ]
	[ "${BASH_REMATCH[2]}" -gt 0 ]
	[ -e hidden ]
	[ "$(rc --arg p "$BATS_TEST_TMPDIR/hidden" '[.filesystem.writes[] | select(. == $p)]')" = '[]' ]
	# what the calls could not lower: the counts of bpf() calls and of
	# records dropped, whatever the run's entry says
	n=$(jq 'select(.type == "end") | .undecoded.bpf_syscall' "$EV")
	[ "$n" -ge 4 ]
	[ "$(reasons bpf_syscall)" = "[\"bpf_syscall: $n bpf() calls by the traced tree\"]" ]
	lost=$(jq 'select(.type == "end") | .lost.ringbuf' "$EV")
	[ "$lost" -gt 0 ]
	[ "$(rc '.completeness')" = '"partial"' ]
	# the tallies are frozen: no bpf() caller writes them
	[ "${lines[1]}" = "tally EPERM" ]
	[ "${#lines[@]}" -eq 2 ]
	# stopping gh-trace is control of a process outside the tree
	[ "$(reasons foreign_process_control)" = '["foreign_process_control: 1 controls of processes outside the traced tree"]' ]
	# twin: the inverted check fails on this receipt
	run ! closed
}

@test "a root chain (stop gh-trace, flood its ring, leave the traced set and zero the counters through bpf(), act, come back): partial with bpf_syscall" {
	# a run of its own goes on meanwhile, from before the chain to after
	gh-trace -o b.ndjson -- sh -c ': > ready; while [ ! -e go ]; do sleep 0.01; done' &
	OUT_PIDS+=("$!")
	for i in $(seq 6000); do
		[ -e ready ] && break
		sleep 0.01
	done
	[ -e ready ]
	trace "$TAMPER" chain "$BATS_TEST_TMPDIR/hidden"
	: > go
	wait "${OUT_PIDS[0]}"
	chain_partial
	# a run at the same time, of the same kept programs, is not touched
	[ "$(jq -r 'select(.type == "end") | .status' b.ndjson)" = 0 ]
	[ "$(gh-aggregate b.ndjson | jq -c '[.completeness, .completeness_reasons]')" = '["closed",[]]' ]
}

@test "the root chain against programs loaded for the run alone (--no-keep): partial with bpf_syscall" {
	GH_TRACE_PIN_DIR=$BATS_TEST_TMPDIR/nothing-kept run gh-trace --no-keep -o "$EV" -- "$TAMPER" chain "$BATS_TEST_TMPDIR/hidden"
	[ "$status" -eq 0 ]
	gh-aggregate "$EV" > "$R"
	[ "$(jq -r 'select(.type == "header") | .audit.programs' "$EV")" = loaded ]
	chain_partial
}

@test "root chain twin: the same file made without tampering is recorded, closed" {
	trace "$TAMPER" plain "$BATS_TEST_TMPDIR/hidden"
	closed
	[ "$(rc --arg p "$BATS_TEST_TMPDIR/hidden" '[.filesystem.writes[] | select(. == $p)]')" = "[\"$BATS_TEST_TMPDIR/hidden\"]" ]
	[ "$(jq 'select(.type == "end") | [.undecoded.bpf_syscall, .lost.ringbuf]' -c "$EV")" = '[0,0]' ]
}

@test "gh-trace stopped by its command (SIGSTOP through kill or a pidfd, then SIGCONT): foreign_process_control" {
	for how in kill pidfd; do
		trace "$TAMPER" stop "$how"
		[ "$(reasons foreign_process_control)" = '["foreign_process_control: 1 controls of processes outside the traced tree"]' ]
		[ "$(jq -c 'select(.type == "signal") | [.signal, .in_tree]' "$EV")" = '[19,false]
[18,false]' ]
	done
	# twin: SIGCONT alone stops nothing, closed
	trace "$TAMPER" cont
	closed
	[ "$(jq -c 'select(.type == "signal") | [.signal, .in_tree]' "$EV")" = '[18,false]' ]
}

@test "gh-trace stopped through its process group (kill(-PGRP) from a child in a group of its own): foreign_process_control" {
	# gh-trace in a session of its own: the stop reaches it and the
	# command, nothing of the suite
	run setsid -w gh-trace -o "$EV" -- "$TAMPER" stopgroup
	[ "$status" -eq 0 ]
	gh-aggregate "$EV" > "$R"
	[ "$(reasons foreign_process_control)" = '["foreign_process_control: 1 controls of processes outside the traced tree"]' ]
	[ "$(jq -c 'select(.type == "signal") | [.signal, .target_pid < -1]' "$EV")" = '[19,true]
[18,true]' ]
	# twin: a stop of a group of the tree's own (a child's) stays closed
	run setsid -w gh-trace -o "$EV" -- "$TAMPER" stopown
	[ "$status" -eq 0 ]
	gh-aggregate "$EV" > "$R"
	closed
	[ "$(jq -c 'select(.type == "signal") | .signal' "$EV" | tr '\n' ' ')" = '19 18 9 ' ]
}

@test "a directory made and removed in the tracer's own bpf filesystem directory: bpf_syscall" {
	trace sh -c 'mkdir "$GH_TRACE_PIN_DIR/x" && rmdir "$GH_TRACE_PIN_DIR/x"'
	[ "$(reasons bpf_syscall)" = "[\"bpf_syscall: 2 changes under the tracer's bpf directory $GH_TRACE_PIN_DIR\"]" ]
	[ "$(rc .completeness)" = '"partial"' ]
	# twin: the same next to it, on the same bpf filesystem, stays closed
	trace sh -c 'mkdir "$KEPT_FS/x" && rmdir "$KEPT_FS/x"'
	closed
	[ "$(jq -c 'select(.type == "mkdir" or .type == "rmdir") | [.type, .path]' "$EV")" = "[\"mkdir\",\"$KEPT_FS/x\"]
[\"rmdir\",\"$KEPT_FS/x\"]" ]
}
