#!/usr/bin/env bats
# Hostile input to the filters (issue 12): the other format detected, JSON
# that is not a receipt refused, endless input bounded, members of the
# wrong type named (a mutation test over a real receipt), duplicate member
# names and process ids beyond 32 bits refused.

bats_require_minimum_version 1.5.0
load filter

setup() {
	filter_setup
	A=$GH_ROOT/tests/fixtures/aggregate
	T=$BATS_TEST_TMPDIR
	printf 'require complete\n' > "$T/rules"
}

# filter NAME FILE: run one filter the way it takes one input (at most
# 60 s: an input that makes it hang fails the test with exit 124).
filter() {
	local cmd
	case $1 in
	gh-redact) cmd=(gh-redact "$2") ;;
	gh-sign) cmd=(gh-sign -H "$2") ;;
	gh-policy) cmd=(gh-policy "$T/rules" "$2") ;;
	gh-train) cmd=(gh-train "$2") ;;
	gh-archive) cmd=(gh-archive "$T/db" "$2") ;;
	gh-aggregate) cmd=(gh-aggregate "$2") ;;
	gh-show) cmd=(gh-show "$2") ;;
	gh-diff) cmd=(gh-diff "$2" "$2") ;;
	esac
	timeout 60 "${cmd[@]}"
}

RECEIPT_FILTERS="gh-redact gh-sign gh-policy gh-train gh-archive gh-show gh-diff"

# expect_refused FILE MESSAGE FILTER...: each FILTER exits 2 with exactly
# "FILTER: MESSAGE" on stderr and nothing on stdout.
expect_refused() {
	local file=$1 msg=$2 p
	shift 2
	for p in "$@"; do
		rm -f "$T/db"
		run --separate-stderr filter "$p" "$file"
		[ "$status" -eq 2 ] && [ -z "$output" ] && [ "$stderr" = "$p: $msg" ] ||
			{ echo "$p: exit $status, stdout ${#output} bytes: $stderr"; false; }
	done
}

# expect_accepted FILE FILTER...: each FILTER exits 0 or 1 (a verdict).
expect_accepted() {
	local file=$1 p
	shift
	for p in "$@"; do
		rm -f "$T/db"
		run --separate-stderr filter "$p" "$file"
		[ "$status" -le 1 ] || { echo "$p: exit $status: $stderr"; false; }
	done
}

@test "duplicate member names are refused by every filter, with the member's path" {
	jq . "$A/net.json" |
		sed '0,/"argv": \[/s//"argv": [], "argv": [/' > "$T/dup.json"
	line=$(grep -n '"argv": \[\], "argv"' "$T/dup.json" | cut -d: -f1)
	# the twin: the same receipt without the duplicate is accepted
	jq . "$A/net.json" > "$T/ok.json"
	expect_accepted "$T/ok.json" $RECEIPT_FILTERS
	expect_refused "$T/dup.json" "$T/dup.json:$line: process_tree[0].argv: duplicate member name" \
		$RECEIPT_FILTERS
	# in an event stream, a known member and one the reader does not know
	head -3 "$A/net.ndjson" > "$T/ok.ndjson"
	expect_accepted "$T/ok.ndjson" gh-aggregate
	sed '2s/^{/{"pid":1,/' "$T/ok.ndjson" > "$T/dup.ndjson"
	expect_refused "$T/dup.ndjson" "$T/dup.ndjson:2: pid: duplicate member name" gh-aggregate
	sed '3s/^{/{"zz":1,"zz":2,/' "$T/ok.ndjson" > "$T/dup2.ndjson"
	expect_refused "$T/dup2.ndjson" "$T/dup2.ndjson:3: zz: duplicate member name" gh-aggregate
}

