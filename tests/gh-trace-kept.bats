#!/usr/bin/env bats
# gh-trace with kept programs (--keep, --unload): keeping, reuse, version
# changes, runs at the same time, killed runs, and a representative part
# of tests/gh-trace.bats run again with kept programs. Everything is kept
# in a bpf filesystem mounted for this file (the machine's /sys/fs/bpf is
# only used, in a mount namespace of its own, by the test of mounting it).

bats_require_minimum_version 1.5.0
load trace/lib

setup_file() {
	trace_setup_file
	command -v bpftool >/dev/null || skip "bpftool is not installed"
	kept_setup
	# the last run detaches the programs of syscalls at once, as the
	# tests below expect (the linger: tests/gh-trace-linger.bats)
	export GH_TRACE_LINGER=0
	PIN=$GH_TRACE_PIN_DIR
	KEPT=$(cd "$PIN" && echo trace-*)
	export PIN KEPT
}

teardown_file() {
	kept_teardown
}

# A test that failed before releasing its held command (the fifo "go")
# releases it here, so that its traced run ends and the suite goes on.
teardown() {
	# a loop left running by a failed test holds the suite's output open
	[ -z "${loop:-}" ] || kill "$loop" 2>/dev/null || true
	[ -p "$BATS_TEST_TMPDIR/go" ] || return 0
	echo | dd of="$BATS_TEST_TMPDIR/go" oflag=nonblock status=none 2>/dev/null || true
	wait || true
}

setup() {
	trace_setup
	# each test starts with the programs kept, whatever the last one did
	gh-trace --keep
}

# attached: the kept programs that are attached (have a link), by name:
# every one while a run is in progress ($ALL); once one has been, all but
# those of syscalls and socket sends ($KEPT_ON); none before.
attached() {
	local ids
	ids=$(for p in "$PIN/$KEPT"/prog_*; do
		bpftool -j prog show pinned "$p"
	done | jq -s -c 'map({key: (.id | tostring), value: .name}) | from_entries')
	bpftool -j link list | jq -r --argjson ids "$ids" \
		'[.[] | $ids[.prog_id | tostring] // empty] | sort | join(" ")'
}
KEPT_ON="cgroup_attach cgroup_freeze inet_sock_set_state sched_process_exec sched_process_exit sched_process_fork uring_complete uring_submit"
ALL="cgroup_attach cgroup_freeze inet_sock_set_state sched_process_exec sched_process_exit sched_process_fork sock_nl_consume sock_recv_length sock_send sock_send_length sys_enter sys_exit uring_complete uring_submit"

# map NAME: the formatted entries of a kept map, one compact line each.
map() {
	bpftool -j map dump pinned "$PIN/$KEPT/$1" | jq -c '.[].formatted'
}

@test "--keep without a command keeps the programs, quietly" {
	gh-trace --unload
	run --separate-stderr gh-trace --keep
	[ "$status" -eq 0 ]
	[ -z "$output" ] && [ -z "$stderr" ]
	[ "$(ls "$PIN")" = "$KEPT" ]
	[[ "$KEPT" =~ ^trace-[0-9a-f]{16}$ ]]
	[ "$(ls "$PIN/$KEPT" | tr '\n' ' ')" = "prog_cgroup_attach prog_cgroup_freeze prog_inet_sock_set_state prog_sched_process_exec prog_sched_process_exit prog_sched_process_fork prog_sock_nl_consume prog_sock_recv_length prog_sock_send prog_sock_send_length prog_sys_enter prog_sys_exit prog_uring_complete prog_uring_submit rings runs socks tally traced " ]
}

@test "--keep again keeps the same programs" {
	before=$(stat -c %i "$PIN/$KEPT/prog_sys_exit")
	run --separate-stderr gh-trace --keep -v
	[ "$status" -eq 0 ]
	[ "$stderr" = "gh-trace: using the programs kept in $PIN/$KEPT" ]
	[ "$(stat -c %i "$PIN/$KEPT/prog_sys_exit")" = "$before" ]
}

