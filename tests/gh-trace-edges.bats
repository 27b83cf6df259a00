#!/usr/bin/env bats
# gh-trace and gh-aggregate where a new user or a hostile environment trips
# them: a ^C at the terminal, stopped commands, outputs that collide, closed
# standard descriptors, a full disk, few open files, another user's
# environment, background processes, commands that do not exist.
# Traces real commands (needs root).

bats_require_minimum_version 1.5.0
load trace/lib

setup_file() {
	trace_setup_file
	# never programs that someone kept on this machine
	export GH_TRACE_PIN_DIR=$BATS_FILE_TMPDIR/no-kept-programs
}

setup() {
	[ "$(id -u)" -eq 0 ] || skip "tracing needs root"
	trace_setup
}

teardown() {
	[ -z "${PUB:-}" ] || rm -rf "$PUB"
}

# nobody_dir: cd to a directory of user nobody's (the bats folders are
# root's alone), with EV there, for the tests that run gh-trace as nobody.
nobody_dir() {
	PUB=$(mktemp -d /tmp/gh-trace-edges.XXXXXX)
	chown 65534:65534 "$PUB"
	cd "$PUB" || return 1
	EV=$PUB/ev.ndjson
}

# in_group CMD...: start CMD in a session and process group of its own,
# with SIGINT at its default (not ignored, as for a shell's background
# job), as a terminal's foreground job; its pid is the group id.
in_group() {
	exec "$PY" -c 'import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_DFL)
os.setsid()
os.execvp(sys.argv[1], sys.argv[1:])' "$@"
}

# as_nobody CMD...: run CMD as user nobody, without root's groups (gh-trace
# then runs untraced and needs no eBPF).
as_nobody() {
	exec setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
}

# wait_until TEST: until the shell command TEST succeeds (at most 10 s).
wait_until() {
	local i
	for ((i = 0; i < 200; i++)); do
		eval "$1" && return 0
		sleep 0.05
	done
	echo "waited 10 s for: $1" >&2
	return 1
}

# wait_for FILE: until FILE exists (at most 10 s).
wait_for() {
	wait_until "[ -e '$1' ]"
}

# running PG [READER]: the command of the pipeline in process group PG
# runs (sleep: its exec is in the stream), and READER, when named, runs
# with its SIGINT handler in place. A fixed pause promises neither on a
# loaded machine.
running() {
	wait_until "pgrep -g $1 -x sleep > /dev/null" || return 1
	[ -n "${2:-}" ] || return 0
	wait_until "a=\$(pgrep -g $1 -x $2) && grep -q '^SigCgt:.*[2367abef]\$' /proc/\$a/status"
}

@test "a ^C to the whole pipeline: gh-aggregate survives and writes the full receipt" {
	in_group bash -c 'gh-trace -- sh -c "exec sleep 30" | gh-aggregate > r.json 2> agg.err' &
	pg=$!
	running "$pg" gh-aggregate
	kill -INT -- -"$pg"
	status=0
	wait "$pg" || status=$?
	[ "$(jq -c '[.completeness, .completeness_reasons, .exit_code, .outcome.signal, .outcome.error]' r.json)" = \
		'["closed",[],130,2,null]' ]
	[ "$(jq -r '.processes[0].cmd' r.json)" = "sleep 30" ]
	[ "$(cat agg.err)" = "gh-aggregate: interrupt: reading the stream to its end (interrupt again to stop there)" ]
}

@test "the same ^C reaches the reader: one that writes at the end (sort) dies and leaves nothing" {
	in_group bash -c 'gh-trace -- sh -c "exec sleep 30" | sort > r.ndjson' &
	pg=$!
	running "$pg"
	kill -INT -- -"$pg"
	wait "$pg" || true
	[ ! -s r.ndjson ]
}

