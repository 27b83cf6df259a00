#!/usr/bin/env bats
# gh-trace's linger (--linger, GH_TRACE_LINGER): the last run with kept
# programs to end leaves those of syscalls and socket sends attached for a
# while, and a detached lingerer detaches them after it. Everything is
# kept in a bpf filesystem mounted for this file. No assertion here is on
# a duration: lingers are long enough (60 s; a few seconds where a test
# waits for one to end) that what happens during them is certain, and
# what happens after a short one is waited for with a bounded poll.

bats_require_minimum_version 1.5.0
load trace/lib

setup_file() {
	trace_setup_file
	command -v bpftool >/dev/null || skip "bpftool is not installed"
	kept_setup
	PIN=$GH_TRACE_PIN_DIR
	KEPT=$(cd "$PIN" && echo trace-*)
	export PIN KEPT
}

teardown_file() {
	end_lingerers
	kept_teardown
}

teardown() {
	[ -p "$BATS_TEST_TMPDIR/go" ] || return 0
	echo | dd of="$BATS_TEST_TMPDIR/go" oflag=nonblock status=none 2>/dev/null || true
	wait || true
}

setup() {
	trace_setup
	unset GH_TRACE_LINGER
	gh-trace --unload
	gh-trace --keep
}

# The programs of syscalls and socket sends, and the others.
IDLE="link_sock_nl_consume link_sock_recv_length link_sock_send link_sock_send_length link_sys_enter link_sys_exit"
KEPT_ON="link_cgroup_attach link_cgroup_freeze link_inet_sock_set_state link_sched_process_exec link_sched_process_exit link_sched_process_fork link_uring_complete link_uring_submit"
ALL="link_cgroup_attach link_cgroup_freeze link_inet_sock_set_state link_sched_process_exec link_sched_process_exit link_sched_process_fork link_sock_nl_consume link_sock_recv_length link_sock_send link_sock_send_length link_sys_enter link_sys_exit link_uring_complete link_uring_submit"

# links: the link pins in the kept directory, by name, on one line.
links() {
	ls "$PIN/$KEPT" | grep '^link_' | tr '\n' ' ' | sed 's/ $//'
}

# marks: the lingerers' marks in the kept directory.
marks() {
	ls "$PIN/$KEPT" | grep '^linger_' | tr '\n' ' ' | sed 's/ $//'
}

# link_ids: the kernel's ids of the pinned links of syscalls and sends.
link_ids() {
	local n
	for n in $IDLE; do
		bpftool -j link show pinned "$PIN/$KEPT/$n" | jq .id
	done | tr '\n' ' '
}

# lingerers: the pids of the lingerers this file's runs started (their
# environment names this file's pin directory).
lingerers() {
	local p
	for p in $(pgrep -x gh-trace-linger); do
		tr '\0' '\n' < "/proc/$p/environ" 2>/dev/null |
			grep -qx "GH_TRACE_PIN_DIR=$PIN" && echo "$p"
	done
	return 0
}

end_lingerers() {
	local p
	for p in $(lingerers); do kill "$p" 2>/dev/null || true; done
}

# wait_until CMD...: poll (at most 20 s) until CMD succeeds.
wait_until() {
	local i
	for ((i = 0; i < 400; i++)); do
		"$@" && return 0
		sleep 0.05
	done
	echo "still not true after 20 s: $*" >&2
	return 1
}

no_lingerer() {
	[ -z "$(lingerers)" ]
}

no_idle_links() {
	[ "$(links)" = "$KEPT_ON" ]
}

@test "the last run leaves the syscall programs attached for its linger, detached by a lingerer of its own" {
	end_lingerers
	run --separate-stderr gh-trace --linger=60 -o "$EV" -- cat /etc/hostname
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	check_stream
	no_loss
	[ "$(links)" = "$ALL" ]
	[[ "$(marks)" =~ ^linger_[0-9]+_[0-9]+$ ]]
	# its lingerer: one process, of its own session, outside gh-trace's
	# tree, holding nothing of gh-trace's (only /dev/null), signals
	# neither blocked nor handled
	l=$(lingerers)
	[[ "$l" =~ ^[0-9]+$ ]]
	[ "$(ps -o sid= -p "$l" | tr -d ' ')" = "$l" ]
	[ "$(readlink /proc/$l/cwd)" = / ]
	[ "$(ls /proc/$l/fd | tr '\n' ' ')" = "0 1 2 " ]
	for fd in 0 1 2; do [ "$(readlink /proc/$l/fd/$fd)" = /dev/null ]; done
	# (SIGHUP, SIGINT, SIGTERM: handled by gh-trace; SIGPIPE: ignored;
	# a sanitizer's own handlers of faults may stay)
	[ "$(awk '/^SigBlk:/ { print $2 }' /proc/$l/status)" = 0000000000000000 ]
	[ $(( 0x$(awk '/^SigCgt:/ { print $2 }' /proc/$l/status) & 0x4003 )) = 0 ]
	[ $(( 0x$(awk '/^SigIgn:/ { print $2 }' /proc/$l/status) & 0x1000 )) = 0 ]
	# untraced while it lingers: nothing of the run is left in the maps
	[ "$(bpftool -j map dump pinned "$PIN/$KEPT/runs" | jq length)" = 0 ]
	[ "$(bpftool -j map dump pinned "$PIN/$KEPT/traced" | jq length)" = 0 ]
	# a run in the linger (see the next test: it attaches nothing), and
	# its end takes the linger over: the first lingerer leaves the links
	# alone, this run's (0.2 s) detaches them
	run --separate-stderr gh-trace --linger=0.2 -o "$EV" -- cat /etc/hostname
	[ "$status" -eq 0 ]
	check_stream
	no_loss
	[ "$(ev 'select(.type=="open" and .path=="/etc/hostname") | .ret >= 0')" = true ]
	wait_until no_idle_links
	[ "$(links)" = "$KEPT_ON" ]
	[ "$(marks)" = "" ]
	wait_until test "$(lingerers)" = "$l"
	kill "$l"
}