@test "runs use the kept programs, with --keep, --no-keep, GH_TRACE_KEEP=1, =0 or neither" {
	for how in --keep --no-keep GH_TRACE_KEEP=1 GH_TRACE_KEEP=0 GH_TRACE_KEEP=; do
		case $how in
		--*) run --separate-stderr gh-trace -v "$how" -o "$EV" -- true ;;
		*) run --separate-stderr env "$how" gh-trace -v -o "$EV" -- true ;;
		esac
		[ "$status" -eq 0 ]
		[ "${stderr%%$'\n'*}" = "gh-trace: using the programs kept in $PIN/$KEPT" ]
		check_stream
		no_loss
		[ "$(ev 'select(.type != "header" and .type != "end") | .type' | sed -n '1p;$p' | tr '\n' ' ')" = '"exec" "exit" ' ]
	done
}

@test "the first --keep run loads and keeps the programs, and is traced" {
	gh-trace --unload
	run --separate-stderr gh-trace -v --keep -o "$EV" -- cat /etc/hostname
	[ "$status" -eq 0 ]
	[[ "${stderr%%$'\n'*}" == "gh-trace: loaded the programs and kept them in $PIN/$KEPT; CO-RE: "*" relocations against a minimal BTF ("*" of the kernel's types)" ]]
	[ "$(ev 'select(.type=="open" and .path=="/etc/hostname") | .ret >= 0')" = true ]
	[ -e "$PIN/$KEPT/prog_sys_exit" ]
	[ "$(attached)" = "$KEPT_ON" ]
}

@test "without --keep a run keeps the programs; --no-keep or GH_TRACE_KEEP=0 leave nothing kept" {
	for how in --no-keep GH_TRACE_KEEP=0; do
		gh-trace --unload
		case $how in
		--*) run --separate-stderr gh-trace -v "$how" -o "$EV" -- true ;;
		*) run --separate-stderr env "$how" gh-trace -v -o "$EV" -- true ;;
		esac
		[ "$status" -eq 0 ]
		[[ "${stderr%%$'\n'*}" == "gh-trace: loaded the programs for this run; CO-RE: "*" relocations against a minimal BTF ("*" of the kernel's types)" ]]
		check_stream
		[ ! -e "$PIN" ]
	done
	run --separate-stderr env -u GH_TRACE_KEEP gh-trace -v -o "$EV" -- true
	[ "$status" -eq 0 ]
	[[ "${stderr%%$'\n'*}" == "gh-trace: loaded the programs and kept them in $PIN/$KEPT; CO-RE: "*" relocations against a minimal BTF ("*" of the kernel's types)" ]]
	check_stream
	[ -e "$PIN/$KEPT/prog_sys_enter" ]
	[ "$(attached)" = "$KEPT_ON" ]
	run --separate-stderr env -u GH_TRACE_KEEP gh-trace -v -o "$EV" -- true
	[ "${stderr%%$'\n'*}" = "gh-trace: using the programs kept in $PIN/$KEPT" ]
}

