#!/usr/bin/env bats
# Resource faults, round 2, for every program: a full disk (a 64 KiB tmpfs
# mounted here), low open-files and address-space limits, standard
# descriptors closed, a reader that goes away, and stale state in
# gh-trace's pin directory (pins of another load, a missing pin, a
# directory that is not on bpffs, a lock held by another process, a
# lingerer that still holds a copy of the last run's outputs). Each
# program must fail with a message and its documented status, never
# crash, never exit 0 with a cut output, never run with programs that
# are not the ones it registers its run with. Programs are kept in a bpf
# filesystem of this file's own (tests/trace/lib.bash: kept_setup).

bats_require_minimum_version 1.5.0
load trace/lib

setup_file() {
	local d
	trace_setup_file
	kept_setup
	export GH_TRACE_LINGER=0
	PIN=$GH_TRACE_PIN_DIR
	KEPT=$(cd "$PIN" && echo trace-*)
	export PIN KEPT
	export STREAM=$GH_ROOT/tests/fixtures/aggregate/cut.ndjson
	export RCPT=$GH_ROOT/tests/fixtures/aggregate/cut.json
	export RCPT2=$GH_ROOT/tests/fixtures/aggregate/core.json
	export RULES=$GH_ROOT/policies/agent.rules
	export SMALL=$BATS_FILE_TMPDIR/small
	mkdir -p "$SMALL"
	mount -t tmpfs -o size=64k tmpfs "$SMALL"
	export DB=$BATS_FILE_TMPDIR/archive.db
	gh-archive "$DB" "$RCPT"
	# a receipt of 2,000 reads, each a violation of $DENY: a verdict
	# large enough for an address-space limit to fall inside it
	d=$BATS_FILE_TMPDIR/many
	mkdir -p "$d"
	(cd "$d" && for i in $(seq 2000); do : > "f$i"; done)
	export MANY=$BATS_FILE_TMPDIR/many.json DENY=$BATS_FILE_TMPDIR/deny.rules
	gh-trace -o "$BATS_FILE_TMPDIR/many.ndjson" -- sh -c 'cat "$1"/f* > /dev/null' sh "$d"
	gh-aggregate "$BATS_FILE_TMPDIR/many.ndjson" > "$MANY"
	printf 'deny read %s/**\n' "$d" > "$DENY"
}

teardown_file() {
	[ -z "${KEPT_FS:-}" ] || GH_TRACE_PIN_DIR=$KEPT_FS/other gh-trace --unload
	kept_teardown
	umount "$SMALL"
}

setup() {
	trace_setup
	gh-trace --keep
}

teardown() {
	[ -z "${holder:-}" ] || kill "$holder" 2>/dev/null || true
	[ -z "${MID:-}" ] || umount "$MID" 2>/dev/null || true
	return 0
}

# wait_until CMD...: run CMD until it succeeds, at most 10 s (a broken
# program fails the test instead of hanging it).
wait_until() {
	local i=0
	until "$@"; do
		i=$((i + 1))
		[ "$i" -lt 1000 ] || { echo "gave up waiting for: $*"; return 1; }
		sleep 0.01
	done
}

# filters: every filter as "NAME ARGS...", one a line, each reading a
# real receipt (gh-aggregate: a real stream).
filters() {
	cat <<-EOF
	gh-aggregate $STREAM
	gh-redact $RCPT
	gh-sign -H $RCPT
	gh-policy -a $RULES $RCPT
	gh-policy $RULES $RCPT
	gh-train $RCPT
	gh-show $RCPT
	gh-show --html $RCPT
	gh-diff $RCPT $RCPT2
	gh-archive --export-all $DB
	EOF
}

