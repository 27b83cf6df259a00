#!/usr/bin/env bats
# Bad input and output faults, for every filter: JSONTestSuite n_ files
# rejected (exit 2, a message, nothing on stdout), no crash on i_ files,
# the 100,000-deep nesting files rejected without stack overflow, empty,
# truncated, binary and huge inputs refused clearly, and a full disk or a
# closed pipe reported as a write error (exit 2), never a silent truncation.

setup_file() {
	export SUITE="$GH_SHARED/conformance/JSONTestSuite/test_parsing"
	export WORK="$BATS_FILE_TMPDIR"
	printf 'require complete\n' > "$WORK/rules"
	# a real receipt and its event stream, from the real tracer
	gh-trace -o "$WORK/events.ndjson" -- cat /etc/hostname > /dev/null 2>&1
	gh-aggregate "$WORK/events.ndjson" > "$WORK/receipt.json"
}

# Run filter NAME on FILE the way it takes one input.
run_filter() {
	local name=$1 file=$2
	case $name in
	gh-aggregate) gh-aggregate "$file" ;;
	gh-redact) gh-redact "$file" ;;
	gh-sign) gh-sign -H "$file" ;;
	gh-policy) gh-policy "$WORK/rules" "$file" ;;
	gh-train) gh-train "$file" ;;
	gh-archive) gh-archive "$WORK/db" "$file" ;;
	gh-show) gh-show "$file" ;;
	gh-diff) gh-diff "$WORK/receipt.json" "$file" ;;
	esac
}

# Every n_ file rejected by NAME: exit 2, stderr names the file, stdout empty.
# The loops start no process but the filter (1,908 runs in all). In the
# sanitizer build the n_ runs skip the leak check, 37 ms a process: each
# ends in gh_die, which frees nothing by design; the i_ and y_ runs and every
# other suite keep it.
check_rejects_n() {
	local name=$1 f bad=0 err
	local -x ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
	for f in "$SUITE"/n_*.json; do
		rc=0
		run_filter "$name" "$f" > "$WORK/out" 2> "$WORK/err" || rc=$?
		err=
		read -r -d '' err < "$WORK/err" || true
		if [ "$rc" -ne 2 ] || [ -s "$WORK/out" ] || [[ "$err" != *"$name: $f"* ]]; then
			echo "$name: $(basename "$f"): exit $rc, stdout $(wc -c < "$WORK/out") bytes: $(head -c 200 "$WORK/err")"
			bad=$((bad + 1))
		fi
	done
	[ "$bad" -eq 0 ]
}

# No crash (death by signal or exit > 2) on any i_ or y_ file.
check_no_crash() {
	local name=$1 f bad=0
	for f in "$SUITE"/i_*.json "$SUITE"/y_*.json; do
		rc=0
		run_filter "$name" "$f" > /dev/null 2> "$WORK/err" || rc=$?
		if [ "$rc" -gt 2 ]; then
			echo "$name: $(basename "$f"): exit $rc: $(head -c 200 "$WORK/err")"
			bad=$((bad + 1))
		fi
	done
	[ "$bad" -eq 0 ]
}

@test "gh-aggregate rejects every JSONTestSuite n_ file with exit 2 and no output" {
	check_rejects_n gh-aggregate
}

@test "gh-aggregate does not crash on any i_ or y_ file" {
	check_no_crash gh-aggregate
}

@test "gh-redact rejects every JSONTestSuite n_ file with exit 2 and no output" {
	check_rejects_n gh-redact
}

@test "gh-redact does not crash on any i_ or y_ file" {
	check_no_crash gh-redact
}

@test "gh-sign rejects every JSONTestSuite n_ file with exit 2 and no output" {
	check_rejects_n gh-sign
}

@test "gh-sign does not crash on any i_ or y_ file" {
	check_no_crash gh-sign
}

@test "gh-policy rejects every JSONTestSuite n_ file with exit 2 and no output" {
	check_rejects_n gh-policy
}

@test "gh-policy does not crash on any i_ or y_ file" {
	check_no_crash gh-policy
}

@test "gh-train rejects every JSONTestSuite n_ file with exit 2 and no output" {
	check_rejects_n gh-train
}

@test "gh-train does not crash on any i_ or y_ file" {
	check_no_crash gh-train
}

@test "gh-archive rejects every JSONTestSuite n_ file with exit 2 and no output" {
	check_rejects_n gh-archive
}

@test "gh-archive does not crash on any i_ or y_ file" {
	check_no_crash gh-archive
}

@test "gh-show rejects every JSONTestSuite n_ file with exit 2 and no output" {
	check_rejects_n gh-show
}

@test "gh-show does not crash on any i_ or y_ file" {
	check_no_crash gh-show
}

@test "gh-diff rejects every JSONTestSuite n_ file with exit 2 and no output" {
	check_rejects_n gh-diff
}

@test "gh-diff does not crash on any i_ or y_ file" {
	check_no_crash gh-diff
}

@test "the 100,000-deep nesting files are rejected by every filter without overflow" {
	for p in gh-aggregate gh-redact gh-sign gh-policy gh-train gh-archive gh-show gh-diff; do
		for f in n_structure_100000_opening_arrays.json n_structure_open_array_object.json; do
			run run_filter "$p" "$SUITE/$f"
			[ "$status" -eq 2 ] || { echo "$p $f: $status $output"; false; }
			[[ "$output" == *"nesting deeper than 512"* || "$output" == *"unexpected end of input"* ]] ||
				{ echo "$p $f: $output"; false; }
		done
	done
}

