#!/usr/bin/env bats
# The receipt's promise (gh-receipt(5), The rule), attacked a fourth time:
# files changed through ioctl(2) on a descriptor open for reading only;
# the limits, priority, scheduling, /proc control files and cgroup of
# processes outside the tree (gh-trace's own among them) changed by the
# tree; a key added to a keyring; netlink buffers rewritten by another
# thread while the kernel takes them. Each test traces a real workload
# (tests/evasion4/work.c, built here) and requires the action in the
# record, or the receipt partial with the named reason; each has a twin
# that must come out the other way. Needs root and BPF; run under flock
# /work/bpf.lock like the other tracer suites. What the workloads change
# is a file of the test's own, gh-trace's limits, priority and
# oom_score_adj set to the values they already have, two cgroups the
# test makes, a session keyring that goes with its process, and a network
# namespace of its own.

bats_require_minimum_version 1.5.0
load trace/lib
load workload

setup_file() {
	workload_kept evasion4/work.c
}

teardown_file() {
	kept_teardown
}

setup() {
	workload_root
}

teardown() {
	local d p
	for d in ${CG_A:-} ${CG_B:-}; do
		[ -d "$d" ] || continue
		echo 0 > "$d/cgroup.freeze" || true
		# what is left (gh-trace's lingerer) back to the root
		while read -r p; do
			echo "$p" > "${d%/*}/cgroup.procs" || true
		done < "$d/cgroup.procs"
		rmdir "$d" || true
	done
}

# cg_setup: two cgroup v2 directories of the test's own, CG_A and CG_B
cg_setup() {
	local u
	u=$(findmnt -t cgroup2 -n -o TARGET | head -1)
	[ -n "$u" ] || skip "no cgroup v2 hierarchy mounted"
	CG_A=$u/gh-evasion4-$$-$BATS_TEST_NUMBER-a
	CG_B=$u/gh-evasion4-$$-$BATS_TEST_NUMBER-b
	mkdir "$CG_A" "$CG_B"
}

# cg_trace ARG...: gh-trace run in CG_A on ARG, then gh-aggregate
cg_trace() {
	run bash -c 'echo $$ > "$0/cgroup.procs" && exec gh-trace -o "$1" -- "${@:2}"' "$CG_A" "$EV" "$@"
	[ "$status" -eq 0 ]
	gh-aggregate "$EV" > "$R"
}

FOREIGN='["partial",["foreign_process_control: 1 controls of processes outside the traced tree"]]'

# the ioctl records of the stream: [name, path, ret] each
ioctls() {
	jq -c 'select(.type == "syscall" and .syscall == "ioctl") | [.name, .path, .ret]' "$EV" | paste -sd' '
}

# whether every ioctl record's fd is the descriptor the open of $1 gave
ioctl_fd_is_open() {
	local fd
	fd=$(jq -r --arg f "$1" 'select(.type == "open" and .path == $f and .flags == 0) | .ret' "$EV")
	[ -n "$fd" ]
	[ "$(jq -c 'select(.type == "syscall" and .syscall == "ioctl") | .fd' "$EV" | sort -u)" = "$fd" ]
}

# the records of syscall $1: [target_pid, in_tree, ret] each
targets() {
	jq -c --arg s "$1" 'select(.type == "syscall" and .syscall == $s) | [.target_pid, .in_tree, .ret]' "$EV" | paste -sd' '
}

# the command's parent (gh-trace) as the command's exec record names it
tracer_pid() {
	jq -r 'select(.type == "exec") | .ppid' "$EV" | head -1
}