# fill_small: the small tmpfs holds nothing but a file that fills it.
fill_small() {
	rm -f "$SMALL"/*
	dd if=/dev/zero of="$SMALL/filler" bs=4k 2>/dev/null || true
	[ "$(df --output=avail "$SMALL" | tail -n1 | tr -d ' ')" -eq 0 ]
}

# reference NAME ARGS...: the status and output of an unlimited run, in
# ref.status and ref.out.
reference() {
	local rc=0
	"$@" > ref.out 2> ref.err || rc=$?
	echo "$rc" > ref.status
	[ "$rc" -le 1 ]
}

# limited_ok WHAT NAME: the run that just wrote got.out, got.err and $rc
# under a limit either did what the unlimited run did (same status, same
# bytes), or failed with status 2, a "NAME: ..." message and nothing on
# stdout (or was not started at all by the dynamic loader); never a
# crash or anything else.
limited_ok() {
	local what=$1 name=$2
	if [ "$rc" -eq "$(cat ref.status)" ] && cmp -s got.out ref.out; then
		return 0
	fi
	if [ "$rc" -eq 2 ] && [ ! -s got.out ] && grep -q "^$name: " got.err; then
		echo "$what: $name: $(head -n1 got.err)" >> failed.list
		return 0
	fi
	# the dynamic loader could not map or open a library: the program
	# never ran
	if [ "$rc" -eq 127 ] && [ ! -s got.out ] &&
		grep -q "^[^ ]*$name: error while loading shared libraries: " got.err; then
		echo "$what: $name: not started (ld.so)" >> failed.list
		return 0
	fi
	echo "$what: $name exited $rc, $(wc -c < got.out) bytes out: $(head -c 300 got.err)"
	return 1
}

# --- a full disk ------------------------------------------------------

@test "a full disk: every filter exits 2 with a write error, its output empty, never 0" {
	local name args rc
	fill_small
	while read -r name args; do
		rc=0
		# shellcheck disable=SC2086
		$name $args > "$SMALL/out" 2> err || rc=$?
		echo "$name: $rc $(cat err)"
		[ "$rc" -eq 2 ]
		[ "$(cat err)" = "$name: write error: No space left on device" ]
		[ ! -s "$SMALL/out" ]
	done < <(filters)
}

@test "the same filters with room on the disk: their whole output (the twin)" {
	local name args rc
	rm -f "$SMALL"/*
	while read -r name args; do
		rc=0
		# shellcheck disable=SC2086
		$name $args > "$SMALL/out" 2> err || rc=$?
		[ "$rc" -le 1 ]
		[ ! -s err ]
		# shellcheck disable=SC2086
		$name $args | cmp - "$SMALL/out"
	done < <(filters)
}

@test "a full disk under gh-trace -o: exit 125, and the stream left is one gh-aggregate calls partial" {
	fill_small
	rm "$SMALL/filler"
	dd if=/dev/zero of="$SMALL/filler" bs=1k count=60 2>/dev/null
	run --separate-stderr gh-trace -o "$SMALL/ev" -- sh -c 'for i in 1 2 3 4 5 6 7 8; do cat /etc/hostname; done > /dev/null'
	[ "$status" -eq 125 ]
	[ "$stderr" = "gh-trace: write error: No space left on device" ]
	# no end record: a fragment or a record before it ends the file
	[ "$(tail -n1 "$SMALL/ev" | jq -r .type 2> /dev/null)" != end ]
	run -0 gh-aggregate "$SMALL/ev"
	[ "$(jq -r .completeness <<< "$output")" = partial ]
	jq -e '.completeness_reasons | index("stream ended without end record")' <<< "$output"
}

@test "gh-sign -G on a full disk: exit 2, and neither key is left behind" {
	fill_small
	run --separate-stderr gh-sign -G -s "$SMALL/key.pem" -p "$SMALL/pub.pem"
	[ "$status" -eq 2 ]
	[ "$stderr" = "gh-sign: $SMALL/key.pem: No space left on device" ]
	[ ! -e "$SMALL/key.pem" ] && [ ! -e "$SMALL/pub.pem" ]
	# the twin: with room, both keys
	rm "$SMALL/filler"
	run -0 gh-sign -G -s "$SMALL/key.pem" -p "$SMALL/pub.pem"
	[ "$(stat -c %a "$SMALL/key.pem")" = 600 ]
	[ -s "$SMALL/pub.pem" ]
}

@test "gh-archive: a disk full in the middle of a batch rolls it back, the receipts stored before are kept" {
	local fx=$GH_ROOT/tests/fixtures/archive avail
	MID=$BATS_TEST_TMPDIR/mid
	mkdir "$MID"
	mount -t tmpfs -o size=1m tmpfs "$MID"
	run -0 gh-archive "$MID/r.db" "$fx/curl.json"
	avail=$(df --output=avail -k "$MID" | tail -n1 | tr -d ' ')
	dd if=/dev/zero of="$MID/filler" bs=1k count=$((avail - 40)) 2>/dev/null
	run --separate-stderr gh-archive "$MID/r.db" "$fx/denied.json" "$fx/etc-write.json" \
		"$fx/hostile.json" "$fx/long-path.json" "$fx/v0.3.0.json"
	[ "$status" -eq 2 ]
	[ "$stderr" = "gh-archive: $MID/r.db: database or disk is full" ]
	[ "$(sqlite3 "$MID/r.db" 'pragma integrity_check')" = ok ]
	[ "$(sqlite3 "$MID/r.db" 'select count(*) from receipts')" = 1 ]
	run -0 gh-archive --export-all "$MID/r.db"
	[ "$(jq -r .execution_id <<< "$output")" = "$(jq -r .execution_id "$fx/curl.json")" ]
	# the twin: with room again, the same batch is stored whole
	rm "$MID/filler"
	run -0 gh-archive "$MID/r.db" "$fx/denied.json" "$fx/etc-write.json" \
		"$fx/hostile.json" "$fx/long-path.json" "$fx/v0.3.0.json"
	[ "$(sqlite3 "$MID/r.db" 'select count(*) from receipts')" = 6 ]
}

@test "gh-archive that cannot finish making a new database (disk full, 5 open files) leaves no file behind" {
	local rc=0
	rm -f "$SMALL"/*
	# 64 KiB do not hold the schema
	run --separate-stderr gh-archive "$SMALL/r.db" "$RCPT2"
	[ "$status" -eq 2 ]
	[ "$stderr" = "gh-archive: $SMALL/r.db: database or disk is full" ]
	[ -z "$(ls -A "$SMALL")" ]
	(ulimit -n 5 && exec gh-archive new.db "$RCPT2") 3>&- 2> err || rc=$?
	[ "$rc" -eq 2 ]
	[ "$(cat err)" = "gh-archive: new.db: unable to open database file" ]
	[ -z "$(ls -A . | grep '^new\.db')" ]
	# the twin: with descriptors, the database is made and holds it
	run -0 gh-archive new.db "$RCPT2"
	[ "$(sqlite3 new.db 'select count(*) from receipts')" = 1 ]
	# and a database that holds receipts is never removed by a failure
	rc=0
	(ulimit -n 5 && exec gh-archive new.db "$RCPT") 3>&- 2> err || rc=$?
	[ "$rc" -eq 2 ]
	[ "$(sqlite3 new.db 'select count(*) from receipts')" = 1 ]
}

# --- descriptor and memory limits ---------------------------------------

@test "every filter under 5, 8 and 16 open files: its whole output, or exit 2 with a message" {
	local name args rc n
	: > failed.list
	while read -r name args; do
		# shellcheck disable=SC2086
		reference $name $args
		for n in 5 8 16; do
			rc=0
			# shellcheck disable=SC2086
			(ulimit -n "$n" && exec $name $args) 3>&- > got.out 2> got.err || rc=$?
			limited_ok "ulimit -n $n" $name
		done
	done < <(filters; echo "gh-archive $BATS_TEST_TMPDIR/new.db $RCPT2")
	cat failed.list
	# 16 is enough for every one of them
	! grep -q '^ulimit -n 16:' failed.list
}

# sweep NAME ARGS...: NAME ARGS under address-space limits from 16 to 64
# MB: each run complete or a clean failure (limited_ok). Only the plain
# build: ASan reserves terabytes of address space.
sweep() {
	local n rc
	reference "$@"
	for n in $(seq 16000 3000 64000); do
		rc=0
		(ulimit -v "$n" && exec "$@") 3>&- > got.out 2> got.err || rc=$?
		limited_ok "ulimit -v $n" "$1"
	done
}

no_san() {
	[[ "${GH_BIN:-}" != */bin-san ]] ||
		skip "the sanitizer build reserves more address space than ulimit -v allows"
}

