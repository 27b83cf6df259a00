#!/usr/bin/env bats
# Tracer faults, end to end through the real tracer (gh-trace, then
# gh-aggregate): the command killed by SIGKILL, gh-trace killed or
# signalled mid-run, the reader of the stream stopped or gone, a ring
# buffer too small for a burst, a thousand short-lived children, and
# gh-trace under sudo. Loss may happen, but never silently: the records
# in the stream plus those the end line counts as lost add up exactly to
# what the command did (tests/faults/*.c, linked statically, make a known
# number of records), and the receipt is partial when anything was lost.
# Counts only, no timing assertions; a wait is bounded only to never hang.

bats_require_minimum_version 1.5.0

# need_mount_ns: as in tests/trace/lib.bash
need_mount_ns() {
	local err
	err=$(unshare -m true 2>&1) ||
		skip "unshare -m cannot make a mount namespace here ($err); in a chroot, the root directory must be a mount point"
}

setup_file() {
	local cc
	cc=$(command -v cc || command -v clang)
	export FAULTS=$BATS_FILE_TMPDIR/bin
	mkdir -p "$FAULTS"
	"$cc" -static -O2 -o "$FAULTS/opens" "$GH_ROOT/tests/faults/opens.c"
	"$cc" -static -O2 -o "$FAULTS/forks" "$GH_ROOT/tests/faults/forks.c"
	# programs of each run's own, never programs that someone kept on
	# this machine (their loss counters are shared by concurrent runs)
	unset GH_TRACE_KEEP
	export GH_TRACE_PIN_DIR=$BATS_FILE_TMPDIR/no-kept-programs
}

setup() {
	unset SUDO_UID SUDO_GID SUDO_USER
	cd "$BATS_TEST_TMPDIR" || return 1
	EV=$BATS_TEST_TMPDIR/ev.ndjson
	R=$BATS_TEST_TMPDIR/receipt.json
}

teardown() {
	local pid start now
	# processes a test left running (it failed half-way), only if they
	# are still the processes it noted (same start time)
	[ -f "$BATS_TEST_TMPDIR/tracked" ] || return 0
	while read -r pid start; do
		now=$(cut -d' ' -f22 "/proc/$pid/stat" 2>/dev/null) || continue
		[ "$now" = "$start" ] && kill -9 "$pid" 2>/dev/null
	done < "$BATS_TEST_TMPDIR/tracked"
	return 0
}

# track PID: kill PID in teardown should the test end with it running.
track() {
	echo "$1 $(cut -d' ' -f22 "/proc/$1/stat")" >> "$BATS_TEST_TMPDIR/tracked"
}

# wait_for CMD...: run CMD until it succeeds (at most a minute, so that a
# broken tracer fails the test instead of hanging it).
wait_for() {
	local i=0

	until "$@" 2>/dev/null; do
		i=$((i + 1))
		if [ "$i" -ge 1200 ]; then
			echo "gave up waiting for: $*"
			return 1
		fi
		sleep 0.05
	done
}

# execd ARGV: $EV holds the successful exec of ARGV (compact JSON, as the
# stream writes it). The argv alone does not say the command runs: a
# shell's search along PATH first makes failed execs of the same argv
# ("ret":-2, bats puts its own directory first in PATH), and under load a
# test can see those before the exec that succeeds is in the stream.
execd() {
	grep -F "\"argv\":$1," "$EV" | grep -q '"ret":0[,}]'
}

# state PID: the process's state letter (R, S, T stopped, Z zombie...).
state() {
	sed 's/.*) \(.\).*/\1/' "/proc/$1/stat"
}

stopped() {
	[ "$(state "$1")" = T ]
}

# finished PID: PID has exited (a zombie not reaped yet, or gone).
finished() {
	[ ! -e "/proc/$1" ] || [ "$(state "$1")" = Z ]
}

# has_lines N: $EV has at least N complete lines.
has_lines() {
	[ "$(wc -l < "$EV")" -ge "$1" ]
}

# ev FILTER: the records of $EV that jq FILTER keeps, one compact line each.
ev() {
	jq -c "$1" "$EV"
}

