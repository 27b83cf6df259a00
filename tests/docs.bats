#!/usr/bin/env bats
# The documentation: man pages render without warnings, have headers of one
# form, and their EXAMPLES run as printed (tests/docs/man-examples); the
# README's quick start is what CI runs.

bats_require_minimum_version 1.5.0

EX=$GH_ROOT/tests/docs/man-examples

# The files the examples name, in a directory every page's blocks start from.
setup_file() {
	local s=$BATS_FILE_TMPDIR/scratch fx=$GH_ROOT/tests/fixtures
	export SCRATCH=$s
	mkdir -p "$s/policies" "$s/receipts"
	printf 'all:\n\t@echo built\n' > "$s/Makefile"
	printf '#!/bin/sh\necho "agent: step"\ncat /etc/hostname > /dev/null\nls "$HOME/.ssh" > /dev/null 2>&1\necho done > notes.txt\n' > "$s/agent.sh"
	printf '#!/bin/sh\necho building\ncat /etc/os-release > /dev/null\ncat config.h 2>/dev/null || true\n' > "$s/build.sh"
	cp "$s/agent.sh" "$s/agent-step.sh"
	mkdir "$s/keys"
	chmod +x "$s/agent.sh" "$s/agent-step.sh" "$s/build.sh"
	(cd "$s" && gh-sign -G -s key.pem -p pub.pem && cp pub.pem keys/ci.pub.pem) >&2
	for r in agent.rules rules.conf ci.rules rules policies/agent.rules; do
		cp "$GH_ROOT/policies/agent.rules" "$s/$r"
	done
	cp "$fx/aggregate/files.json" "$s/receipt.json"
	cp "$fx/aggregate/files.ndjson" "$s/trace.ndjson"
	cp "$fx/aggregate/files.json" "$fx/aggregate/net.json" "$fx/aggregate/stdout.json" "$s/receipts/"
	# for pages that begin by making their key pair
	cp -a "$s" "$s-nokeys"
	rm "$s-nokeys/key.pem" "$s-nokeys/pub.pem"
	# gh-trace --keep in a bpf filesystem of this file's own
	export KEPT_FS=$BATS_FILE_TMPDIR/bpf
	mkdir -p "$KEPT_FS"
	mount -t bpf bpf "$KEPT_FS"
	export GH_TRACE_PIN_DIR=$KEPT_FS/glasshouse
}

teardown_file() {
	[ -n "${KEPT_FS:-}" ] || return 0
	gh-trace --unload
	umount "$KEPT_FS"
}

setup() {
	cd "$BATS_TEST_TMPDIR" || return 1
}