@test "gh-policy -a and -j under a memory limit: a verdict or 'out of memory', never an abort" {
	no_san
	: > failed.list
	sweep gh-policy -a "$DENY" "$MANY"
	sweep gh-policy -j "$DENY" "$MANY"
	cat failed.list
	# the limits reached the verdict's making, and it said so
	grep -q '^ulimit -v [0-9]*: gh-policy: gh-policy: Cannot allocate memory$' failed.list
	# the twin: a limit well above the need gives the verdict in full
	rc=0
	(ulimit -v 200000 && exec gh-policy -j "$DENY" "$MANY") > got.out || rc=$?
	[ "$rc" -eq 1 ]
	cmp got.out ref.out
	[ "$(jq '.violations | length' got.out)" -gt 2000 ]
}

@test "every filter under a memory limit: its whole output, or exit 2 with a message" {
	no_san
	local name args
	: > failed.list
	while read -r name args; do
		# shellcheck disable=SC2086
		sweep $name $args
	done < <(filters; echo "gh-redact $MANY"; echo "gh-show --html $MANY")
	cat failed.list
	[ -s failed.list ]
}

# --- standard descriptors closed, readers gone ---------------------------

@test "every filter with stdout closed: exit 2, a write error, never 0" {
	local name args rc
	while read -r name args; do
		rc=0
		# shellcheck disable=SC2086
		$name $args >&- 2> err || rc=$?
		[ "$rc" -eq 2 ]
		[ "$(cat err)" = "$name: write error: Bad file descriptor" ]
	done < <(filters)
}