# The stream is well formed: valid JSON lines, header first, end last,
# each exactly once, and the end line counts the records between them.
check_stream() {
	local lines
	lines=$(wc -l < "$EV")
	jq -r .type "$EV" > types
	[ "$(wc -l < types)" -eq "$lines" ]
	[ "$(head -n1 types)" = header ]
	[ "$(tail -n1 types)" = end ]
	[ "$(grep -cxE 'header|end' types)" -eq 2 ]
	[ "$(tail -n1 "$EV" | jq .events)" -eq $((lines - 2)) ]
}

# check_prefix: $EV is what a killed tracer left: a valid prefix of a
# stream. The header first, every complete line one JSON object, no end
# record; a last line without a newline is a fragment of a record.
check_prefix() {
	local complete
	complete=$(wc -l < "$EV")
	[ "$complete" -ge 1 ]
	head -n "$complete" "$EV" > whole.ndjson
	[ "$(jq -c . whole.ndjson | wc -l)" -eq "$complete" ]
	[ "$(jq -s 'all(.[]; type == "object")' whole.ndjson)" = true ]
	[ "$(head -n1 whole.ndjson | jq -r .type)" = header ]
	[ "$(jq -r 'select(.type == "header" or .type == "end") | .type' whole.ndjson)" = header ]
}

# The reasons gh-aggregate gives for a stream cut off by a killed tracer:
# its last line may be a fragment (when the kill came in the middle of a
# write), which is dropped and said so.
cut_reasons() {
	local complete
	complete=$(wc -l < "$EV")
	if [ "$(tail -c1 "$EV" | od -An -c | tr -d ' ')" = '\n' ]; then
		echo '["stream ended without end record"]'
	else
		echo "[\"stream cut off inside a record at line $((complete + 1))\",\"stream ended without end record\"]"
	fi
}

# check_accounting EXPECTED: nothing was lost silently. The records the
# stream holds plus those its end line counts lost (ring buffer full) are
# exactly the EXPECTED records the command made, but for program runs the
# kernel skipped (missed, recursion: each may or may not have been one of
# them); no record is damaged; the receipt is partial with the loss as its
# reasons, or closed when nothing was lost.
check_accounting() {
	local expected=$1 held lost missed
	check_stream
	held=$(($(wc -l < "$EV") - 2))
	lost=$(tail -n1 "$EV" | jq .lost.ringbuf)
	missed=$(tail -n1 "$EV" | jq .lost.missed)
	echo "stream: $held records held, $lost lost, $missed missed, $expected made"
	[ "$(tail -n1 "$EV" | jq -c '[.lost.fault, .lost.truncated]')" = '[0,0]' ]
	# nothing lost silently: every record made is held or counted
	[ "$expected" -le $((held + lost + missed)) ]
	# and the count is exact but for skipped runs; under heavy load (the
	# whole suite side by side) the ring buffer count has been seen to
	# exceed it by one, an over-count that makes no receipt look complete
	# (left open in gh-trace(1) BUGS); more than that fails
	[ $((held + lost)) -le $((expected + 1)) ]
	gh-aggregate "$EV" > "$R"
	[ "$(jq -c '[.syscalls.counts[]] | add' "$R")" -eq "$held" ]
	if [ "$missed" -gt 0 ]; then
		jq -e '.completeness == "partial"' "$R" > /dev/null
		jq -e --arg m "$missed program runs skipped by the kernel (recursion): records may be lost" \
			'.completeness_reasons | index($m)' "$R" > /dev/null
	elif [ "$lost" -gt 0 ]; then
		[ "$(jq -c '[.completeness, .completeness_reasons, .loss]' "$R")" = \
			"[\"partial\",[\"lost $lost records: ring buffer full\"],{\"fault\":0,\"ringbuf\":$lost,\"truncated\":0}]" ]
	else
		[ "$(jq -c '[.completeness, .completeness_reasons, .loss]' "$R")" = \
			'["closed",[],{"fault":0,"ringbuf":0,"truncated":0}]' ]
	fi
}

# check_opens DIR N: the open records for DIR/f0 .. DIR/f(N-1) are each of
# a distinct file, none repeated or invented.
check_opens() {
	local dir=$1 n=$2
	jq -r --arg d "$dir/" 'select(.type == "open" and (.path | startswith($d))) | .path' "$EV" > opened
	[ "$(sed "s|^$dir/f||" opened | awk -v n="$n" '$0 ~ /^[0-9]+$/ && $0 < n' | sort -u | wc -l)" -eq "$(wc -l < opened)" ]
	[ "$(wc -l < opened)" -le "$n" ]
}