@test "a run in the linger reuses the links the last run left" {
	gh-trace --linger=60 -o "$EV" -- true
	ids=$(link_ids)
	[[ "$ids" =~ ^([0-9]+\ ){6}$ ]]
	run --separate-stderr gh-trace --linger=60 -o "$EV" -- cat /etc/hostname
	[ "$status" -eq 0 ]
	no_loss
	[ "$(link_ids)" = "$ids" ]
	# twin: after a linger of 0 the next run attaches links of its own
	gh-trace --linger=0 -o "$EV" -- true
	[ "$(links)" = "$KEPT_ON" ]
	gh-trace --linger=60 -o "$EV" -- true
	[[ "$(link_ids)" =~ ^([0-9]+\ ){6}$ ]]
	[ "$(link_ids)" != "$ids" ]
	end_lingerers
}

@test "a lingerer that wakes while a run is in progress leaves the links to that run" {
	end_lingerers
	gh-trace --linger=4 -o "$EV" -- true
	ids=$(link_ids)
	l=$(lingerers)
	[[ "$l" =~ ^[0-9]+$ ]]
	# stopped, it cannot wake before the run below has begun, however
	# slow the machine; continued, its sleep ends at the time it had
	kill -STOP "$l"
	mkfifo go
	gh-trace --linger=0 -o a.ndjson -- sh -c 'read x < go; cat /etc/hostname >/dev/null' &
	ga=$!
	wait_until grep -q '"type":"exec"' a.ndjson
	# the run started within the linger, with the links it left
	[ "$(link_ids)" = "$ids" ]
	# (the twin of the first test's check of the lingerer's signals:
	# gh-trace blocks and handles them)
	[ "$(awk '/^SigBlk:/ { print $2 }' /proc/$ga/status)" != 0000000000000000 ]
	[ $(( 0x$(awk '/^SigCgt:/ { print $2 }' /proc/$ga/status) & 0x4003 )) != 0 ]
	kill -CONT "$l"
	wait_until no_lingerer
	[ "$(links)" = "$ALL" ]
	[ "$(marks)" = "" ]
	echo > go
	wait "$ga"
	EV=a.ndjson
	check_stream
	no_loss
	[ "$(ev 'select(.type=="open" and .path=="/etc/hostname") | .ret >= 0')" = true ]
	# its end (linger 0) detached them
	[ "$(links)" = "$KEPT_ON" ]
}

@test "--unload during a linger removes everything at once; the lingerer then does nothing" {
	end_lingerers
	gh-trace --linger=2 -o "$EV" -- true
	[ "$(links)" = "$ALL" ]
	l=$(lingerers)
	[[ "$l" =~ ^[0-9]+$ ]]
	# stopped until --keep below is done: it wakes after it, however
	# slow the machine
	kill -STOP "$l"
	ids=$(link_ids)
	run --separate-stderr gh-trace --unload
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ ! -e "$PIN" ]
	for id in $ids; do
		run bpftool link show id "$id"
		[ "$status" -ne 0 ]
	done
	# kept again, under the same name, before the lingerer wakes: it
	# leaves what --keep made as it is
	gh-trace --keep
	before=$(ls "$PIN/$KEPT" | tr '\n' ' ')
	kill -CONT "$l"
	wait_until no_lingerer
	[ "$(ls "$PIN/$KEPT" | tr '\n' ' ')" = "$before" ]
	[ "$(links)" = "" ]
}