@test "a file made append-only through FS_IOC_SETFLAGS on a descriptor open for reading: syscall records with the file" {
	echo data > f
	trace "$WORK" attr "$PWD/f"
	[ "$output" = append-only ]
	# set, then cleared: both calls, on the file the descriptor names
	[ "$(ioctls)" = "[\"FS_IOC_SETFLAGS\",\"$PWD/f\",0] [\"FS_IOC_SETFLAGS\",\"$PWD/f\",0]" ]
	ioctl_fd_is_open "$PWD/f"
	[ "$(rc '[.actions[] | select(.syscall == "ioctl") | [.name, .path, .request, .args[1], .count, .result]]')" = "[[\"FS_IOC_SETFLAGS\",\"$PWD/f\",1074292226,1074292226,2,\"ok\"]]" ]
	# the only open of the file is for reading: no write names it
	[ "$(rc --arg f "$PWD/f" '[.filesystem.writes[]? | select(. == $f)]')" = '[]' ]
	closed
}

@test "file ioctl twin: only reading the flags (FS_IOC_GETFLAGS) makes no ioctl record" {
	echo data > f
	trace "$WORK" getattr "$PWD/f"
	[ "$output" = writable ]
	[ "$(ioctls)" = '' ]
	[ "$(rc '[.actions[]? | select(.syscall == "ioctl")]')" = '[]' ]
	closed
}

@test "the same through FS_IOC_FSSETXATTR (FS_XFLAG_APPEND): syscall records with the file" {
	echo data > f
	run "$WORK" fsx "$PWD/f"
	[ "$status" -eq 0 ] || skip "FS_IOC_FSSETXATTR refused here: $output"
	trace "$WORK" fsx "$PWD/f"
	[ "$output" = append-only ]
	[ "$(ioctls)" = "[\"FS_IOC_FSSETXATTR\",\"$PWD/f\",0] [\"FS_IOC_FSSETXATTR\",\"$PWD/f\",0]" ]
	ioctl_fd_is_open "$PWD/f"
	[ "$(rc '[.actions[] | select(.syscall == "ioctl") | [.name, .count]]')" = '[["FS_IOC_FSSETXATTR",2]]' ]
	closed
}

@test "prlimit64 setting a limit of gh-trace (the command's parent): its target in the record, foreign_process_control" {
	trace "$WORK" lim parent set
	p=$(tracer_pid)
	[ -n "$p" ]
	# the read first, then the change
	[ "$(targets prlimit64)" = "[$p,false,0] [$p,false,0]" ]
	[ "$(rc '[.completeness, .completeness_reasons]')" = "$FOREIGN" ]
}

@test "prlimit64 twin: only reading gh-trace's limit is recorded and stays closed" {
	trace "$WORK" lim parent get
	p=$(tracer_pid)
	[ "$(targets prlimit64)" = "[$p,false,0]" ]
	closed
}

@test "prlimit64 twin: setting a limit of its own child is in the tree and stays closed" {
	trace "$WORK" lim child set
	c=$(jq -r 'select(.type == "fork") | .pid' "$EV" | head -1)
	[ -n "$c" ]
	[ "$(targets prlimit64)" = "[$c,true,0] [$c,true,0]" ]
	closed
}

@test "setpriority of the caller's process group (who 0) with gh-trace in it: recorded with the group, foreign_process_control" {
	# a session of its own: the group is gh-trace's and the command's only
	run setsid -w gh-trace -o "$EV" -- "$WORK" prio pgrp
	[ "$status" -eq 0 ]
	gh-aggregate "$EV" > "$R"
	p=$(tracer_pid)
	[ "$(targets setpriority)" = "[-$p,null,0]" ]
	[ "$(rc '[.actions[] | select(.syscall == "setpriority") | [.target_pid, .in_tree, .args[0:2]]]')" = "[[-$p,null,[1,0]]]" ]
	[ "$(rc '[.completeness, .completeness_reasons]')" = "$FOREIGN" ]
}

@test "setpriority twin: of a process group the command made for itself: recorded, closed" {
	run setsid -w gh-trace -o "$EV" -- "$WORK" prio own
	[ "$status" -eq 0 ]
	gh-aggregate "$EV" > "$R"
	c=$(jq -r 'select(.type == "exec") | .pid' "$EV" | head -1)
	[ "$(targets setpriority)" = "[-$c,null,0]" ]
	closed
}

