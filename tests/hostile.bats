#!/usr/bin/env bats
# Hostile input to the filters (issue 12): the other format detected, JSON
# that is not a receipt refused, endless input bounded, members of the
# wrong type named (a mutation test over a real receipt), duplicate member
# names and process ids beyond 32 bits refused.

bats_require_minimum_version 1.5.0

setup() {
	GH_ROOT=${GH_ROOT:-$(cd "$BATS_TEST_DIRNAME/.." && pwd)}
	GH_BIN=${GH_BIN:-$GH_ROOT/bin}
	PATH="$GH_BIN:$PATH"
	A=$GH_ROOT/tests/fixtures/aggregate
	T=$BATS_TEST_TMPDIR
	printf 'require complete\n' > "$T/rules"
}

# filter NAME FILE: run one receipt filter the way it takes one input.
filter() {
	case $1 in
	gh-redact) gh-redact "$2" ;;
	gh-sign) gh-sign -H "$2" ;;
	gh-policy) gh-policy "$T/rules" "$2" ;;
	gh-train) gh-train "$2" ;;
	gh-archive) gh-archive "$T/db" "$2" ;;
	gh-aggregate) gh-aggregate "$2" ;;
	esac
}

RECEIPT_FILTERS="gh-redact gh-sign gh-policy gh-train gh-archive"

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
	run python3 "$GH_ROOT/tests/mutate" --bin "$GH_BIN" --sample 20 $(mutation_receipts)
	[ "$status" -eq 0 ] || { echo "$output" | tail -20; false; }
	[ "${lines[-1]}" = "mutations: 500 runs, 0 failed" ]
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