@test "every filter with stdin closed: exit 2, a read error naming <stdin>" {
	local name rc
	for name in gh-aggregate gh-redact "gh-sign -H" "gh-policy $RULES" gh-train gh-show \
		"gh-archive $BATS_TEST_TMPDIR/in.db"; do
		rc=0
		# (not through bats' run, which opens files of its own)
		$name <&- > out 2> err || rc=$?
		[ "$rc" -eq 2 ]
		[ "$(cat err)" = "${name%% *}: <stdin>: read error: Bad file descriptor" ]
		[ ! -s out ]
	done
	[ ! -e "$BATS_TEST_TMPDIR/in.db" ]
}

@test "every filter with stderr closed: the same status and output as with it" {
	local name args rc
	while read -r name args; do
		# shellcheck disable=SC2086
		reference $name $args
		rc=0
		# shellcheck disable=SC2086
		$name $args > got.out 2>&- || rc=$?
		[ "$rc" -eq "$(cat ref.status)" ]
		cmp got.out ref.out
	done < <(filters)
	# an error with stderr closed: the status still says it, the
	# database opened meanwhile is not written into
	cp "$DB" e.db
	rc=0
	gh-archive e.db "$RCPT2" "$GH_ROOT/tests/fixtures/archive/bad-pid.json" 2>&- || rc=$?
	[ "$rc" -eq 2 ]
	[ "$(sqlite3 e.db 'pragma integrity_check')" = ok ]
	[ "$(sqlite3 e.db 'select count(*) from receipts')" = 1 ]
}

# big_filters: filters as "NAME ARGS...", each writing more than a pipe
# holds.
big_filters() {
	cat <<-EOF
	gh-aggregate $BATS_FILE_TMPDIR/many.ndjson
	gh-redact $MANY
	gh-sign -H $MANY
	gh-policy -a $DENY $MANY
	gh-policy $DENY $MANY
	gh-show --html $MANY
	EOF
}

@test "a reader that exits early: each filter exits 2 with a write error, SIGPIPE ignored or not" {
	local name args st
	gh-archive "$BATS_TEST_TMPDIR/many.db" "$MANY"
	while read -r name args; do
		# shellcheck disable=SC2086
		[ "$($name $args | wc -c)" -gt 262144 ]
		# shellcheck disable=SC2086
		st=$($name $args 2> err | head -c 1 > /dev/null; echo "${PIPESTATUS[0]}")
		[ "$st" -eq 2 ]
		[ "$(cat err)" = "$name: write error: Broken pipe" ]
		# SIGPIPE ignored, as some shells and services leave it
		# shellcheck disable=SC2086
		st=$(trap '' PIPE; $name $args 2> err | head -c 1 > /dev/null; echo "${PIPESTATUS[0]}")
		[ "$st" -eq 2 ]
		[ "$(cat err)" = "$name: write error: Broken pipe" ]
	done < <(big_filters; echo "gh-archive --export-all $BATS_TEST_TMPDIR/many.db")
}