@test "a linger of 0 (--linger=0, GH_TRACE_LINGER=0) detaches at once and starts no lingerer" {
	end_lingerers
	for how in --linger=0 GH_TRACE_LINGER=0 GH_TRACE_LINGER=0.0; do
		case $how in
		--*) run --separate-stderr gh-trace "$how" -o "$EV" -- true ;;
		*) run --separate-stderr env "$how" gh-trace -o "$EV" -- true ;;
		esac
		[ "$status" -eq 0 ]
		[ -z "$stderr" ]
		[ "$(links)" = "$KEPT_ON" ]
		[ "$(marks)" = "" ]
		[ "$(lingerers)" = "" ]
	done
	# twin: GH_TRACE_LINGER lingers, and --linger wins over it
	GH_TRACE_LINGER=60 gh-trace -o "$EV" -- true
	[ "$(links)" = "$ALL" ]
	[[ "$(lingerers)" =~ ^[0-9]+$ ]]
	GH_TRACE_LINGER=60 gh-trace --linger=0 -o "$EV" -- true
	[ "$(links)" = "$KEPT_ON" ]
	end_lingerers
}

@test "the default linger: the run leaves the links, and they are detached after it" {
	end_lingerers
	run --separate-stderr gh-trace -o "$EV" -- true
	[ "$status" -eq 0 ]
	# the links stay until the lingerer ends; then they are gone
	wait_until no_lingerer
	[ "$(links)" = "$KEPT_ON" ]
	[ "$(marks)" = "" ]
	# twin: the help states that default
	run gh-trace --help
	[[ "$output" == *"(default 0.2, at most 60; 0: detach them at once)"* ]]
}

@test "a killed lingerer leaves the links attached until the next run's end, or --unload" {
	end_lingerers
	gh-trace --linger=60 -o "$EV" -- true
	l=$(lingerers)
	kill -9 "$l"
	wait_until no_lingerer
	[ "$(links)" = "$ALL" ]
	gh-trace --linger=0 -o "$EV" -- true
	[ "$(links)" = "$KEPT_ON" ]
	[ "$(marks)" = "" ]
	gh-trace --linger=60 -o "$EV" -- true
	l=$(lingerers)
	kill -9 "$l"
	gh-trace --unload
	[ ! -e "$PIN" ]
}

@test "--no-keep runs without kept programs leave nothing and start no lingerer" {
	end_lingerers
	gh-trace --unload
	run --separate-stderr gh-trace --no-keep --linger=60 -o "$EV" -- cat /etc/hostname
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	no_loss
	[ ! -e "$PIN" ]
	[ "$(lingerers)" = "" ]
}

@test "--linger and GH_TRACE_LINGER take seconds from 0 to 60" {
	for bad in x -1 60.001 1e9 '' 0.5s nan; do
		run --separate-stderr gh-trace --linger="$bad" -o "$EV" -- true
		[ "$status" -eq 2 ]
		[ "$stderr" = "gh-trace: --linger: '$bad' is not a number of seconds from 0 to 60" ]
		[ ! -e "$EV" ]
	done
	for bad in x -1 61 0.5s; do
		run --separate-stderr env GH_TRACE_LINGER="$bad" gh-trace -o "$EV" -- true
		[ "$status" -eq 2 ]
		[ "$stderr" = "gh-trace: GH_TRACE_LINGER: '$bad' is not a number of seconds from 0 to 60" ]
		[ ! -e "$EV" ]
	done
	# twins: in range, and an empty GH_TRACE_LINGER is the default
	for good in 0 60 0.05; do
		run --separate-stderr gh-trace --linger="$good" -o "$EV" -- true
		[ "$status" -eq 0 ]
		[ -z "$stderr" ]
	done
	run --separate-stderr env GH_TRACE_LINGER= gh-trace -o "$EV" -- true
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	end_lingerers
}

@test "gh-trace as a PID namespace's init detaches at once (a lingerer would end with it)" {
	need_mount_ns
	end_lingerers
	run --separate-stderr unshare --pid --fork --mount-proc gh-trace --linger=60 -o "$EV" -- true
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	check_stream
	[ "$(links)" = "$KEPT_ON" ]
	[ "$(marks)" = "" ]
	# twin: the same run outside the namespace lingers
	gh-trace --linger=60 -o "$EV" -- true
	[ "$(links)" = "$ALL" ]
	gh-trace --linger=0 -o "$EV" -- true
	end_lingerers
}

@test "--keep without a command during a linger leaves it as it is" {
	end_lingerers
	gh-trace --linger=60 -o "$EV" -- true
	m=$(marks)
	[[ "$m" =~ ^linger_[0-9]+_[0-9]+$ ]]
	ids=$(link_ids)
	run --separate-stderr gh-trace --keep
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "$(links)" = "$ALL" ]
	[ "$(marks)" = "$m" ]
	[ "$(link_ids)" = "$ids" ]
	# twin: a run's end with a linger of 0 ends it
	gh-trace --linger=0 -o "$EV" -- true
	[ "$(links)" = "$KEPT_ON" ]
	[ "$(marks)" = "" ]
	end_lingerers
}