@test "gh-trace's oom_score_adj written through /proc/PPID (the kernel's choice of whom to kill): foreign_process_control" {
	trace "$WORK" proc parent oom_score_adj
	p=$(tracer_pid)
	[ "$(jq -c --arg f "/proc/$p/oom_score_adj" 'select(.type == "open" and .path == $f and .flags != 0) | .ret >= 0' "$EV")" = true ]
	[ "$(rc '[.completeness, .completeness_reasons]')" = "$FOREIGN" ]
}

@test "gh-trace's timer slack, and its oom_score_adj through /proc/PID/task/TID, from a shell's children: foreign_process_control" {
	# sh's parent is gh-trace
	trace sh -c '"$0" proc $PPID timerslack_ns && "$0" proc $PPID task/$PPID/oom_score_adj' "$WORK"
	[ "$(rc '[.completeness, .completeness_reasons]')" = '["partial",["foreign_process_control: 2 controls of processes outside the traced tree"]]' ]
}

@test "/proc control twin: its own oom_score_adj through /proc/self stays closed" {
	trace "$WORK" proc self oom_score_adj
	c=$(jq -r 'select(.type == "exec") | .pid' "$EV" | head -1)
	[ "$(jq -c --arg f "/proc/$c/oom_score_adj" 'select(.type == "open" and .path == $f and .flags != 0) | .ret >= 0' "$EV")" = true ]
	closed
}

@test "gh-trace's cgroup frozen (cgroup.freeze) by its command, which moved itself out first: foreign_process_control" {
	cg_setup
	cg_trace "$WORK" cg freeze "$CG_A" "$CG_B"
	[ "$output" = thawed ]
	# the freeze and thaw are opens for writing of the file
	[ "$(jq -c --arg f "$CG_A/cgroup.freeze" 'select(.type == "open" and .path == $f) | .ret >= 0' "$EV" | paste -sd' ')" = 'true true' ]
	[ "$(rc '[.completeness, .completeness_reasons]')" = "$FOREIGN" ]
}

@test "gh-trace moved into another cgroup and back by its command: foreign_process_control, once a move" {
	cg_setup
	cg_trace "$WORK" cg move "$CG_A" "$CG_B"
	[ "$output" = moved ]
	[ "$(rc '[.completeness, .completeness_reasons]')" = '["partial",["foreign_process_control: 2 controls of processes outside the traced tree"]]' ]
}

@test "cgroup twin: a child of its own moved into a cgroup and frozen there stays closed" {
	cg_setup
	cg_trace "$WORK" cg own "$CG_A" "$CG_B"
	[ "$output" = thawed ]
	closed
}

@test "add_key: the key's description is in the record and the receipt (a name other processes of the user can find)" {
	trace "$WORK" key "gh-evasion4-$$"
	[ "$output" = 1 ]
	# into the session keyring (-3, a 32-bit argument)
	[ "$(jq -c 'select(.type == "syscall" and .syscall == "add_key") | [.name, .args[4], .ret > 0]' "$EV")" = "[\"gh-evasion4-$$\",4294967293,true]" ]
	[ "$(rc '[.actions[] | select(.syscall == "add_key") | [.name, .result]]')" = "[[\"gh-evasion4-$$\",\"ok\"]]" ]
}

@test "add_key twin: two keys are two actions, one name each" {
	trace "$WORK" key "gh-evasion4-a$$" "gh-evasion4-b$$"
	[ "$(rc '[.actions[] | select(.syscall == "add_key") | .name]')" = "[\"gh-evasion4-a$$\",\"gh-evasion4-b$$\"]" ]
}

@test "sched_setaffinity of gh-trace (the CPUs it runs on): its target in the record, foreign_process_control" {
	trace "$WORK" aff parent
	p=$(tracer_pid)
	[ "$(targets sched_setaffinity)" = "[$p,false,0]" ]
	[ "$(rc '[.completeness, .completeness_reasons]')" = "$FOREIGN" ]
}