# stopped_reader_run WHO GH-TRACE-ARGS...: run gh-trace ARGS (a command
# started with -g) with its stream on a pipe. With WHO "reader", the
# pipe's reader stops itself (SIGSTOP) before reading anything; with
# "tracer", gh-trace itself is stopped once the command is started. The
# command's burst starts only then, and WHO is resumed (SIGCONT) only once
# the command has finished: the burst met a full pipe, or nobody reading
# the ring buffer. Sets status to gh-trace's; $EV holds the whole stream.
stopped_reader_run() {
	local who=$1 reader gt cmd
	shift
	mkfifo ev.pipe
	sh -c '[ "$1" = tracer ] || kill -STOP $$; exec cat > "$2"' \
		sh "$who" "$EV" < ev.pipe 3>&- &
	reader=$!
	track "$reader"
	{
		wait_for test -s gh-trace.pid
		if [ "$who" = tracer ]; then
			# the command is started, waiting for the go
			wait_for test -s cmd.out
			kill -STOP "$(cat gh-trace.pid)"
			wait_for stopped "$(cat gh-trace.pid)"
		else
			wait_for stopped "$reader"
		fi
		echo go
	} 3>&- | gh-trace "$@" > ev.pipe 2> cmd.out 3>&- &
	gt=$!
	echo "$gt" > gh-trace.pid
	track "$gt"
	wait_for test -s cmd.out
	cmd=$(head -n1 cmd.out)
	wait_for finished "$cmd"
	if [ "$who" = tracer ]; then
		stopped "$gt"
		kill -CONT "$gt"
	else
		stopped "$reader"
		kill -CONT "$reader"
	fi
	status=0
	wait "$gt" || status=$?
	wait "$reader"
}

# --- the command killed by SIGKILL ---------------------------------------