# --- gh-trace: stale state in the pin directory --------------------------

# programs: how the header says the programs came (kept, loaded...).
programs() {
	head -n1 "$EV" | jq -r .audit.programs
}

# opens_of FILE: the number of successful opens of FILE in $EV.
opens_of() {
	jq -r --arg f "$1" 'select(.type == "open" and .path == $f and .ret >= 0) | .path' "$EV" | wc -l
}

@test "kept programs intact are used as they are (the twin of the pins below)" {
	run -0 gh-trace -v -o "$EV" -- cat /etc/hostname
	[[ "$output" == *"gh-trace: using the programs kept in $PIN/$KEPT"* ]]
	[ "$(opens_of /etc/hostname)" -eq 1 ]
}

@test "a program pin of another load in the kept directory: noticed, the programs loaded again" {
	local other=$KEPT_FS/other
	GH_TRACE_PIN_DIR=$other run -0 gh-trace --keep
	# sys_exit's pin replaced by the same program of another load: it
	# would look for the run in the other load's maps and see nothing
	rm "$PIN/$KEPT/prog_sys_exit"
	mv "$other/$KEPT/prog_sys_exit" "$PIN/$KEPT/prog_sys_exit"
	GH_TRACE_PIN_DIR=$other gh-trace --unload
	run -0 gh-trace -v -o "$EV" -- cat /etc/hostname
	[[ "$output" == *"gh-trace: loaded the programs and kept them in $PIN/$KEPT"* ]]
	[ "$(opens_of /etc/hostname)" -eq 1 ]
	run -0 gh-aggregate "$EV"
	[ "$(jq -c '[.completeness, .completeness_reasons]' <<< "$output")" = '["closed",[]]' ]
	# and the next run uses what this one kept
	run -0 gh-trace -v -o "$EV" -- cat /etc/hostname
	[[ "$output" == *"gh-trace: using the programs kept in $PIN/$KEPT"* ]]
	[ "$(opens_of /etc/hostname)" -eq 1 ]
}

@test "map pins under each other's names: noticed, the programs loaded again, the run traced" {
	mv "$PIN/$KEPT/runs" "$PIN/$KEPT/x"
	mv "$PIN/$KEPT/socks" "$PIN/$KEPT/runs"
	mv "$PIN/$KEPT/x" "$PIN/$KEPT/socks"
	run -0 gh-trace -v -o "$EV" -- cat /etc/hostname
	[[ "$output" == *"gh-trace: loaded the programs and kept them in $PIN/$KEPT"* ]]
	[[ "$output" != *"audit unavailable"* ]]
	[ "$(head -n1 "$EV" | jq -c .audit.active)" = true ]
	[ "$(opens_of /etc/hostname)" -eq 1 ]
}

@test "a pin removed from the kept directory: the programs loaded and kept again, whole" {
	local before
	before=$(ls "$PIN/$KEPT" | grep -c '^prog_')
	rm "$PIN/$KEPT/prog_sock_send"
	run -0 gh-trace -v -o "$EV" -- cat /etc/hostname
	[[ "$output" == *"gh-trace: loaded the programs and kept them in $PIN/$KEPT"* ]]
	[ "$(ls "$PIN/$KEPT" | grep -c '^prog_')" -eq "$before" ]
	[ "$(opens_of /etc/hostname)" -eq 1 ]
}

