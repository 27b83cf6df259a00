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

# in_group CMD...: start CMD in a session and process group of its own,
# with SIGINT at its default (not ignored, as for a shell's background
# job), as a terminal's foreground job; its pid is the group id.
in_group() {
	exec "$PY" -c 'import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_DFL)
os.setsid()
os.execvp(sys.argv[1], sys.argv[1:])' "$@"
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

@test "a ^C to the whole pipeline: gh-aggregate survives and writes the full receipt" {
	in_group bash -c 'gh-trace -- sh -c "touch ready; exec sleep 30" | gh-aggregate > r.json 2> agg.err' &
	pg=$!
	wait_for ready
	sleep 0.1
	kill -INT -- -"$pg"
	status=0
	wait "$pg" || status=$?
	[ "$(jq -c '[.completeness, .completeness_reasons, .exit_code, .outcome.signal, .outcome.error]' r.json)" = \
		'["closed",[],130,2,null]' ]
	[ "$(jq -r '.processes[0].cmd' r.json)" = "sleep 30" ]
	[ "$(cat agg.err)" = "gh-aggregate: interrupt: reading the stream to its end (interrupt again to stop there)" ]
}

@test "the same ^C reaches the reader: one that writes at the end (sort) dies and leaves nothing" {
	in_group bash -c 'gh-trace -- sh -c "touch ready; exec sleep 30" | sort > r.ndjson' &
	pg=$!
	wait_for ready
	sleep 0.1
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
	wait_until "[ -e /proc/$agg/fd/3 ] && grep -q '^SigCgt:.*[2367abef]$' /proc/$agg/status"
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
	wait_until "[ -e /proc/$agg/fd/3 ]"
	grep -q '^SigIgn:.*[2367abef]$' /proc/$agg/status
	kill -INT "$agg"
	kill "$writer"
	wait "$agg"
	[ "$(jq -r .completeness r.json)" = partial ]
	[ ! -s agg.err ]
}