@test "kept programs of syscalls are attached only while a run is in progress" {
	gh-trace --unload
	gh-trace --keep
	[ "$(attached)" = "" ]
	mkfifo go
	# run A stays in progress while run B starts and ends
	gh-trace -o a.ndjson -- sh -c 'read x < go; cat /etc/hostname >/dev/null' &
	ga=$!
	until grep -q '"type":"exec"' a.ndjson 2>/dev/null; do sleep 0.05; done
	[ "$(attached)" = "$ALL" ]
	[ "$(ls "$PIN/$KEPT" | grep -c '^link_')" = 14 ]
	run gh-trace -o "$EV" -- cat /etc/hostname
	[ "$status" -eq 0 ]
	no_loss
	[ "$(ev 'select(.type=="open" and .path=="/etc/hostname") | .ret >= 0')" = true ]
	# B's end left A's programs attached, once: A still sees its tree
	[ "$(attached)" = "$ALL" ]
	echo > go
	wait "$ga"
	EV=a.ndjson
	check_stream
	no_loss
	[ "$(ev 'select(.type=="open" and .path=="/etc/hostname") | .ret >= 0')" = true ]
	[ "$(ev 'select(.type=="open" and .path=="/etc/hostname")' | wc -l)" = 1 ]
	# the last run to end detached those of syscalls and sends
	[ "$(attached)" = "$KEPT_ON" ]
	[ "$(ls "$PIN/$KEPT" | grep '^link_' | tr '\n' ' ')" = "link_cgroup_attach link_cgroup_freeze link_inet_sock_set_state link_sched_process_exec link_sched_process_exit link_sched_process_fork link_uring_complete link_uring_submit " ]
}

@test "--keep and --no-keep exclude each other" {
	run --separate-stderr gh-trace --keep --no-keep -- true
	[ "$status" -eq 2 ]
	[ "$stderr" = "gh-trace: --keep and --no-keep exclude each other" ]
	run --separate-stderr gh-trace --no-keep --keep
	[ "$status" -eq 2 ]
	[ "$stderr" = "gh-trace: --keep and --no-keep exclude each other" ]
}

@test "programs kept by another build are ignored, and replaced by --keep" {
	mv "$PIN/$KEPT" "$PIN/trace-0000000000000000"
	run --separate-stderr env GH_TRACE_KEEP=0 gh-trace -v -o "$EV" -- true
	[ "$status" -eq 0 ]
	[[ "${stderr%%$'\n'*}" == "gh-trace: loaded the programs for this run (the kept ones are another build's: --keep replaces them); CO-RE: "*" relocations against a minimal BTF ("*" of the kernel's types)" ]]
	check_stream
	run --separate-stderr gh-trace -v --keep
	[ "$status" -eq 0 ]
	[[ "$stderr" == "gh-trace: loaded the programs and kept them in $PIN/$KEPT; CO-RE: "*" relocations against a minimal BTF ("*" of the kernel's types)" ]]
	[ "$(ls "$PIN")" = "$KEPT" ]
}

@test "--unload removes everything kept; again, it has nothing to do" {
	run --separate-stderr gh-trace --unload
	[ "$status" -eq 0 ]
	[ -z "$output" ] && [ -z "$stderr" ]
	[ ! -e "$PIN" ]
	run --separate-stderr gh-trace --unload -v
	[ "$status" -eq 0 ]
	[ "$stderr" = "gh-trace: no programs were kept" ]
}

@test "--unload takes no command and excludes --keep" {
	run --separate-stderr gh-trace --unload -- true
	[ "$status" -eq 2 ]
	[ "$stderr" = "gh-trace: --unload takes no command" ]
	run --separate-stderr gh-trace --keep --unload
	[ "$status" -eq 2 ]
	[ "$stderr" = "gh-trace: --keep and --unload exclude each other" ]
	[ -e "$PIN/$KEPT" ]
}

@test "--keep and --unload need root" {
	chmod 755 "$BATS_TEST_TMPDIR"
	run --separate-stderr setpriv --reuid=65534 --regid=65534 --clear-groups gh-trace --keep
	[ "$status" -eq 2 ]
	[ "$stderr" = "gh-trace: --keep: not running as root (euid 65534)" ]
	run --separate-stderr setpriv --reuid=65534 --regid=65534 --clear-groups gh-trace --unload
	[ "$status" -eq 2 ]
	[ "$stderr" = "gh-trace: --unload: not running as root (euid 65534)" ]
	[ -e "$PIN/$KEPT" ]
}