@test "process ids beyond 32 bits in a stream are refused, not wrapped" {
	head -3 "$A/net.ndjson" > "$T/ok.ndjson"
	expect_accepted "$T/ok.ndjson" gh-aggregate
	# the twin: the largest pid_t passes
	sed '2s/"pid":[0-9]*/"pid":2147483647/' "$T/ok.ndjson" > "$T/max.ndjson"
	expect_accepted "$T/max.ndjson" gh-aggregate
	[ "$(gh-aggregate "$T/max.ndjson" | jq '.process_tree[1].pid')" = 2147483647 ]
	sed '2s/"pid":[0-9]*/"pid":4294967297/' "$T/ok.ndjson" > "$T/big.ndjson"
	expect_refused "$T/big.ndjson" \
		"$T/big.ndjson:2: exec: member \"pid\" is not a process id (0 to 2147483647): 4294967297" gh-aggregate
	sed '2s/"ppid":[0-9]*/"ppid":-1/' "$T/ok.ndjson" > "$T/neg.ndjson"
	expect_refused "$T/neg.ndjson" \
		"$T/neg.ndjson:2: exec: member \"ppid\" is not a process id (0 to 2147483647): -1" gh-aggregate
	sed '3s/"tid":[0-9]*/"tid":2147483648/' "$T/ok.ndjson" > "$T/tid.ndjson"
	expect_refused "$T/tid.ndjson" \
		"$T/tid.ndjson:3: open: member \"tid\" is not a process id (0 to 2147483647): 2147483648" gh-aggregate
}

@test "an event stream given to a receipt filter says to run gh-aggregate first" {
	expect_accepted "$A/net.json" $RECEIPT_FILTERS
	expect_refused "$A/net.ndjson" "$A/net.ndjson:1: this is a gh-events stream; run gh-aggregate first" \
		$RECEIPT_FILTERS
	[ ! -e "$T/db" ]
	# a stream that starts with another record is one too
	sed -n 2p "$A/net.ndjson" > "$T/exec.ndjson"
	expect_refused "$T/exec.ndjson" "$T/exec.ndjson:1: this is a gh-events stream; run gh-aggregate first" \
		$RECEIPT_FILTERS
}

@test "a receipt given to gh-aggregate says it is a receipt" {
	expect_accepted "$A/net.ndjson" gh-aggregate
	msg="this is a receipt, not a gh-events stream; gh-aggregate reads what gh-trace writes"
	# pretty-printed, as gh-aggregate writes it, and on one line
	expect_refused "$A/net.json" "$A/net.json:1: $msg" gh-aggregate
	jq -c . "$A/net.json" > "$T/one.json"
	expect_refused "$T/one.json" "$T/one.json:1: $msg" gh-aggregate
	# other JSON is not called a receipt
	printf '{\n"a": 1}\n' > "$T/other.json"
	run --separate-stderr gh-aggregate "$T/other.json"
	[ "$status" -eq 2 ]
	[[ "$stderr" != *receipt* ]]
}

@test "JSON that is not a receipt is refused by every filter" {
	printf '{"version": "0.4.0", "execution_id": "e"}\n' > "$T/min.json"
	expect_accepted "$T/min.json" $RECEIPT_FILTERS
	echo '{}' > "$T/empty.json"
	expect_refused "$T/empty.json" \
		"$T/empty.json:1: not a receipt: no \"version\" or \"execution_id\" member" $RECEIPT_FILTERS
	printf '\n[{"version": "0.4.0"}]\n' > "$T/arr.json"
	expect_refused "$T/arr.json" "$T/arr.json:2: not a receipt: expected a JSON object, not an array" \
		$RECEIPT_FILTERS
	echo 42 > "$T/num.json"
	expect_refused "$T/num.json" "$T/num.json:1: not a receipt: expected a JSON object, not a number" \
		$RECEIPT_FILTERS
	echo null > "$T/null.json"
	expect_refused "$T/null.json" "$T/null.json:1: not a receipt: expected a JSON object, not null" \
		$RECEIPT_FILTERS
	run --separate-stderr gh-aggregate "$T/empty.json"
	[ "$status" -eq 2 ]
	[ "$stderr" = "gh-aggregate: $T/empty.json:1: missing member \"type\"" ]
}