@test "the command SIGKILLed from outside: exit 137, a finished stream, a closed receipt with signal 9" {
	gh-trace -o "$EV" -- sh -c "(sleep 0.3; echo late > $BATS_TEST_TMPDIR/late) & exec sleep 30" 3>&- &
	gt=$!
	track "$gt"
	wait_for execd '["sleep","30"]'
	cmd=$(head -n1 "$EV" | jq .pid)
	kill -9 "$cmd"
	status=0
	wait "$gt" || status=$?
	[ "$status" -eq 137 ]
	check_stream
	[ "$(ev 'select(.type=="end") | [.status, .code, .signal]')" = '[137,null,9]' ]
	[ "$(ev "select(.type==\"exit\" and .pid==$cmd) | [.code, .signal, .core]")" = '[null,9,false]' ]
	# its orphan was followed to its end, then the stream was finished
	[ "$(ev "select(.type==\"open\" and .path==\"$BATS_TEST_TMPDIR/late\") | .ret >= 0")" = true ]
	gh-aggregate "$EV" > "$R"
	[ "$(jq -c '[.completeness, .outcome, .exit_code]' "$R")" = \
		'["closed",{"error":null,"exit_code":null,"signal":9},137]' ]
	[ "$(jq -c "[.process_tree[] | [.pid == $cmd, .exit_code, .signal, .end_ms != null]]" "$R")" = \
		'[[true,null,9,true],[false,0,null,true],[false,0,null,true]]' ]
}

@test "the command SIGKILLed by its own child: exit 137, signal 9 in the stream and the receipt" {
	run --separate-stderr gh-trace -o "$EV" -- sh -c 'sh -c "kill -9 \$PPID"; echo survived >&2'
	[ "$status" -eq 137 ]
	[ -z "$stderr" ]
	check_stream
	[ "$(ev 'select(.type=="end") | [.status, .code, .signal]')" = '[137,null,9]' ]
	gh-aggregate "$EV" > "$R"
	[ "$(jq -c '[.completeness, .outcome, .exit_code]' "$R")" = \
		'["closed",{"error":null,"exit_code":null,"signal":9},137]' ]
	[ "$(jq -c '[.process_tree[] | [.exit_code, .signal]]' "$R")" = '[[null,9],[0,null]]' ]
}

@test "exit status 137 without a signal is not taken for a SIGKILL" {
	run gh-trace -o "$EV" -- sh -c 'exit 137'
	[ "$status" -eq 137 ]
	check_stream
	[ "$(ev 'select(.type=="end") | [.status, .code, .signal]')" = '[137,137,null]' ]
	gh-aggregate "$EV" > "$R"
	[ "$(jq -c '[.completeness, .outcome, .exit_code, [.process_tree[] | [.exit_code, .signal]]]' "$R")" = \
		'["closed",{"error":null,"exit_code":137,"signal":null},137,[[137,null]]]' ]
}

# --- gh-trace killed or signalled mid-run --------------------------------

@test "gh-trace SIGKILLed mid-run leaves a valid prefix, and gh-aggregate says partial" {
	gh-trace -o "$EV" -- sh -c 'echo $$ > cmd.pid; while :; do cat /etc/hostname; done' > /dev/null 2>&1 3>&- &
	gt=$!
	track "$gt"
	wait_for test -s cmd.pid
	track "$(cat cmd.pid)"
	# well into the run: records are streaming
	wait_for has_lines 100
	kill -9 "$gt"
	status=0
	wait "$gt" || status=$?
	[ "$status" -eq 137 ]
	kill -9 "$(cat cmd.pid)"
	check_prefix
	run --separate-stderr gh-aggregate "$EV"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	printf '%s\n' "$output" > "$R"
	[ "$(jq -c '[.completeness, .completeness_reasons]' "$R")" = "[\"partial\",$(cut_reasons)]" ]
	[ "$(jq -c '[.outcome, .exit_code, .end_time, .loss, .timing.cpu_time_ms]' "$R")" = \
		'[{"error":"stream ended without end record","exit_code":null,"signal":null},null,null,{"fault":null,"ringbuf":null,"truncated":null},null]' ]
	# the receipt holds what the prefix holds
	[ "$(jq '.syscalls.counts.open' "$R")" -eq "$(jq -r 'select(.type=="open") | .type' whole.ndjson | wc -l)" ]
	[ "$(jq -c '.process_tree[0] | [.pid, .exe, .end_ms]' "$R")" = \
		"[$(cat cmd.pid),\"$(readlink -f /bin/sh)\",null]" ]
}

@test "a stream cut inside a record is partial, the fragment dropped at its line" {
	gh-trace -o full.ndjson -- "$FAULTS/opens" "$BATS_TEST_TMPDIR" 50
	# cut 20 bytes into the 30th line: what a kill in the middle of a write leaves
	head -c $(($(head -n 29 full.ndjson | wc -c) + 20)) full.ndjson > "$EV"
	check_prefix
	run --separate-stderr gh-aggregate "$EV"
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" > "$R"
	[ "$(jq -c '[.completeness, .completeness_reasons, .outcome.error]' "$R")" = \
		'["partial",["stream cut off inside a record at line 30","stream ended without end record"],"stream ended without end record"]' ]
	[ "$(jq -c '.syscalls.counts' "$R")" = '{"exec":1,"open":27}' ]
	# failing case: the whole stream is closed
	gh-aggregate full.ndjson > "$R"
	[ "$(jq -c '[.completeness, .completeness_reasons, .syscalls.counts]' "$R")" = \
		'["closed",[],{"exec":1,"exit":1,"open":50}]' ]
}

@test "gh-trace SIGKILLed in a pipeline: gh-aggregate still ends, with a partial receipt" {
	mkfifo ev.pipe
	tee "$EV" < ev.pipe 3>&- | timeout 60 gh-aggregate > "$R" 3>&- &
	agg=$!
	gh-trace -- sh -c 'echo $$ > cmd.pid; exec sleep 30' > ev.pipe 2>/dev/null 3>&- &
	gt=$!
	track "$gt"
	wait_for execd '["sleep","30"]'
	track "$(cat cmd.pid)"
	kill -9 "$gt"
	status=0
	wait "$gt" || status=$?
	[ "$status" -eq 137 ]
	# the command outlives its tracer, but does not hold the stream open
	status=0
	wait "$agg" || status=$?
	[ "$status" -eq 0 ]
	kill -9 "$(cat cmd.pid)"
	[ "$(jq -c '[.completeness, .completeness_reasons, .outcome]' "$R")" = \
		'["partial",["stream ended without end record"],{"error":"stream ended without end record","exit_code":null,"signal":null}]' ]
	# what the tree holds and what the stream had, shown when the test fails
	jq -c '.process_tree[]' "$R"
	grep -v '"type":"\(open\|mmap\|read\)"' "$EV" | cut -c1-300
	[ "$(jq -c '.process_tree[] | [.pid, .exe, .argv, .end_ms]' "$R")" = \
		"[$(cat cmd.pid),\"$(readlink -f "$(command -v sleep)")\",[\"sleep\",\"30\"],null]" ]
}

@test "SIGTERM to gh-trace in a pipeline: the command dies of it, the receipt is closed" {
	mkfifo ev.pipe
	tee "$EV" < ev.pipe 3>&- | timeout 60 gh-aggregate > "$R" 3>&- &
	agg=$!
	gh-trace -- sleep 30 > ev.pipe 2>/dev/null 3>&- &
	gt=$!
	track "$gt"
	wait_for execd '["sleep","30"]'
	kill -TERM "$gt"
	status=0
	wait "$gt" || status=$?
	[ "$status" -eq 143 ]
	wait "$agg"
	check_stream
	[ "$(ev 'select(.type=="end") | [.status, .code, .signal]')" = '[143,null,15]' ]
	[ "$(jq -c '[.completeness, .outcome, .exit_code, [.process_tree[] | [.exit_code, .signal]]]' "$R")" = \
		'["closed",{"error":null,"exit_code":null,"signal":15},143,[[null,15]]]' ]
}

@test "SIGTERM to gh-trace: a command that handles it exits its own way, the stream is finished" {
	gh-trace -o "$EV" -- sh -c 'trap "exit 5" TERM; : > ready; while :; do sleep 0.05; done' 3>&- &
	gt=$!
	track "$gt"
	wait_for test -e ready
	kill -TERM "$gt"
	status=0
	wait "$gt" || status=$?
	[ "$status" -eq 5 ]
	check_stream
	[ "$(ev 'select(.type=="end") | [.status, .code, .signal]')" = '[5,5,null]' ]
	gh-aggregate "$EV" > "$R"
	[ "$(jq -c '[.completeness, .outcome, .exit_code, .process_tree[0].exit_code]' "$R")" = \
		'["closed",{"error":null,"exit_code":5,"signal":null},5,5]' ]
}

@test "SIGTERM to gh-trace after the command ended reaches the rest of the tree" {
	gh-trace -o "$EV" -- sh -c 'sleep 30 & echo $! > orphan.pid' 3>&- &
	gt=$!
	track "$gt"
	wait_for test -s orphan.pid
	orphan=$(cat orphan.pid)
	track "$orphan"
	cmd=$(head -n1 "$EV" | jq .pid)
	# the command is gone and reaped: gh-trace waits for its orphan
	wait_for test ! -e "/proc/$cmd"
	kill -TERM "$gt"
	status=0
	wait "$gt" || status=$?
	[ "$status" -eq 0 ]
	check_stream
	[ "$(ev 'select(.type=="end") | [.status, .code, .signal]')" = '[0,0,null]' ]
	gh-aggregate "$EV" > "$R"
	[ "$(jq -c '[.completeness, .outcome]' "$R")" = '["closed",{"error":null,"exit_code":0,"signal":null}]' ]
	[ "$(jq -c '[.process_tree[] | [.pid, .exit_code, .signal]]' "$R")" = "[[$cmd,0,null],[$orphan,null,15]]" ]
}

@test "in a PID namespace, SIGTERM after the command ended reaches the rest of the tree by the ids seen there" {
	need_mount_ns
	# gh-trace is process 1 of a namespace of its own, as in a container
	unshare --pid --fork --mount-proc gh-trace -o "$EV" -- \
		sh -c 'sleep 30 & echo $! > orphan.pid' 3>&- &
	u=$!
	track "$u"
	wait_for test -s orphan.pid
	[ "$(cat orphan.pid)" = 3 ]
	gt=$(pgrep -P "$u")
	track "$gt"
	# the command is gone: only its orphan is left under gh-trace
	wait_for test "$(pgrep -P "$gt" | wc -l)" = 1
	wait_for pgrep -P "$gt" -x sleep
	kill -TERM "$gt"
	status=0
	wait "$u" || status=$?
	[ "$status" -eq 0 ]
	check_stream
	gh-aggregate "$EV" > "$R"
	[ "$(jq -c '[.completeness, (.process_tree[] | [.pid, .ppid, .exit_code, .signal])]' "$R")" = \
		'["closed",[2,1,0,null],[3,2,null,15]]' ]
}

# --- the reader of the stream stopped, slow or gone ----------------------

@test "a stopped reader with a 64 KiB ring buffer: the loss is counted, exactly, and the receipt is partial" {
	mkdir d
	stopped_reader_run reader --ringbuf-size 65536 -- "$FAULTS/opens" -g "$BATS_TEST_TMPDIR/d" 20000
	[ "$status" -eq 0 ]
	# the exec, 20000 opens and the exit
	check_accounting 20002
	[ "$(tail -n1 "$EV" | jq .lost.ringbuf)" -gt 0 ]
	check_opens "$BATS_TEST_TMPDIR/d" 20000
}

@test "a stopped reader with the default ring buffer: nothing is lost, or the loss is counted" {
	mkdir d
	stopped_reader_run reader -- "$FAULTS/opens" -g "$BATS_TEST_TMPDIR/d" 20000
	[ "$status" -eq 0 ]
	check_accounting 20002
	check_opens "$BATS_TEST_TMPDIR/d" 20000
}

@test "gh-trace itself stopped during a burst: the loss is counted, exactly" {
	mkdir d
	stopped_reader_run tracer --ringbuf-size 65536 -- "$FAULTS/opens" -g "$BATS_TEST_TMPDIR/d" 20000
	[ "$status" -eq 0 ]
	check_accounting 20002
	[ "$(tail -n1 "$EV" | jq .lost.ringbuf)" -gt 0 ]
	check_opens "$BATS_TEST_TMPDIR/d" 20000
}

@test "a reader that goes away: gh-trace exits 125 with a write error, not silently" {
	mkdir d
	gh-trace -- "$FAULTS/opens" "$BATS_TEST_TMPDIR/d" 5000 2> err | head -c 100 > head.out
	status=${PIPESTATUS[0]}
	[ "$status" -eq 125 ]
	[ "$(cat err)" = "gh-trace: write error: Broken pipe" ]
	[ "$(head -c 23 head.out)" = '{"type":"header","t":0,' ]
}

# --- a ring buffer too small for a burst ---------------------------------

@test "a burst of 50,000 opens into the smallest ring buffer: loss counted exactly, receipt partial" {
	mkdir d
	# on one CPU, so that the reader cannot keep up by running beside the
	# burst (on two CPUs it sometimes does, and nothing is lost)
	run --separate-stderr taskset -c 0 gh-trace -o "$EV" --ringbuf-size 4096 -- "$FAULTS/opens" "$BATS_TEST_TMPDIR/d" 50000
	[ "$status" -eq 0 ]
	[ "$(ev 'select(.type=="header") | .limits.ringbuf_bytes')" = 4096 ]
	# the exec, 50000 opens and the exit
	check_accounting 50002
	[ "$(tail -n1 "$EV" | jq .lost.ringbuf)" -gt 0 ]
	check_opens "$BATS_TEST_TMPDIR/d" 50000
	[ "$(jq .filesystem.failed "$R")" -eq "$(ev 'select(.type=="open")' | wc -l)" ]
}

@test "a burst that fits the ring buffer loses nothing: 2,000 opens, a closed receipt" {
	mkdir d
	run --separate-stderr gh-trace -o "$EV" -- "$FAULTS/opens" "$BATS_TEST_TMPDIR/d" 2000 create
	[ "$status" -eq 0 ]
	check_accounting 2002
	[ "$(tail -n1 "$EV" | jq -c '[.events, .lost]')" = '[2002,{"ringbuf":0,"fault":0,"truncated":0,"missed":0}]' ]
	check_opens "$BATS_TEST_TMPDIR/d" 2000
	[ "$(jq -r '.filesystem.writes[]' "$R" | grep -c "^$BATS_TEST_TMPDIR/d/f")" -eq 2000 ]
}

# --- a thousand short-lived children -------------------------------------

@test "1,000 short-lived children: all 1,001 processes in the receipt" {
	run --separate-stderr gh-trace -o "$EV" -- "$FAULTS/forks" 1000 7
	[ "$status" -eq 0 ]
	# the exec, 1000 forks, 1001 exits: none lost
	check_accounting 2002
	[ "$(tail -n1 "$EV" | jq .lost.ringbuf)" -eq 0 ]
	cmd=$(head -n1 "$EV" | jq .pid)
	[ "$(jq -c '[.completeness, (.process_tree | length), .syscalls.counts]' "$R")" = \
		'["closed",1001,{"exec":1,"exit":1001,"fork":1000}]' ]
	[ "$(jq -c "[.process_tree[] | select(.pid != $cmd) | [.ppid, .exit_code, .signal, .end_ms != null]] | unique" "$R")" = \
		"[[$cmd,7,null,true]]" ]
	[ "$(jq -c "[.process_tree[] | select(.pid != $cmd)] | map(.pid) | unique | length" "$R")" -eq 1000 ]
	[ "$(jq -c ".process_tree[] | select(.pid == $cmd) | [.exit_code, .signal]" "$R")" = '[0,null]' ]
}

@test "1,000 children through a 4 KiB ring buffer and a stopped reader: the loss is counted, exactly" {
	stopped_reader_run reader --ringbuf-size 4096 -- "$FAULTS/forks" -g 1000 7
	[ "$status" -eq 0 ]
	check_accounting 2002
	[ "$(tail -n1 "$EV" | jq .lost.ringbuf)" -gt 0 ]
	# every process the stream shows, and no other, is in the tree
	[ "$(jq '.process_tree | length' "$R")" -eq "$(ev '.pid' | sort -u | wc -l)" ]
	[ "$(jq '.process_tree | length' "$R")" -lt 1001 ]
}

@test "a shell starting 1,000 background /bin/true: every process accounted for" {
	run --separate-stderr gh-trace -o "$EV" -- sh -c 'for i in $(seq 1000); do /bin/true & done; wait'
	[ "$status" -eq 0 ]
	check_stream
	[ "$(tail -n1 "$EV" | jq -c .lost)" = '{"ringbuf":0,"fault":0,"truncated":0,"missed":0}' ]
	gh-aggregate "$EV" > "$R"
	[ "$(jq -r .completeness "$R")" = closed ]
	forks=$(jq .syscalls.counts.fork "$R")
	[ "$(jq '.process_tree | length' "$R")" -eq $((forks + 1)) ]
	[ "$(jq .syscalls.counts.exit "$R")" -eq $((forks + 1)) ]
	[ "$(jq --arg t "$(readlink -f /bin/true)" '[.process_tree[] | select(.exe == $t)] | length' "$R")" -eq 1000 ]
	[ "$(jq -c '[.process_tree[] | [.exit_code, .signal, .end_ms != null]] | unique' "$R")" = '[[0,null,true]]' ]
}

# --- under sudo ----------------------------------------------------------

@test "under sudo the command and its children run as the invoking user, without root's groups or capabilities" {
	chmod 755 "$BATS_TEST_TMPDIR"
	mkdir w
	chmod 777 w
	run --separate-stderr env SUDO_UID=65534 SUDO_GID=65534 SUDO_USER=nobody gh-trace -o "$EV" -- \
		sh -c 'grep -E "^(Uid|Gid|CapPrm|CapEff|CapAmb):" /proc/self/status; sh -c "id -G"; touch w/owned'
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'Uid:\t65534\t65534\t65534\t65534\nGid:\t65534\t65534\t65534\t65534\nCapPrm:\t0000000000000000\nCapEff:\t0000000000000000\nCapAmb:\t0000000000000000\n65534')" ]
	[ "$(stat -c %u:%g w/owned)" = 65534:65534 ]
	[ "$(ev 'select(.type=="header") | [.uid, .gid, .run_uid, .run_gid]')" = '[0,0,65534,65534]' ]
	[ "$(ev 'select(.type=="exec") | [.uid, .gid]' | sort -u)" = '[65534,65534]' ]
	# failing case: without sudo's variables, root's command runs as root
	run --separate-stderr gh-trace -o "$EV" -- grep -E '^Uid:' /proc/self/status
	[ "$output" = "$(printf 'Uid:\t0\t0\t0\t0')" ]
}

@test "under sudo, -u root runs the command as root: asked for" {
	run --separate-stderr env SUDO_UID=65534 SUDO_GID=65534 gh-trace -o "$EV" -u root -- grep -E '^(Uid|Gid):' /proc/self/status
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0')" ]
	[ "$(ev 'select(.type=="header") | [.run_uid, .run_gid]')" = '[0,0]' ]
}

@test "under sudo, a uid without a passwd entry gets only its own group" {
	run --separate-stderr env SUDO_UID=4242 SUDO_GID=4343 gh-trace -o "$EV" -- sh -c 'grep -E "^(Uid|Gid):" /proc/self/status; id -G'
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'Uid:\t4242\t4242\t4242\t4242\nGid:\t4343\t4343\t4343\t4343\n4343')" ]
}