@test "sched_setaffinity twin: of its own child, in the tree, stays closed" {
	trace "$WORK" aff child
	c=$(jq -r 'select(.type == "fork") | .pid' "$EV" | head -1)
	[ "$(targets sched_setaffinity)" = "[$c,true,0]" ]
	closed
}

@test "setpriority of every process of the caller's user (PRIO_USER, who 0): recorded, target -1, foreign_process_control" {
	# a user of its own (no other process runs as 59999), the program
	# where it can run it
	local d
	d=$(mktemp -d)
	chmod 755 "$d"
	cp "$WORK" "$d/work"
	run gh-trace -u 59999 -o "$EV" -- "$d/work" prio user
	rm -r "$d"
	[ "$status" -eq 0 ]
	gh-aggregate "$EV" > "$R"
	[ "$(targets setpriority)" = '[-1,null,0]' ]
	[ "$(rc '[.completeness, .completeness_reasons]')" = "$FOREIGN" ]
}

@test "sched_setaffinity twin: of a thread of its own, by its thread id, is in the tree and stays closed" {
	trace "$WORK" aff thread
	[ "$(jq -c 'select(.type == "syscall" and .syscall == "sched_setaffinity") | [.in_tree, .ret, .target_pid != .pid]' "$EV")" = '[true,0,true]' ]
	closed
}

@test "a netlink buffer rewritten by another thread while it is sent (RTM_NEWADDR, RTM_GETADDR): the types are the ones the kernel acted on, each RTM_NEWADDR partial" {
	trace "$WORK" nlrace 2000
	k=$output
	[ "$k" -gt 0 ] || skip "the two threads never ran at once"
	# as many RTM_NEWADDR records as acknowledgements of an RTM_NEWADDR
	[ "$(jq -c 'select(.type == "send" and .family == "netlink") | .nlmsg_types' "$EV" | grep -c '^\[20\]$')" = "$k" ]
	[ "$(jq -c 'select(.type == "send" and .family == "netlink") | .nlmsg_types' "$EV" | grep -vc '^\[2[02]\]$')" = 0 ]
	[ "$(rc '.completeness_reasons')" = "[\"netlink_request: $k netlink sends that may change the kernel's configuration (addresses, routes, links, firewall rules...) or were not read: not decoded\"]" ]
}

@test "the same behind a dump request (the kernel keeps the buffer for the dump past the call): the types the kernel acted on" {
	trace "$WORK" nlrace 1000 dump
	k=$output
	[ "$k" -gt 0 ] || skip "the two threads never ran at once"
	[ "$(jq -c 'select(.type == "send" and .family == "netlink") | .nlmsg_types' "$EV" | grep -c '^\[22,20\]$')" = "$k" ]
	[ "$(jq -c 'select(.type == "send" and .family == "netlink") | .nlmsg_types' "$EV" | grep -vc '^\[22,2[02]\]$')" = 0 ]
	[ "$(rc '.completeness_reasons')" = "[\"netlink_request: $k netlink sends that may change the kernel's configuration (addresses, routes, links, firewall rules...) or were not read: not decoded\"]" ]
}

@test "process_madvise of gh-trace's memory through a pidfd (MADV_COLD): its target in the record, foreign_process_control" {
	trace "$WORK" madv parent
	[ "$output" = cold ]
	p=$(tracer_pid)
	[ "$(jq -c 'select(.type == "syscall" and .syscall == "process_madvise") | [.target_pid, .in_tree, .ret]' "$EV")" = "[$p,false,4096]" ]
	[ "$(rc '[.completeness, .completeness_reasons]')" = "$FOREIGN" ]
}

@test "process_madvise twin: of its own child's memory, in the tree, stays closed" {
	trace "$WORK" madv child
	c=$(jq -r 'select(.type == "fork") | .pid' "$EV" | head -1)
	[ "$(jq -c 'select(.type == "syscall" and .syscall == "process_madvise") | [.target_pid, .in_tree, .ret]' "$EV")" = "[$c,true,4096]" ]
	closed
}