# The receipts the mutation test starts from: real recordings (files, net,
# the v0 shape), the hand-edited hostile one and a 0.3.0 receipt.
mutation_receipts() {
	echo "$A/net.json" "$A/files.json" "$A/net.v0.json" "$A/hostile.json" \
		"$GH_ROOT/tests/fixtures/archive/v0.3.0.json"
}

@test "mutation sample: a member of any other type, or deleted, is named or accepted, never a crash" {
	# the whole set: make check-hard
	run python3 "$GH_ROOT/tests/mutate" --bin "$GH_BIN" --sample 12 $(mutation_receipts)
	[ "$status" -eq 0 ] || { echo "$output" | tail -20; false; }
	[ "${lines[-1]}" = "mutations: 300 runs, 0 failed" ]
}

@test "mutation test: a filter that crashes or does not name the member fails it" {
	mkdir "$T/bin"
	# a crash, an exit 3, a message that does not name the member, and two
	# that pass (a verdict, a message naming it)
	printf '#!/bin/sh\nkill -SEGV $$\n' > "$T/bin/gh-redact"
	printf '#!/bin/sh\nexit 3\n' > "$T/bin/gh-sign"
	printf '#!/bin/sh\necho "gh-policy: bad receipt" >&2; exit 2\n' > "$T/bin/gh-policy"
	printf '#!/bin/sh\nexit 1\n' > "$T/bin/gh-train"
	printf '#!/bin/sh\ngrep -q 0.4.0 "$2" && exit 0\necho "gh-archive: x:1: version: expected a string" >&2; exit 2\n' > "$T/bin/gh-archive"
	chmod +x "$T"/bin/*
	printf '{"version": "0.4.0"}\n' > "$T/r.json"
	run python3 "$GH_ROOT/tests/mutate" --bin "$T/bin" "$T/r.json"
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "$T/r.json: gh-redact: the receipt itself is refused (exit -11): " ]
	[[ "$output" == *"r.json: version null: gh-redact: killed by SIGSEGV: "* ]]
	[[ "$output" == *"r.json: version deleted: gh-sign: exit 3: "* ]]
	[[ "$output" == *"r.json: version array: gh-policy: exit 2 without naming version: gh-policy: bad receipt"* ]]
	[[ "$output" != *": gh-train: "* ]]
	[[ "$output" != *": gh-archive: "* ]]
	[ "${lines[-1]}" = "mutations: 30 runs, 21 failed" ]
}

# endless NAME: a FIFO at $T/NAME whose writer runs CMD... until the
# reader goes; its pid in $T/NAME.pid (stopped by teardown).
endless() {
	local name=$1
	shift
	mkfifo "$T/$name"
	("$@" > "$T/$name" 2> /dev/null &
	 echo $! > "$T/$name.pid")
}

teardown() {
	local f
	for f in "$T"/*.pid; do
		[ -e "$f" ] && kill "$(cat "$f")" 2> /dev/null
	done
	[ -e "$T/rodir" ] && rm -rf "$(cat "$T/rodir")"
	return 0
}

# bounded CMD...: CMD must end within 60 s (a hang fails the test, exit 124)
bounded() {
	timeout 60 "$@"
}

@test "endless binary input (/dev/zero, a FIFO) is refused at its first byte" {
	for p in gh-aggregate $RECEIPT_FILTERS; do
		rm -f "$T/db"
		run --separate-stderr filter "$p" /dev/zero
		[ "$status" -eq 2 ] && [ -z "$output" ] ||
			{ echo "$p: exit $status: $stderr"; false; }
		[[ "$stderr" == "$p: /dev/zero:1: unexpected byte 0x00, expected "* ]] ||
			{ echo "$p: $stderr"; false; }
		[ ! -e "$T/db" ]
	done
	for p in gh-aggregate $RECEIPT_FILTERS; do
		endless "y.$p" yes
		run --separate-stderr filter "$p" "$T/y.$p"
		[ "$status" -eq 2 ] && [[ "$stderr" == "$p: $T/y.$p:1: unexpected character 'y', expected "* ]] ||
			{ echo "$p: exit $status: $stderr"; false; }
	done
}

@test "endless JSON is bounded: 16 MiB a stream line, 256 MiB a receipt" {
	# the twin: a real stream and receipt through the same FIFOs pass
	endless ok.ndjson cat "$A/net.ndjson"
	run bounded gh-aggregate "$T/ok.ndjson"
	[ "$status" -eq 0 ]
	endless ok.json cat "$A/net.json"
	run bounded gh-policy "$T/rules" "$T/ok.json"
	[ "$status" -le 1 ]
	endless line sh -c 'printf "{\"type\":\"header\",\"x\":\""; yes aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa | tr -d "\n"'
	run --separate-stderr bounded gh-aggregate "$T/line"
	[ "$status" -eq 2 ]
	[ "$stderr" = "gh-aggregate: $T/line:1: a line longer than 16 MiB, expected a gh-events record" ]
	# every receipt filter reads its input whole (lib/receipt, lib/input)
	endless value sh -c 'printf "{\"version\":\""; yes aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa | tr -d "\n"'
	run --separate-stderr bounded gh-redact "$T/value"
	[ "$status" -eq 2 ]
	[ "$stderr" = "gh-redact: $T/value: more than 256 MiB of input" ]
	endless whole sh -c 'printf "{\"version\":\""; yes aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa | tr -d "\n"'
	run --separate-stderr bounded gh-archive "$T/db" "$T/whole"
	[ "$status" -eq 2 ]
	[ "$stderr" = "gh-archive: $T/whole: more than 256 MiB of input" ]
	[ ! -e "$T/db" ]
}

@test "keys, rules and includes must be regular files: a FIFO or device is refused, not read" {
	cp "$GH_ROOT/tests/fixtures/sign/key.pem" "$GH_ROOT/tests/fixtures/sign/pub.pem" "$T/"
	chmod 600 "$T/key.pem"
	printf 'secret-key' > "$T/hkey"
	printf 'include %s\n' "$T/rules" > "$T/inc.rules"
	mkfifo "$T/fifo"
	# the twins: the same from regular files work
	run bounded gh-sign -S -s "$T/key.pem" "$A/net.json"
	[ "$status" -eq 0 ]
	echo "$output" > "$T/signed.json"
	run bounded gh-sign -V -p "$T/pub.pem" "$T/signed.json"
	[ "$status" -eq 0 ]
	run bounded gh-redact --hash-key "$T/hkey" "$A/net.json"
	[ "$status" -eq 0 ]
	run bounded gh-policy "$T/inc.rules" "$A/net.json"
	[ "$status" -le 1 ]
	for f in "$T/fifo" /dev/zero; do
		run --separate-stderr bounded gh-sign -S -s "$f" "$A/net.json"
		[ "$status" -eq 2 ] && [ "$stderr" = "gh-sign: $f: not a regular file" ] || { echo "$stderr"; false; }
		run --separate-stderr bounded gh-sign -V -p "$f" "$T/signed.json"
		[ "$status" -eq 2 ] && [ "$stderr" = "gh-sign: $f: not a regular file" ] || { echo "$stderr"; false; }
		run --separate-stderr bounded gh-redact --hash-key "$f" "$A/net.json"
		[ "$status" -eq 2 ] && [ "$stderr" = "gh-redact: --hash-key: $f: not a regular file" ] ||
			{ echo "$stderr"; false; }
		run --separate-stderr bounded gh-policy "$f" "$A/net.json"
		[ "$status" -eq 2 ] && [ "$stderr" = "gh-policy: $f: not a regular file" ] || { echo "$stderr"; false; }
		printf 'include %s\n' "$f" > "$T/bad.rules"
		run --separate-stderr bounded gh-policy "$T/bad.rules" "$A/net.json"
		[ "$status" -eq 2 ] && [ "$stderr" = "gh-policy: $T/bad.rules:1: cannot include '$f': not a regular file" ] ||
			{ echo "$stderr"; false; }
	done
}

@test "gh-redact masks a secret it masked in argv in every string, members it does not know and names included" {
	jq '.process_tree[1].argv = ["tool", "--password=hunter2secret"] |
	    .x_note = "used hunter2secret here" |
	    .x = {"deep": ["a hunter2secret b"], "hunter2secret": 1, "v": "hunter2secret",
		  "v_hex": "68756e746572327365637265740a"}' "$A/net.json" > "$T/sec.json"
	# the twin: without the secret rules, the value stays in all five places
	gh-redact --no-default-secrets "$T/sec.json" > "$T/kept.json"
	[ "$(grep -o hunter2secret "$T/kept.json" | wc -l)" -eq 5 ]
	gh-redact "$T/sec.json" > "$T/out.json"
	[ "$(grep -c -e hunter2secret -e 68756e746572327365637265740a "$T/out.json")" -eq 0 ]
	[ "$(jq -c '.x' "$T/out.json")" = '{"[REDACTED]":1,"deep":["a [REDACTED] b"],"v":"[REDACTED]"}' ]
	[ "$(jq -r '.x_note' "$T/out.json")" = "used [REDACTED] here" ]
	[ "$(jq -c '.redactions' "$T/out.json")" = '[{"count":5,"rule":"default:secret-option"}]' ]
}

@test "gh-archive: bad input leaves no database behind; an existing one keeps its receipts" {
	C=$GH_ROOT/tests/fixtures/archive/curl.json
	printf '{"execution_id": "t", "network": {"attempts": [{"protocol": "tcp"}]}}\n' > "$T/bad.json"
	run --separate-stderr gh-archive "$T/db" "$C" "$T/bad.json"
	[ "$status" -eq 2 ]
	[ "$stderr" = "gh-archive: $T/bad.json:1: network.attempts[0].dst: missing" ]
	[ ! -e "$T/db" ]
	[ ! -e "$T/db-wal" ]
	[ ! -e "$T/db-shm" ]
	# the twin: the good receipt alone makes the database; a later bad
	# batch leaves it as it was
	gh-archive "$T/db" "$C"
	run --separate-stderr gh-archive "$T/db" "$T/bad.json"
	[ "$status" -eq 2 ]
	[ "$(sqlite3 "$T/db" 'select count(*) from receipts')" = 1 ]
}

@test "gh-archive: another application's SQLite file is refused untouched (not switched to WAL)" {
	sqlite3 "$T/other.db" 'create table t(x); insert into t values (1);'
	sum=$(sha256sum < "$T/other.db")
	run --separate-stderr gh-archive "$T/other.db" "$GH_ROOT/tests/fixtures/archive/curl.json"
	[ "$status" -eq 2 ]
	[ "$stderr" = "gh-archive: $T/other.db: not a gh-archive database" ]
	[ "$(sha256sum < "$T/other.db")" = "$sum" ]
	[ "$(sqlite3 "$T/other.db" 'pragma journal_mode')" = delete ]
	[ ! -e "$T/other.db-wal" ]
	# the twin: a gh-archive database is taken, and is in WAL mode
	gh-archive "$T/db" "$GH_ROOT/tests/fixtures/archive/curl.json"
	[ "$(sqlite3 "$T/db" 'pragma journal_mode')" = wal ]
}

@test "gh-archive --export works for a user who may not write, and on read-only media" {
	C=$GH_ROOT/tests/fixtures/archive/curl.json
	id=$(jq -r .execution_id "$C")
	# a directory others can enter (the test's own is private)
	d=$(mktemp -d /tmp/gh-ro.XXXXXX)
	echo "$d" > "$T/rodir"
	chmod 755 "$d"
	gh-archive "$d/db" "$C"
	# what is left: the database alone, as a copy on other media would be
	[ "$(ls "$d")" = db ]
	chmod 644 "$d/db"
	jq -cS . "$C" | tr -d '\n' > "$T/want.json"
	run --separate-stderr setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$GH_BIN/gh-archive" --export "$id" "$d/db"
	[ "$status" -eq 0 ] || { echo "$stderr"; false; }
	[ "$output" = "$(cat "$T/want.json")" ]
	[ "$(ls "$d")" = db ]
	run --separate-stderr unshare -m sh -c 'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" &&
		exec "$2/gh-archive" --export "$3" "$1/db"' _ "$d" "$GH_BIN" "$id"
	[ "$status" -eq 0 ] || { echo "$stderr"; false; }
	[ "$output" = "$(cat "$T/want.json")" ]
	# the twin: storing there is refused (the media is read-only)
	run --separate-stderr unshare -m sh -c 'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" &&
		exec "$2/gh-archive" "$1/db" "$3"' _ "$d" "$GH_BIN" "$GH_ROOT/tests/fixtures/archive/denied.json"
	[ "$status" -eq 2 ]
	rm -rf "$d"
}

@test "gh-sign -V prints a failed verification on stdout, where the result goes" {
	cp "$GH_ROOT/tests/fixtures/sign/key.pem" "$GH_ROOT/tests/fixtures/sign/pub.pem" "$T/"
	chmod 600 "$T/key.pem"
	gh-sign -S -s "$T/key.pem" "$A/net.json" > "$T/s.json"
	# the twin: the signed receipt verifies, "ok" on stdout
	run --separate-stderr gh-sign -V -p "$T/pub.pem" "$T/s.json"
	[ "$status" -eq 0 ]
	[ "$output" = "$T/s.json: signature ok" ]
	jq '.exit_code = 1' "$T/s.json" > "$T/t.json"
	run --separate-stderr gh-sign -V -p "$T/pub.pem" "$T/t.json"
	[ "$status" -eq 1 ]
	[ "$output" = "$T/t.json: FAILED: signature does not match (receipt modified or wrong key)" ]
	[ "$stderr" = "gh-sign: $T/t.json: signature does not match (receipt modified or wrong key)" ]
	run --separate-stderr gh-sign -V -q -p "$T/pub.pem" "$A/net.json"
	[ "$status" -eq 1 ]
	[ "$output" = "$A/net.json: FAILED: not signed (no signature member)" ]
}

@test "gh-archive: a run waiting on a database that its creator removes stores nothing, silently never" {
	C=$GH_ROOT/tests/fixtures/archive/curl.json
	mkfifo "$T/slow"
	# A creates the database, stores curl.json in its transaction, then
	# waits for its second input
	gh-archive "$T/db" "$C" "$T/slow" > /dev/null 2> "$T/a.err" &
	a=$!
	for i in $(seq 200); do [ -e "$T/db" ] && break; sleep 0.05; done
	[ -e "$T/db" ]
	# B waits for A's write lock; A's second input is bad
	gh-archive "$T/db" "$GH_ROOT/tests/fixtures/archive/denied.json" > /dev/null 2> "$T/b.err" &
	b=$!
	echo '{"execution_id": 5}' > "$T/slow"
	rc=0
	wait "$a" || rc=$?
	[ "$rc" -eq 2 ]
	rc=0
	wait "$b" || rc=$?
	# either B stored its receipt after A rolled back (the database stays),
	# or A removed the database first and B says so: never B's exit 0 with
	# its receipt gone
	if [ "$rc" -eq 0 ]; then
		[ "$(sqlite3 "$T/db" 'select count(*) from receipts')" = 1 ]
	else
		[ "$rc" -eq 2 ]
		[ "$(cat "$T/b.err")" = "gh-archive: $T/db: removed by another run that created it and failed; nothing stored" ]
		[ ! -e "$T/db" ]
	fi
}