@test "empty input is an error for every filter" {
	: > "$WORK/empty"
	for p in gh-aggregate gh-redact gh-sign gh-policy gh-train gh-archive gh-show gh-diff; do
		rc=0
		run_filter "$p" "$WORK/empty" > "$WORK/out" 2> "$WORK/err" || rc=$?
		[ "$rc" -eq 2 ] && [ ! -s "$WORK/out" ] && [ -s "$WORK/err" ] ||
			{ echo "$p: exit $rc: $(cat "$WORK/err")"; false; }
	done
}

@test "binary garbage is an error naming file:line for every filter" {
	head -c 4096 /dev/urandom > "$WORK/garbage"
	printf '\x00\x01\x02\xff' >> "$WORK/garbage"
	for p in gh-aggregate gh-redact gh-sign gh-policy gh-train gh-archive gh-show gh-diff; do
		rc=0
		run_filter "$p" "$WORK/garbage" > "$WORK/out" 2> "$WORK/err" || rc=$?
		[ "$rc" -eq 2 ] && [ ! -s "$WORK/out" ] && grep -qE "^$p: $WORK/garbage:[0-9]+: " "$WORK/err" ||
			{ echo "$p: exit $rc: $(head -c 300 "$WORK/err")"; false; }
	done
}

@test "a truncated receipt is an error for every receipt filter" {
	head -c 200 "$WORK/receipt.json" > "$WORK/trunc.json"
	for p in gh-redact gh-sign gh-policy gh-train gh-archive gh-show gh-diff; do
		rc=0
		run_filter "$p" "$WORK/trunc.json" > "$WORK/out" 2> "$WORK/err" || rc=$?
		[ "$rc" -eq 2 ] && [ ! -s "$WORK/out" ] &&
			grep -qE "^$p: $WORK/trunc.json:[0-9]+: (unexpected end of input|unterminated string)" "$WORK/err" ||
			{ echo "$p: exit $rc: $(cat "$WORK/err")"; false; }
	done
}

@test "a huge single line (64 MiB string) is handled without crashing" {
	python3 -c 'import sys; sys.stdout.write("{\"type\":\"" + "x" * (64 << 20) + "\"}\n")' > "$WORK/huge"
	for p in gh-aggregate gh-redact gh-train; do
		rc=0
		run_filter "$p" "$WORK/huge" > /dev/null 2> "$WORK/err" || rc=$?
		[ "$rc" -eq 2 ] && [ -s "$WORK/err" ] || { echo "$p: exit $rc: $(head -c 300 "$WORK/err")"; false; }
	done
}

@test "writing to /dev/full is exit 2 with a write error, for every filter" {
	for p in gh-aggregate gh-redact gh-sign gh-policy gh-train gh-show gh-diff; do
		in="$WORK/receipt.json"
		[ "$p" = gh-aggregate ] && in="$WORK/events.ndjson"
		rc=0
		case $p in
		gh-sign) gh-sign -H "$in" > /dev/full 2> "$WORK/err" ;;
		gh-diff) gh-diff --json "$in" "$in" > /dev/full 2> "$WORK/err" ;;
		gh-policy) gh-policy --json "$WORK/rules" "$in" > /dev/full 2> "$WORK/err" ;;
		*) "$p" "$in" > /dev/full 2> "$WORK/err" ;;
		esac || rc=$?
		[ "$rc" -eq 2 ] && grep -qF "$p: write error: No space left on device" "$WORK/err" ||
			{ echo "$p: exit $rc: $(cat "$WORK/err")"; false; }
	done
	rm -f "$WORK/db"
	rc=0
	gh-archive --help > /dev/full 2> "$WORK/err" || rc=$?
	[ $rc -eq 2 ] && grep -qF "gh-archive: write error: No space left on device" "$WORK/err"
}

# Run a command with stdout on a pipe whose reader is already gone.
closed_pipe() {
	python3 -c 'import os, subprocess, sys
r, w = os.pipe(); os.close(r)
sys.exit(subprocess.run(sys.argv[1:], stdout=w).returncode)' "$@"
}

@test "writing to a closed pipe is exit 2 with a write error, for every filter" {
	for p in gh-aggregate gh-redact gh-sign gh-policy gh-train gh-show gh-diff; do
		in="$WORK/receipt.json"
		[ "$p" = gh-aggregate ] && in="$WORK/events.ndjson"
		rc=0
		case $p in
		gh-sign) closed_pipe gh-sign -H "$in" 2> "$WORK/err" ;;
		gh-diff) closed_pipe gh-diff --json "$in" "$in" 2> "$WORK/err" ;;
		gh-policy) closed_pipe gh-policy --json "$WORK/rules" "$in" 2> "$WORK/err" ;;
		*) closed_pipe "$p" "$in" 2> "$WORK/err" ;;
		esac || rc=$?
		[ "$rc" -eq 2 ] && grep -qF "$p: write error: Broken pipe" "$WORK/err" ||
			{ echo "$p: exit $rc: $(cat "$WORK/err")"; false; }
	done
}