@test "a malformed SUDO_UID is refused and nothing runs" {
	for bad in abc -1 12x; do
		run --separate-stderr env SUDO_UID="$bad" gh-trace -o "$EV" -- touch ran
		[ "$status" -eq 125 ]
		[ "$stderr" = "gh-trace: bad SUDO_UID '$bad'" ]
		[ ! -e ran ]
	done
}

@test "an out-of-range SUDO_UID is refused, never wrapped around to root" {
	run --separate-stderr env SUDO_UID=4294967296 gh-trace -o "$EV" -- sh -c 'id -u > ran'
	[ "$status" -eq 125 ]
	[ "$stderr" = "gh-trace: bad SUDO_UID '4294967296'" ]
	[ ! -e ran ]
}

@test "a malformed SUDO_GID is refused, never read as group 0" {
	run --separate-stderr env SUDO_UID=65534 SUDO_GID=abc gh-trace -o "$EV" -- sh -c 'id -g > ran'
	[ "$status" -eq 125 ]
	[ "$stderr" = "gh-trace: bad SUDO_GID 'abc'" ]
	[ ! -e ran ]
}

@test "an out-of-range -u uid is an unknown user, never root" {
	run --separate-stderr gh-trace -o "$EV" -u 4294967296 -- sh -c 'id -u > ran'
	[ "$status" -eq 125 ]
	[ "$stderr" = "gh-trace: unknown user '4294967296'" ]
	[ ! -e ran ]
}