@test "where nothing can be kept, --keep warns and the run is traced all the same" {
	export GH_TRACE_PIN_DIR=$BATS_TEST_TMPDIR/nobpf/glasshouse
	mkdir nobpf
	run --separate-stderr gh-trace --keep -o "$EV" -- cat /etc/hostname
	[ "$status" -eq 0 ]
	[ "$stderr" = "gh-trace: warning: cannot keep the programs: $BATS_TEST_TMPDIR/nobpf: not on a bpf filesystem" ]
	[ "$(ev 'select(.type=="open" and .path=="/etc/hostname") | .ret >= 0')" = true ]
	# loaded for this run, not kept: the header says so
	[ "$(ev 'select(.type=="header") | .audit | [.active, .programs, .bpf_object_sha256]')" = \
		"[true,\"loaded\",\"$(sha256sum < "${GH_OUT:-$GH_ROOT/build}/trace.bpf.o" | cut -d' ' -f1)\"]" ]
	run --separate-stderr gh-trace --keep
	[ "$status" -eq 2 ]
	[ "$stderr" = "gh-trace: --keep: cannot keep the programs: $BATS_TEST_TMPDIR/nobpf: not on a bpf filesystem" ]
}

@test "--keep mounts a bpf filesystem on /sys/fs/bpf where none is mounted" {
	command -v unshare >/dev/null || skip "unshare is not installed"
	need_mount_ns
	# in a mount namespace of its own: what it mounts and keeps goes with it
	run --separate-stderr unshare -m sh -c '
		umount /sys/fs/bpf 2>/dev/null
		grep -c " /sys/fs/bpf " /proc/self/mounts
		unset GH_TRACE_PIN_DIR GH_TRACE_KEEP
		gh-trace --keep -o "$1" -- true || exit
		grep " /sys/fs/bpf " /proc/self/mounts | cut -d" " -f1-3
		ls /sys/fs/bpf/glasshouse
		gh-trace --unload && ls -d /sys/fs/bpf/glasshouse' sh "$EV"
	[ "$status" -ne 0 ]
	[ "$output" = "0
bpf /sys/fs/bpf bpf
$KEPT" ]
	[ "$stderr" = "ls: cannot access '/sys/fs/bpf/glasshouse': No such file or directory" ]
	check_stream
}

@test "each run has its own settings and loss counters" {
	printf '#!/bin/sh\nsleep 0.2\nexec /bin/echo 0123456789 abcdefghij\n' > s.sh
	chmod +x s.sh
	gh-trace -o a.ndjson --argv-limit 24 --ringbuf-size 65536 -- ./s.sh >/dev/null &
	a=$!
	gh-trace -o b.ndjson -- ./s.sh >/dev/null &
	b=$!
	wait "$a" "$b"
	[ "$(jq -c 'select(.type=="end") | .lost' a.ndjson)" = '{"ringbuf":0,"fault":0,"truncated":1,"missed":0}' ]
	[ "$(jq -c 'select(.type=="end") | .lost' b.ndjson)" = '{"ringbuf":0,"fault":0,"truncated":0,"missed":0}' ]
	[ "$(jq -c 'select(.type=="header") | .limits.ringbuf_bytes' a.ndjson)" = 65536 ]
	[ "$(jq -c 'select(.type=="exec" and .argv[0]=="/bin/echo") | [.argv, .argv_truncated]' a.ndjson b.ndjson)" = \
		'[["/bin/echo","0123456789","abc"],true]
[["/bin/echo","0123456789","abcdefghij"],false]' ]
	[ "$(map runs)" = "" ]
	# only ring buffers of the default size are kept for later runs
	for r in "$PIN/$KEPT"/ring_*; do
		[ "$(bpftool -j map show pinned "$r" | jq .max_entries)" = 4194304 ]
	done
}

@test "a run reuses the ring buffer the last one gave back" {
	gh-trace -o "$EV" -- true
	before=$(ls "$PIN/$KEPT" | grep '^ring_')
	[ -n "$before" ]
	run gh-trace -o "$EV" -- cat /etc/hostname
	[ "$status" -eq 0 ]
	check_stream
	no_loss
	[ "$(ev 'select(.type=="open" and .path=="/etc/hostname") | .ret >= 0')" = true ]
	[ "$(ls "$PIN/$KEPT" | grep '^ring_')" = "$before" ]
}

# rings_keys: the ring buffer ids in the kept rings map (a map of maps:
# bpftool shows its keys as bytes), in order, each followed by a space.
rings_keys() {
	bpftool -j map dump pinned "$PIN/$KEPT/rings" |
		jq -r '.[].key | reverse | map(ltrimstr("0x")) | join("")' |
		while read -r h; do echo $((16#$h)); done | sort -n | tr '\n' ' '
}

@test "a ring buffer a run made joins the pool with its entry in the rings map (the next run does not add it again); one of another size leaves neither" {
	gh-trace --unload
	gh-trace --keep
	run gh-trace -o "$EV" -- true
	[ "$status" -eq 0 ]
	id=$(ls "$PIN/$KEPT" | grep '^ring_' | sed 's/^ring_//')
	[ -n "$id" ]
	[ "$(rings_keys)" = "$id " ]
	# the twin: a ring buffer of another size is not kept, nor its entry
	run gh-trace -o "$EV" --ringbuf-size 65536 -- true
	[ "$status" -eq 0 ]
	[ "$(ls "$PIN/$KEPT" | grep '^ring_')" = "ring_$id" ]
	[ "$(rings_keys)" = "$id " ]
	# the pooled one serves the next run as it is
	run gh-trace -o "$EV" -- cat /etc/hostname
	[ "$status" -eq 0 ]
	check_stream
	no_loss
	[ "$(ev 'select(.type=="open" and .path=="/etc/hostname") | .ret >= 0')" = true ]
	[ "$(rings_keys)" = "$id " ]
}

# own_tree FILE: every pid in the stream is the command's or was forked in it.
own_tree() {
	jq -s -e '(.[0].pid) as $top |
		([.[] | select(.type=="fork") | .pid] + [$top]) as $tree |
		[.[] | select(.pid != null) | .pid] - $tree == [] and
		([.[] | select(.type=="fork") | .ppid] - $tree == [])' "$1" >/dev/null
}

@test "ten runs at once give ten streams and receipts of their own" {
	command -v gh-aggregate >/dev/null || skip "gh-aggregate is not built"
	for i in 0 1 2 3 4 5 6 7 8 9; do
		mkdir "w$i"
		gh-trace -o "ev$i.ndjson" -- sh -c "echo $i > w$i/file$i; cat w$i/file$i >/dev/null; mkdir w$i/dir$i; sh -c 'ls w$i >/dev/null'; rm w$i/file$i" &
		pids[i]=$!
	done
	for i in 0 1 2 3 4 5 6 7 8 9; do
		wait "${pids[i]}"
	done
	for i in 0 1 2 3 4 5 6 7 8 9; do
		EV=ev$i.ndjson
		check_stream
		no_loss
		own_tree "$EV"
		# its files and no other run's
		[ "$(ev '.path // empty' | grep -o '/w[0-9]/[a-z]*[0-9]' | sort -u | tr '\n' ' ')" = \
			"/w$i/dir$i /w$i/file$i " ]
		[ "$(ev 'select(.type=="exec") | .argv[-1]' | grep -o 'w[0-9]' | sort -u)" = "w$i" ]
		gh-aggregate "$EV" > "r$i.json"
		[ "$(jq -r '.completeness' "r$i.json")" = closed ]
		[ "$(jq -c --arg d "$BATS_TEST_TMPDIR/" '[.filesystem.writes[], .filesystem.deletes[] | select(startswith($d)) | ltrimstr($d)] | unique' "r$i.json")" = \
			"[\"w$i/dir$i\",\"w$i/file$i\"]" ]
		[ "$(jq -c '[.process_tree[].pid] | sort' "r$i.json")" = \
			"$(ev '.pid // empty' | jq -s -c 'unique')" ]
	done
	[ "$(map runs)" = "" ]
	[ "$(map traced)" = "" ]
	# their ring buffers: at most 4 kept for later runs, none busy
	[ "$(ls "$PIN/$KEPT" | grep -c '^ring_')" -le 4 ]
	[ "$(ls "$PIN/$KEPT" | grep -c '^busy_')" -eq 0 ]
}

@test "ten first runs at once: one loads and keeps the programs, all are traced" {
	gh-trace --unload
	for i in 0 1 2 3 4 5 6 7 8 9; do
		gh-trace -o "ev$i.ndjson" -- cat /etc/hostname >/dev/null &
		pids[i]=$!
	done
	for i in 0 1 2 3 4 5 6 7 8 9; do
		wait "${pids[i]}"
	done
	[ "$(ls "$PIN")" = "$KEPT" ]
	for i in 0 1 2 3 4 5 6 7 8 9; do
		EV=ev$i.ndjson
		check_stream
		no_loss
		[ "$(ev 'select(.type=="open" and .path=="/etc/hostname") | .ret >= 0')" = true ]
	done
}

@test "a run killed with SIGKILL pollutes no later run, and its state is cleaned" {
	# no ring buffers kept yet
	gh-trace --unload
	gh-trace --keep
	echo x > marker
	# the command outlives its gh-trace, still in the traced set
	gh-trace -o dead.ndjson -- "$PY" -c '
import time
while True:
    open("marker").close()
    time.sleep(0.02)' &
	gt=$!
	until grep -q "\"path\":\"$BATS_TEST_TMPDIR/marker\"" dead.ndjson 2>/dev/null; do sleep 0.05; done
	loop=$(head -n1 dead.ndjson | jq .pid)
	kill -9 "$gt"
	wait "$gt" || true
	[ "$(map runs | jq -c .value.owner)" = "$gt" ]
	[ "$(map traced | jq -c .key)" = "$loop" ]
	# its programs stay attached until a run ends after it
	[ "$(attached)" = "$ALL" ]
	# the dead run's ring buffer, still written to by the loop
	busy=$(ls "$PIN/$KEPT" | grep "^busy_.*_${gt}_")
	ring=${busy#busy_}
	ring=ring_${ring%%_*}
	# the next run sees only its own tree, and removes what the dead one
	# left; it takes the dead run's ring buffer over, and drops the records
	# the loop wrote there
	run gh-trace -o "$EV" -- sh -c 'cat /etc/hostname >/dev/null; sleep 0.1'
	kill "$loop"
	[ "$status" -eq 0 ]
	check_stream
	no_loss
	own_tree "$EV"
	[ "$(ev "select(.pid==$loop or (.path // \"\" | endswith(\"/marker\")))" | wc -l)" -eq 0 ]
	[ "$(map runs)" = "" ]
	[ "$(map traced)" = "" ]
	[ "$(ls "$PIN")" = "$KEPT" ]
	[ "$(ls "$PIN/$KEPT" | grep -E '^(ring|busy)_')" = "$ring" ]
	[ "$(attached)" = "$KEPT_ON" ]
}

@test "--unload during a run: the run keeps its programs until it ends" {
	mkfifo go
	gh-trace -o "$EV" -- sh -c 'read x < go; cat /etc/hostname >/dev/null' &
	gt=$!
	until grep -q '"type":"exec"' "$EV" 2>/dev/null; do sleep 0.05; done
	gh-trace --unload
	[ ! -e "$PIN" ]
	echo > go
	wait "$gt"
	check_stream
	no_loss
	[ "$(ev 'select(.type=="open" and .path=="/etc/hostname") | .ret >= 0')" = true ]
	[ "$(ev 'select(.type=="exit") | .code')" = "0
0" ]
}

# gh-trace.bats, again with kept programs (tests/trace/lib.bash).

@test "kept: header and end frame the stream and agree on the command" {
	case_header_end
}

@test "kept: the command's own exec is captured with the resolved executable" {
	case_own_exec
}

@test "kept: relative, dirfd and failing paths are absolute and normalized" {
	case_paths
}

@test "kept: cd somewhere && cat ./x gives the absolute path" {
	case_cd_relative
}

@test "kept: a three-level process tree has the right ppids and exit codes" {
	case_tree
}

@test "kept: a SIGKILLed child is reported by signal" {
	case_killed_child
}

@test "kept: a 40-argument argv is complete" {
	case_argv40
}

@test "kept: --argv-limit truncates argv, says so and counts it" {
	case_argv_limit
}

@test "kept: a failed exec is an exec record with the error" {
	case_failed_exec
}

@test "kept: TCP, UDP, IPv6 and unix sockets are reported with kernel socket facts" {
	case_sockets
}

@test "kept: a concurrent process outside the tree never appears" {
	case_outside
}

@test "kept: orphans are followed until they finish" {
	case_orphans
}

@test "kept: SIGTERM to gh-trace reaches the command and the stream is finished" {
	signal_test TERM 15
}

@test "kept: --stdout and --stderr capture to files, still shown, bytes in the end" {
	case_capture
}

@test "kept: -u runs the command as that user" {
	case_user
}

@test "kept: a command that is not found exits 127 with a finished stream" {
	case_not_found
}

@test "kept: every file strace sees the tree open successfully is in the receipt" {
	case_strace
}

@test "kept: end to end, gh-aggregate turns the stream into a closed receipt" {
	case_receipt_closed
}

@test "kept programs trace a gh-trace in a PID namespace of its own, with the ids seen there" {
	need_mount_ns
	run --separate-stderr unshare --pid --fork --mount-proc gh-trace -v -o "$EV" -- \
		sh -c 'echo $$; cat /etc/hostname > /dev/null'
	[ "$status" -eq 0 ]
	[ "$output" = 2 ]
	[ "${stderr%%$'\n'*}" = "gh-trace: using the programs kept in $PIN/$KEPT" ]
	check_stream
	no_loss
	[ "$(ev 'select(.type == "exec") | [.pid, .ppid, .argv[0]]')" = '[2,1,"sh"]
[3,2,"cat"]' ]
	[ "$(ev 'select(.type == "open" and .path == "/etc/hostname") | .pid')" = 3 ]
	[ "$(map traced)" = "" ]
}

@test "a kept tally map replaced by one the programs do not count into (frozen or not): no tracing, and why" {
	# the kept one is frozen
	[ "$(bpftool -j map show pinned "$PIN/$KEPT/tally" | jq -c '[.type, .frozen, .max_entries]')" = '["array",1,8192]' ]
	vs=$(bpftool -j map show pinned "$PIN/$KEPT/tally" | jq .bytes_value)
	msg="gh-trace: audit unavailable: the tally map is not the programs' own, or not frozen (kept programs changed since they were kept: gh-trace --unload removes them)"
	rm "$PIN/$KEPT/tally"
	bpftool map create "$PIN/$KEPT/tally" type array key 4 value "$vs" entries 8192 name tally
	run --separate-stderr gh-trace --require-audit -o "$EV" -- true
	[ "$status" -eq 125 ]
	[ "$stderr" = "$msg" ]
	bpftool map freeze pinned "$PIN/$KEPT/tally"
	run --separate-stderr gh-trace --require-audit -o "$EV" -- true
	[ "$status" -eq 125 ]
	[ "$stderr" = "$msg" ]
	# twin: kept again, whole, the run is traced
	gh-trace --unload
	gh-trace --keep
	run --separate-stderr gh-trace --require-audit -o "$EV" -- true
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "$(jq -c 'select(.type == "header") | .audit.active' "$EV")" = true ]
}