@test "a pin directory not on a bpf filesystem: --keep says so, the command is traced with programs of its own" {
	GH_TRACE_PIN_DIR=$BATS_TEST_TMPDIR/pins run --separate-stderr gh-trace --keep -o "$EV" -- cat /etc/hostname
	[ "$status" -eq 0 ]
	[ "$stderr" = "gh-trace: warning: cannot keep the programs: $BATS_TEST_TMPDIR: not on a bpf filesystem" ]
	[ "$(programs)" = loaded ]
	[ "$(opens_of /etc/hostname)" -eq 1 ]
	# kept nowhere: --keep alone fails, with the same reason
	GH_TRACE_PIN_DIR=$BATS_TEST_TMPDIR/pins run --separate-stderr gh-trace --keep
	[ "$status" -eq 2 ]
	[ "$stderr" = "gh-trace: --keep: cannot keep the programs: $BATS_TEST_TMPDIR: not on a bpf filesystem" ]
}

@test "the kept directory locked by another process: gh-trace says what it waits for, then runs" {
	flock "$PIN/$KEPT" sh -c 'echo > locked; exec sleep 1.5' 3>&- &
	holder=$!
	wait_until test -e locked
	run --separate-stderr gh-trace -o "$EV" -- cat /etc/hostname
	[ "$status" -eq 0 ]
	[ "$stderr" = "gh-trace: waiting for $PIN/$KEPT: locked by another process" ]
	[ "$(opens_of /etc/hostname)" -eq 1 ]
	wait "$holder"
	holder=
	# the twin: nobody holds it, nothing is said
	run --separate-stderr gh-trace -o "$EV" -- cat /etc/hostname
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
}

stream_ended() {
	[ "$(tail -n1 "$EV" 2> /dev/null | jq -r .type 2> /dev/null)" = end ]
}

# gone_under PID: PID has no child left.
gone_under() {
	! pgrep -P "$1" > /dev/null
}

@test "a run right after another takes the same -o file, while the last run's lingerer still holds a copy of it" {
	local st
	command -v strace > /dev/null || skip "strace is not installed"
	# the lingerer is slow to close what it inherited (close_range held
	# for 1.5 s); the traced run is over before that. (LeakSanitizer
	# does not work under ptrace.)
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 strace -f -qq -o /dev/null -e trace=close_range -e inject=close_range:delay_enter=1500000 \
		gh-trace --linger=1 -o "$EV" -- true 3>&- &
	st=$!
	# the run ended: its end record written, gh-trace gone (strace
	# still follows the lingerer)
	wait_until stream_ended
	wait_until gone_under "$st"
	run --separate-stderr gh-trace -o "$EV" -- cat /etc/hostname
	[ -z "$stderr" ]
	[ "$status" -eq 0 ]
	[ "$(opens_of /etc/hostname)" -eq 1 ]
	wait "$st"
	# the twin: a file another run is still writing (its lock) is refused
	exec 9>> "$EV"
	flock 9
	run --separate-stderr gh-trace -o "$EV" -- true
	exec 9>&-
	[ "$status" -eq 2 ]
	[ "$stderr" = "gh-trace: $EV: another gh-trace run is writing to it" ]
}

# --- gh-trace: limits --------------------------------------------------

@test "gh-trace with RLIMIT_MEMLOCK at 0 loads its programs and traces" {
	(ulimit -l 0 && GH_TRACE_PIN_DIR=$BATS_TEST_TMPDIR/none exec gh-trace --no-keep -o "$EV" -- cat /etc/hostname) > out 2> err
	[ ! -s err ]
	[ "$(programs)" = loaded ]
	[ "$(opens_of /etc/hostname)" -eq 1 ]
}

@test "a command that gets few open files: its EMFILE is in the stream, gh-trace unharmed" {
	run -127 gh-trace -o "$EV" -- sh -c 'ulimit -n 3; exec cat /etc/hostname'
	[ "$(jq -c 'select(.type == "open" and .ret == -24)' "$EV" | wc -l)" -gt 0 ]
	[ "$(tail -n1 "$EV" | jq -c '[.status, .code]')" = '[127,127]' ]
	run -0 gh-aggregate "$EV"
	[ "$(jq -r .completeness <<< "$output")" = closed ]
	# the twin: with its descriptors, the command reads the file
	run -0 gh-trace -o "$EV" -- sh -c 'exec cat /etc/hostname'
	[ "$(opens_of /etc/hostname)" -eq 1 ]
	[ "$(jq -c 'select(.type == "open" and .ret == -24)' "$EV" | wc -l)" -eq 0 ]
}