@test "through the real sudo the command runs as the invoking user" {
	command -v sudo >/dev/null || skip "sudo is not installed"
	chmod 755 "$BATS_TEST_TMPDIR"
	setpriv --reuid=65534 --regid=65534 --clear-groups sudo -n true 2>/dev/null ||
		skip "user nobody may not use sudo here"
	run --separate-stderr setpriv --reuid=65534 --regid=65534 --clear-groups \
		sudo -n "$GH_BIN/gh-trace" -o "$EV" -- id -u
	[ "$status" -eq 0 ]
	[ "$output" = 65534 ]
	[ "$(ev 'select(.type=="header") | [.uid, .run_uid]')" = '[0,65534]' ]
}

@test "a symbolic link planted where gh-trace writes is refused, the target untouched" {
	echo keep > "$BATS_TEST_TMPDIR/victim"
	ln -s "$BATS_TEST_TMPDIR/victim" "$BATS_TEST_TMPDIR/planted"
	for opt in -o --stdout --stderr; do
		run --separate-stderr gh-trace $opt "$BATS_TEST_TMPDIR/planted" -- true
		[ "$status" -eq 125 ]
		[ "$stderr" = "gh-trace: $BATS_TEST_TMPDIR/planted: refusing to write through a symbolic link" ]
		[ "$(cat "$BATS_TEST_TMPDIR/victim")" = keep ]
	done
}

@test "a link to a pipe or device, such as /dev/stdout, is still written" {
	run --separate-stderr gh-trace -o /dev/stdout -- true
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "$output" | head -n 1 | jq -r .type)" = header ]
	[ "$(printf '%s\n' "$output" | tail -n 1 | jq -r .type)" = end ]
}