@test "gh-aggregate interrupted twice stops reading and writes a partial receipt of what it read" {
	mkfifo in
	# the writer holds the FIFO open after the header: the stream never ends
	(head -n1 "$GH_ROOT/tests/fixtures/aggregate/stdout.ndjson"; exec sleep 30) > in &
	writer=$!
	in_group gh-aggregate in > r.json 2> agg.err &
	agg=$!
	# until it reads the FIFO with its SIGINT handler in place
	wait_until "[ \"\$(cat /proc/$agg/comm)\" = gh-aggregate ] && grep -q '^SigCgt:.*[2367abef]$' /proc/$agg/status"
	# and has read the header: its writer went on to sleep, and it waits
	# on the empty pipe (under load the interrupts could otherwise come
	# before the header, and the writer's head would then fail)
	wait_until "[ \"\$(cat /proc/$writer/comm)\" = sleep ] && [[ \"\$(cat /proc/$agg/wchan)\" == *pipe_read* ]]"
	kill -INT "$agg"
	wait_until "[ -s agg.err ]"
	kill -INT "$agg"
	status=0
	wait "$agg" || status=$?
	kill "$writer"
	[ "$status" -eq 0 ]
	[ "$(jq -c '[.completeness, .completeness_reasons, .outcome.error]' r.json)" = \
		'["partial",["stream ended without end record"],"stream ended without end record"]' ]
	[ "$(cat agg.err)" = "gh-aggregate: interrupt: reading the stream to its end (interrupt again to stop there)
gh-aggregate: interrupt: the receipt covers the stream read so far" ]
}

@test "gh-aggregate started with SIGINT ignored (a background job) keeps it ignored" {
	mkfifo in
	(head -n1 "$GH_ROOT/tests/fixtures/aggregate/stdout.ndjson"; exec sleep 30) > in &
	writer=$!
	(trap '' INT; exec gh-aggregate in > r.json 2> agg.err) &
	agg=$!
	wait_until "[ \"\$(cat /proc/$agg/comm)\" = gh-aggregate ] && ls -l /proc/$agg/fd | grep -q ' $PWD/in\$'"
	grep -q '^SigIgn:.*[2367abef]$' /proc/$agg/status
	kill -INT "$agg"
	# the header is in the pipe before its writer is gone
	wait_until "[ \"\$(cat /proc/$writer/comm)\" = sleep ]"
	kill "$writer"
	wait "$agg"
	[ "$(jq -r .completeness r.json)" = partial ]
	[ ! -s agg.err ]
}

# stopped PID: PID's state is T (stopped), at most 10 s.
stopped() {
	wait_until "[ \"\$(awk '{print \$3}' /proc/$1/stat 2>/dev/null)\" = T ]"
}

# gone PID: PID has exited (reaped or a zombie), at most 10 s.
gone() {
	wait_until "! [ -e /proc/$1 ] || [ \"\$(awk '{print \$3}' /proc/$1/stat 2>/dev/null)\" = Z ]"
}

@test "SIGTERM to gh-trace ends a command that stopped itself (SIGCONT follows it)" {
	# untraced (as nobody): forwarding does not depend on eBPF
	nobody_dir
	as_nobody gh-trace -o "$EV" -- sh -c 'kill -STOP $$; echo resumed' > out 2>/dev/null &
	gt=$!
	wait_until "[ -s '$EV' ]"
	cmd=$(head -n1 "$EV" | jq .pid)
	stopped "$cmd"
	kill -TERM "$gt"
	gone "$gt" || { kill -KILL "$cmd"; false; }
	status=0
	wait "$gt" || status=$?
	[ "$status" -eq 143 ]
	[ ! -s out ]
	check_stream
	[ "$(ev 'select(.type=="end") | [.status, .code, .signal]')" = "[143,null,15]" ]
}

@test "a stopped command does not act on SIGTERM until it is continued (why SIGCONT is sent)" {
	sh -c 'kill -STOP $$; echo resumed' > out &
	cmd=$!
	stopped "$cmd"
	kill -TERM "$cmd"
	sleep 0.2
	[ "$(awk '{print $3}' "/proc/$cmd/stat")" = T ]
	kill -CONT "$cmd"
	status=0
	wait "$cmd" || status=$?
	[ "$status" -eq 143 ]
	[ ! -s out ]
}

@test "SIGTERM reaches the command while gh-trace is blocked writing to a stopped reader" {
	# the reader stops before reading: the pipe fills and gh-trace blocks
	{ bash -c 'echo $$ > gt.pid; exec gh-trace -- sh -c "i=0; while [ \$i -lt 3000 ]; do : < /dev/null; i=\$((i+1)); done; echo \$\$ > cmd.pid; exec sleep 30"' |
		sh -c 'echo $$ > rd.pid; kill -STOP $$; exec cat > stream.ndjson'; } &
	pipeline=$!
	wait_until "[ -s cmd.pid ] && [ -s rd.pid ] && [ -s gt.pid ]"
	gt=$(cat gt.pid) cmd=$(cat cmd.pid) rd=$(cat rd.pid)
	wait_until "[[ \"\$(cat /proc/$gt/wchan)\" == *pipe_write ]]"
	kill -TERM "$gt"
	# the command ends while the reader is still stopped
	gone "$cmd" || { kill -KILL "$cmd"; kill -CONT "$rd"; false; }
	[ "$(awk '{print $3}' "/proc/$rd/stat")" = T ]
	kill -CONT "$rd"
	wait "$pipeline"
	EV=stream.ndjson
	check_stream
	[ "$(ev 'select(.type=="end") | [.status, .signal]')" = "[143,15]" ]
}

@test "-o F --stdout F, --stdout F --stderr F (also through a hard link) are refused, nothing runs" {
	echo keep > F
	run --separate-stderr gh-trace -o F --stdout F -- touch ran
	[ "$status" -eq 2 ]
	[ "$stderr" = "gh-trace: -o F and --stdout F are the same file" ]
	[ "$(cat F)" = keep ]
	run --separate-stderr gh-trace -o ev --stdout out --stderr ./out -- touch ran
	[ "$status" -eq 2 ]
	[ "$stderr" = "gh-trace: --stdout out and --stderr ./out are the same file" ]
	[ ! -e out ] && [ ! -e ev ]
	ln F hard
	run --separate-stderr gh-trace -o ev --stdout F --stderr hard -- touch ran
	[ "$status" -eq 2 ]
	[ "$stderr" = "gh-trace: --stdout F and --stderr hard are the same file" ]
	run --separate-stderr bash -c 'exec gh-trace --stdout F -- touch ran >> F'
	[ "$status" -eq 2 ]
	[ "$stderr" = "gh-trace: the event stream on standard output and --stdout F are the same file" ]
	[ "$(cat F)" = keep ]
	[ ! -e ran ]
}

@test "different files for -o, --stdout and --stderr are accepted (the twin of the refusals)" {
	nobody_dir
	run --separate-stderr as_nobody gh-trace -o F --stdout out --stderr err -- sh -c 'echo o; echo e >&2'
	[ "$status" -eq 0 ]
	[ "$(cat out)" = o ] && [ "$(cat err)" = e ]
	EV=F
	check_stream
}

@test "an -o file another run is writing is refused (a lock), and free again once it ends" {
	nobody_dir
	as_nobody gh-trace -o F -- sh -c 'touch started; exec sleep 30' 2>/dev/null &
	first=$!
	wait_for started
	run --separate-stderr gh-trace -o F -- touch ran
	[ "$status" -eq 2 ]
	[ "$stderr" = "gh-trace: F: another gh-trace run is writing to it" ]
	[ ! -e ran ]
	# the first run's stream is intact
	[ "$(head -n1 F | jq -r .type)" = header ]
	kill -TERM "$first"
	wait "$first" || true
	EV=F
	check_stream
	run --separate-stderr as_nobody gh-trace -o F -- true
	[ "$status" -eq 0 ]
}

@test "with its stdout closed and no -o, gh-trace refuses: the events never go into a capture file" {
	run --separate-stderr bash -c 'exec gh-trace --stdout cap -- echo hi >&-'
	[ "$status" -eq 125 ]
	[ "$stderr" = "gh-trace: standard output is closed: nowhere to write the events (use -o FILE)" ]
	[ ! -e cap ]
}

@test "with its stdout closed and -o, the events go to -o and the output to --stdout, never fd 1" {
	nobody_dir
	(as_nobody gh-trace -o "$EV" --stdout cap -- echo hi >&- 2>/dev/null)
	[ "$(cat cap)" = hi ]
	check_stream
	[ "$(ev 'select(.type=="end") | .stdout.bytes')" = 3 ]
}

@test "-u USER gives the command that user's HOME, USER, LOGNAME and SHELL" {
	run --separate-stderr env HOME=/h USER=u LOGNAME=l SHELL=/s gh-trace -o "$EV" -u nobody -- sh -c 'echo "$HOME $USER $LOGNAME $SHELL"'
	[ "$status" -eq 0 ]
	IFS=: read -r _ _ _ _ _ home shell < <(getent passwd nobody)
	[ "$output" = "$home nobody nobody $shell" ]
}

@test "without -u the environment is passed on as it is (the twin of -u)" {
	run --separate-stderr env HOME=/h USER=u LOGNAME=l SHELL=/s gh-trace -o "$EV" -- sh -c 'echo "$HOME $USER $LOGNAME $SHELL"'
	[ "$status" -eq 0 ]
	[ "$output" = "/h u l /s" ]
}

@test "a command not found on PATH: the end record says ENOENT and the receipt says command not found" {
	run -127 --separate-stderr gh-trace -o "$EV" -- no-such-command-here
	[ "$stderr" = "gh-trace: no-such-command-here: No such file or directory" ]
	check_stream
	[ "$(ev 'select(.type=="end") | [.status, .err]')" = '[127,"ENOENT"]' ]
	[ "$(gh-aggregate "$EV" | jq -c '[.outcome.error, .exit_code]')" = '["command not found: no-such-command-here",127]' ]
}

@test "a command that runs and exits 127 has no error (the twin of not found)" {
	run -127 gh-trace -o "$EV" -- sh -c 'exit 127'
	[ "$(ev 'select(.type=="end") | has("err")')" = false ]
	[ "$(gh-aggregate "$EV" | jq -c '[.outcome.error, .exit_code]')" = '[null,127]' ]
}

@test "processes[].cmd of a traced sh -c is quoted as a shell would write it" {
	gh-trace -o "$EV" -- sh -c 'cat /etc/passwd | wc -l' > /dev/null
	[ "$(gh-aggregate "$EV" | jq -r '.processes[] | select(.pid == '"$(head -n1 "$EV" | jq .pid)"') | .cmd')" = "sh -c 'cat /etc/passwd | wc -l'" ]
}

# capture_on_tmpfs SIZE: trace (untraced, as nobody) 200000 bytes of stdout
# captured into a tmpfs of SIZE; sets status, leaves r.json.
capture_on_tmpfs() {
	nobody_dir
	mkdir mnt
	mount -t tmpfs -o "size=$1,uid=65534,gid=65534" gh-trace-edges mnt
	status=0
	(as_nobody gh-trace -o "$EV" --stdout mnt/out -- head -c 200000 /dev/zero > /dev/null 2> err.txt) || status=$?
	size=$(stat -c %s mnt/out)
	umount mnt
	gh-aggregate "$EV" > r.json
}

@test "a disk that fills during --stdout capture: status 125, the receipt partial with the bytes really written" {
	capture_on_tmpfs 64k
	[ "$status" -eq 125 ]
	[ "$(cat err.txt | tail -n1)" = "gh-trace: mnt/out: write error: No space left on device" ]
	[ "$size" -lt 200000 ]
	[ "$(ev 'select(.type=="end") | .stdout | [.bytes, .err]')" = "[$size,\"ENOSPC\"]" ]
	[ "$(jq -c '[.completeness, .completeness_reasons[1], .artifacts.stdout.bytes]' r.json)" = \
		"[\"partial\",\"stdout capture incomplete: ENOSPC after $size bytes\",$size]" ]
}

@test "the same capture on a disk with room is complete (the twin of the full disk)" {
	capture_on_tmpfs 1m
	[ "$status" -eq 0 ]
	[ "$size" -eq 200000 ]
	[ "$(ev 'select(.type=="end") | .stdout | [.bytes, .err]')" = "[200000,null]" ]
	[ "$(jq -c '[(.completeness_reasons | length), .artifacts.stdout.bytes]' r.json)" = "[1,200000]" ]
}

@test "waiting for processes the command left running is said on stderr after a second (--wait=tree, the default)" {
	nobody_dir
	# what it left running ends only once the message is there: a sleep
	# of a fixed length could end first on a loaded machine
	(as_nobody gh-trace -o "$EV" -- sh -c 'sleep 30 & echo $! > bg.pid' 2> err.txt 3>&-) &
	gt=$!
	wait_until "grep -q 'has ended; waiting' err.txt" || { kill "$(cat bg.pid)"; false; }
	bg=$(cat bg.pid)
	kill "$bg"
	status=0
	wait "$gt" || status=$?
	[ "$status" -eq 0 ]
	[ "$(tail -n1 err.txt)" = "gh-trace: the command has ended; waiting for 1 process it left running: $bg (sleep) (--wait=command does not wait)" ]
	[ ! -e /proc/$bg ]
}

@test "--wait=command ends with the command, without a word; --wait=2 waits two seconds at most" {
	nobody_dir
	run --separate-stderr as_nobody gh-trace -o "$EV" --wait=command -- sh -c 'sleep 30 >/dev/null 2>&1 & echo $! > bg.pid'
	[ "$status" -eq 0 ]
	bg=$(cat bg.pid)
	[ -e /proc/$bg ]
	kill "$bg"
	[ "$(grep -c waiting <<<"$stderr")" -eq 0 ]
	check_stream
	# what it left running acts unrecorded: the receipt says so
	[ "$(tail -n1 "$EV" | jq -c .undecoded.left_running)" = 1 ]
	[ "$(gh-aggregate "$EV" | jq -c '[.completeness, (.completeness_reasons[] | select(startswith("left_running")))]')" = \
		'["partial","left_running: 1 processes still running when gh-trace stopped waiting (--wait); what they did after is not recorded"]' ]
	rm bg.pid
	# the message comes after a second of waiting: a second more, so that
	# a loaded machine does not reach the end of the wait before it
	run --separate-stderr as_nobody gh-trace -o "$EV" --wait=2 -- sh -c 'sleep 30 >/dev/null 2>&1 & echo $! > bg.pid'
	[ "$status" -eq 0 ]
	bg=$(cat bg.pid)
	[ -e /proc/$bg ]
	kill "$bg"
	[ "$(tail -n1 <<<"$stderr")" = "gh-trace: the command has ended; waiting for 1 process it left running: $bg (sleep) (--wait=command does not wait)" ]
	check_stream
	[ "$(gh-aggregate "$EV" | jq -r .completeness)" = partial ]
}

@test "--wait=command with nothing left running: the receipt stays closed (the twin)" {
	run --separate-stderr gh-trace -o "$EV" --wait=command -- sh -c 'true'
	[ "$status" -eq 0 ]
	[ "$(tail -n1 "$EV" | jq -c .undecoded.left_running)" = 0 ]
	[ "$(gh-aggregate "$EV" | jq -r .completeness)" = closed ]
}

@test "--wait refuses anything but tree, command or seconds" {
	for w in forever -1 1x '' inf; do
		run --separate-stderr gh-trace --wait="$w" -- touch ran
		[ "$status" -eq 2 ]
		[ "$stderr" = "gh-trace: --wait: '$w' is not tree, command or a number of seconds" ]
	done
	[ ! -e ran ]
}

@test "under a low open-files limit the error is the real one, never a kernel without a ring buffer" {
	failed=0
	# one limit after another where the load runs out: which descriptor
	# it runs out at decides the error libbpf returns (a map that needs
	# BTF, retried without it, fails with EINVAL). Below 10, the
	# sanitizers' leak check finds no descriptor left at exit.
	for n in 10 11 12 13 14 16 18 20 24 32; do
		status=0
		(ulimit -n "$n"; exec gh-trace -o "$EV" -- true) 2> err.txt || status=$?
		! grep -q 'ring buffer\|bpf_loop' err.txt
		if [ -s err.txt ]; then
			grep -q 'Too many open files' err.txt
			failed=$((failed + 1))
		fi
	done
	# the smallest limits do fail: the check above did run
	[ "$failed" -ge 1 ]
}

@test "records the ring buffer cannot give make gh-trace fail (125), never an end line as if all were read" {
	cc=$(command -v cc || command -v clang)
	"$cc" -shared -fPIC -O2 -o nomap.so "$TRACE_DIR/nomap.c"
	# the twin: the same command read whole
	run --separate-stderr gh-trace -o "$EV" -- sh -c 'echo hi > f'
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	grep -q '"raw":"f"' "$EV"
	# the data of the ring buffer cannot be mapped: nothing is read
	run --separate-stderr env LD_PRELOAD="$PWD/nomap.so" \
		ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
		gh-trace -o "$EV" -- sh -c 'echo hi > f'
	[ "$status" -eq 125 ]
	[ "$stderr" = "gh-trace: reading the ring buffer: Cannot allocate memory" ]
	! grep -q '"raw":"f"' "$EV"
}

@test "the programs' CO-RE relocations come out the same against gh-trace's minimal BTF as against the kernel's whole BTF" {
	cc=$(command -v cc || command -v clang)
	"$cc" -O2 -I"$GH_ROOT/lib" -o corecheck "$TRACE_DIR/corecheck.c" "$GH_ROOT/lib/btfmin.c" \
		-Wl,-Bstatic -lbpf -lelf -lz -Wl,-Bdynamic
	run --separate-stderr ./corecheck "$GH_OUT/trace.bpf.o"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" =~ ^([0-9]+)\ relocations\ of\ ([0-9]+)\ types,\ ([0-9]+)\ kernel\ types\ matched,\ ([0-9]+)\ types\ kept ]]
	[ "${BASH_REMATCH[1]}" -ge 100 ]
	[[ "${lines[1]}" =~ ^same:\ ([0-9]+)\ instructions\ patched$ ]]
	# every relocation patched an instruction the same way
	[ "${BASH_REMATCH[1]}" -ge 100 ]
	# the twin: one member's offset copied wrong shows
	run --separate-stderr ./corecheck "$GH_OUT/trace.bpf.o" shift
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "${lines[1]}" =~ ^differs:\ libbpf:\ prog\ \'[a-z_]+\':\ relo\ \#[0-9]+:\ patched\ insn ]]
}

@test "-v says what CO-RE relocated against when the programs are loaded, and nothing of it when they are kept" {
	mkdir bpf
	mount -t bpf bpf bpf
	export GH_TRACE_PIN_DIR=$PWD/bpf/glasshouse
	run --separate-stderr gh-trace -v -o "$EV" -- true
	kept=$stderr
	run --separate-stderr gh-trace -v -o "$EV" -- true
	second=$stderr
	gh-trace --unload
	umount bpf
	echo "$kept"
	[[ "$kept" =~ ^gh-trace:\ loaded\ the\ programs\ and\ kept\ them\ in\ $GH_TRACE_PIN_DIR/trace-[0-9a-f]+\;\ CO-RE:\ [0-9]+\ relocations\ against\ a\ minimal\ BTF\ \([0-9]+\ of\ the\ kernel\'s\ types\) ]]
	echo "$second"
	[[ "$second" =~ ^gh-trace:\ using\ the\ programs\ kept\ in\ $GH_TRACE_PIN_DIR/trace-[0-9a-f]+$'\n' ]]
	! [[ "$second" =~ CO-RE ]]
}

@test "where the minimal BTF cannot be handed to libbpf (no /proc), the programs are relocated against the kernel's whole BTF, and the run is traced" {
	need_mount_ns
	# the sanitizers' runtime needs /proc (the executable's name, threads)
	if grep -qa -e __asan_init -e __ubsan_handle "$GH_BIN/gh-trace"; then
		skip "the sanitizer build needs /proc"
	fi
	# the twin: with /proc, the minimal BTF
	run --separate-stderr gh-trace -v -o "$EV" -- cat /etc/hostname
	[ "$status" -eq 0 ]
	[[ "${stderr%%$'\n'*}" =~ ^gh-trace:\ loaded\ the\ programs\ for\ this\ run\;\ CO-RE:\ [0-9]+\ relocations\ against\ a\ minimal\ BTF ]]
	run --separate-stderr unshare -m sh -c 'mount -t tmpfs none /proc && exec gh-trace -v -o "$1" -- cat /etc/hostname' sh "$EV"
	echo "$stderr"
	[ "$status" -eq 0 ]
	[[ "${stderr%%$'\n'*}" =~ ^gh-trace:\ loaded\ the\ programs\ for\ this\ run\;\ CO-RE\ against\ the\ kernel\'s\ whole\ BTF\ \(no\ minimal\ BTF:\ /proc/self/fd/[0-9]+:\ No\ such\ file\ or\ directory\)$ ]]
	check_stream
	[ "$(ev 'select(.type=="open" and .path=="/etc/hostname") | .ret >= 0')" = true ]
}