# header_ok PAGE: its .TH line is
#   .TH NAME SECTION YYYY-MM-DD "glasshouse VERSION" "glasshouse manual"
header_ok() {
	local f=$1 base name sec v th
	base=${f##*/} name=${base%.*} sec=${base##*.}
	v=$(sed -n 's/^VERSION *:= *//p' "$GH_ROOT/Makefile")
	th=$(grep -m1 '^\.TH ' "$f")
	[[ "$th" =~ ^\.TH\ ${name^^}\ $sec\ [0-9]{4}-[0-9]{2}-[0-9]{2}\ \"glasshouse\ $v\"\ \"glasshouse\ manual\"$ ]] ||
		{ echo "$f: $th"; return 1; }
}

@test "every man page renders without warnings, on a terminal and on the default device" {
	for m in "$GH_ROOT"/man/man*/*.[157]; do
		for dev in utf8 ps; do
			run groff -man -T"$dev" -ww -z "$m"
			[ "$status" -eq 0 ] && [ -z "$output" ] || { echo "$m ($dev): $output"; false; }
		done
	done
}

@test "a character the device lacks makes groff warn (the check above can fail)" {
	printf '.TH X 1\n.SH NAME\nx \\[uFFFD]\n' > x.1
	run groff -man -Tps -ww -z x.1
	[[ "$output" == *"special character 'uFFFD'"* ]]
}

@test "every man page has a header of one form" {
	n=0
	for m in "$GH_ROOT"/man/man*/*.[157]; do
		header_ok "$m"
		n=$((n + 1))
	done
	[ "$n" -ge 11 ]
}

@test "a header of another form is caught" {
	mkdir -p man1
	printf '.TH GH-X 1 2026-11-22 "glasshouse 0.1.0" "User Commands"\n' > man1/gh-x.1
	run header_ok man1/gh-x.1
	[ "$status" -eq 1 ]
	printf '.TH GH-Y 1 2026-11-22 "glasshouse 0.1.0" "glasshouse manual"\n' > man1/gh-x.1
	run header_ok man1/gh-x.1
	[ "$status" -eq 1 ]
}

@test "every EXAMPLES block of every man page runs as printed, or says why it cannot" {
	local m all="" st=0
	for m in "$GH_ROOT"/man/man*/*.[157]; do
		# a page whose examples make the key pair starts without one
		if grep -q '^gh-sign \\-G' "$m"; then
			run "$EX" "$SCRATCH-nokeys" "$m"
		else
			run "$EX" "$SCRATCH" "$m"
		fi
		echo "$output"
		all+=$output$'\n'
		[ "$status" -eq 0 ] || st=1
	done
	[ "$st" -eq 0 ]
	# every page has examples, and most of them run
	[ "$(grep -c '^ok ' <<<"$all")" -ge 25 ]
	! grep -q '^FAIL' <<<"$all"
	# a block that is not run says why
	! grep -qE '^skip [^:]+:[0-9]+: *$' <<<"$all"
}

# page NAME BLOCK...: a man page NAME.1 whose EXAMPLES hold the BLOCKs
# (lines starting with .\" are put before the block, as markers).
page() {
	local name=$1 b
	shift
	{
		printf '.TH %s 1\n.SH NAME\n%s \\- x\n.SH EXAMPLES\n' "${name^^}" "$name"
		for b in "$@"; do
			if [[ "$b" == '.\"'* ]]; then
				printf '%s\n' "$b"
			else
				printf 'Text:\n.PP\n.EX\n%s\n.EE\n' "$b"
			fi
		done
	} > "$name.1"
}

@test "man-examples: a block that fails is a failure, named by page and line" {
	mkdir s
	page a 'echo one > f' 'grep \-q one f' 'grep \-q two f'
	run -1 "$EX" s a.1
	[ "${lines[0]}" = "ok a.1:8" ]
	[ "${lines[1]}" = "ok a.1:13" ]
	[ "${lines[2]}" = "FAIL a.1:18: exit 1, want 0" ]
	[ "${lines[3]}" = "#   grep -q two f" ]
	# the blocks ran in order, in a copy of the scratch directory
	[ ! -e s/f ]
}

@test "man-examples: markers: an expected exit status, a block not run with its reason" {
	mkdir s
	page b '.\" example: exit 3' 'exit 3' '.\" example: not run: needs a network' 'curl https://example.com/' 'true'
	run -0 "$EX" s b.1
	[ "$output" = "ok b.1:9
skip b.1:15: needs a network
ok b.1:20" ]
	# the twin: the same status unmarked fails
	page c 'exit 3'
	run -1 "$EX" s c.1
	[ "${lines[0]}" = "FAIL c.1:8: exit 3, want 0" ]
}

@test "man-examples: a marker without a reason, an unknown escape and a page without examples are errors" {
	mkdir s
	page d '.\" example: not run:' 'true'
	run -2 "$EX" s d.1
	[[ "$output" == *"d.1:5: bad marker"* ]]
	page e 'echo \q'
	run -2 "$EX" s e.1
	[[ "$output" == *"unknown escape"* ]]
	printf '.TH F 1\n.SH NAME\nf\n' > f.1
	run -1 "$EX" s f.1
	[ "$output" = "FAIL f.1: no EXAMPLES block" ]
}

@test "the README's quick start is two commands that need no make, and CI runs the second" {
	mapfile -t cmds < <(awk '/^## /{on = ($0 == "## Quick start")} on && /^    [^ ]/ {
		sub(/^    /, ""); sub(/[ \t]+#.*$/, ""); print }' "$GH_ROOT/README.md")
	[ "${#cmds[@]}" -eq 2 ]
	[ "${cmds[0]}" = "sh scripts/demo" ]
	[ "${cmds[1]}" = "sh scripts/test" ]
	# .ci/run runs exactly that command and nothing else
	[ "$(grep -v -e '^#' -e '^set ' -e '^cd ' -e '^$' "$GH_ROOT/.ci/run")" = "${cmds[1]}" ]
	# both scripts install what is missing (make included) before they call make
	for s in demo test; do
		run sed -n '/^sh scripts\/deps.sh$/=;/make /=' "$GH_ROOT/scripts/$s"
		[ "${lines[0]}" -lt "${lines[1]}" ]
		head -1 "$GH_ROOT/scripts/$s" | grep -qx '#!/bin/sh'
	done
	grep -qx make "$GH_ROOT/scripts/deps.sh"
}

@test "the README makes the keys it signs with before using them" {
	local g s
	g=$(grep -n 'gh-sign -G' "$GH_ROOT/README.md" | head -1 | cut -d: -f1)
	s=$(grep -n 'key\.pem' "$GH_ROOT/README.md" | head -1 | cut -d: -f1)
	[ -n "$g" ] && [ "$g" -eq "$s" ]
	# where make install puts the starter policy (tests/build.bats) is written down
	grep -q '/usr/local/share/glasshouse/agent.rules' "$GH_ROOT/README.md"
	for m in man1/gh-policy.1 man7/glasshouse.7; do
		groff -man -Tutf8 -P-cbou "$GH_ROOT/man/$m" 2>/dev/null | sed -n '/^FILES/,/^[A-Z]/p' |
			grep -q '/usr/local/share/glasshouse/agent.rules' || { echo "$m: no FILES entry"; false; }
	done
}
