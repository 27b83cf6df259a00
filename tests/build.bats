#!/usr/bin/env bats
# The build and the conventions every program shares.

bats_require_minimum_version 1.5.0

PROGS="gh-trace gh-aggregate gh-redact gh-sign gh-policy gh-train gh-archive gh-show gh-diff"

@test "make install puts binaries, man pages and the starter policy in place" {
	make -s -C "$GH_ROOT" install DESTDIR="$BATS_TEST_TMPDIR/root" PREFIX=/usr > /dev/null
	(cd "$BATS_TEST_TMPDIR/root" && find . -type f | sort) > "$BATS_TEST_TMPDIR/got"
	cat > "$BATS_TEST_TMPDIR/want" <<'LIST'
./usr/bin/gh-aggregate
./usr/bin/gh-archive
./usr/bin/gh-diff
./usr/bin/gh-policy
./usr/bin/gh-redact
./usr/bin/gh-show
./usr/bin/gh-sign
./usr/bin/gh-trace
./usr/bin/gh-train
./usr/share/glasshouse/agent.rules
./usr/share/glasshouse/base-runtime.rules
./usr/share/man/man1/gh-aggregate.1
./usr/share/man/man1/gh-archive.1
./usr/share/man/man1/gh-diff.1
./usr/share/man/man1/gh-policy.1
./usr/share/man/man1/gh-redact.1
./usr/share/man/man1/gh-show.1
./usr/share/man/man1/gh-sign.1
./usr/share/man/man1/gh-trace.1
./usr/share/man/man1/gh-train.1
./usr/share/man/man5/gh-events.5
./usr/share/man/man5/gh-policy.5
./usr/share/man/man5/gh-receipt.5
./usr/share/man/man7/glasshouse.7
LIST
	diff -u "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
	[ -x "$BATS_TEST_TMPDIR/root/usr/bin/gh-trace" ]
}

@test "make uninstall removes what make install put there, and nothing else" {
	local r=$BATS_TEST_TMPDIR/root
	make -s -C "$GH_ROOT" install DESTDIR="$r" PREFIX=/usr > /dev/null
	# a file of the machine's own beside them stays
	echo mine > "$r/usr/share/man/man1/other.1"
	make -s -C "$GH_ROOT" uninstall DESTDIR="$r" PREFIX=/usr > /dev/null
	[ "$(cd "$r" && find . -type f)" = "./usr/share/man/man1/other.1" ]
	[ ! -e "$r/usr/share/glasshouse" ]
	# the twin: before uninstall the programs were there
	make -s -C "$GH_ROOT" install DESTDIR="$r" PREFIX=/usr > /dev/null
	[ -x "$r/usr/bin/gh-trace" ] && [ -e "$r/usr/share/glasshouse/agent.rules" ]
	# a policy of the machine's own keeps its directory
	echo "deny exec x" > "$r/usr/share/glasshouse/site.rules"
	make -s -C "$GH_ROOT" uninstall DESTDIR="$r" PREFIX=/usr > /dev/null
	[ "$(cd "$r" && find . -type f | sort)" = "./usr/share/glasshouse/site.rules
./usr/share/man/man1/other.1" ]
}

@test "every program: --help on stdout with exit 0, naming its synopsis" {
	for p in $PROGS; do
		run "$p" --help
		[ "$status" -eq 0 ] || { echo "$p --help: $status"; false; }
		[[ "$output" == *"$p"* ]] || { echo "$p: $output"; false; }
	done
}

@test "every program: --version prints its name and the version" {
	v=$(sed -n 's/^VERSION *:= *//p' "$GH_ROOT/Makefile")
	for p in $PROGS; do
		run "$p" --version
		[ "$status" -eq 0 ] && [ "$output" = "$p $v" ] || { echo "$p: $status $output"; false; }
	done
}

@test "every program: an unknown option is a usage error, exit 2, on stderr" {
	for p in $PROGS; do
		run --separate-stderr "$p" --no-such-option
		[ "$status" -eq 2 ] && [ -z "$output" ] && [[ "$stderr" == *"$p"* ]] ||
			{ echo "$p: $status out=$output err=$stderr"; false; }
	done
}

@test "every program: a bad option is named as typed, then the usage, exit 2" {
	# PROGRAM, arguments, the message; each with an unknown short option
	# and long option too
	while IFS='|' read -r p args want; do
		for a in "$args" -x --no-such; do
			case $a in
			"$args") w=$want ;;
			-x) w="unknown option '-x'" ;;
			*) w="unknown option '--no-such'" ;;
			esac
			run --separate-stderr "$p" $a < /dev/null
			hint="usage: $p "
			[ "$status" -eq 2 ] && [ -z "$output" ] &&
				[ "${stderr_lines[0]}" = "$p: $w" ] &&
				[[ "${stderr_lines[1]}" == "$hint"* ]] ||
				{ echo "$p $a: $status out=$output err=$stderr"; false; }
		done
	done <<'TABLE'
gh-trace|-o|option '-o' needs an argument
gh-trace|--keep=1|option '--keep' takes no argument
gh-aggregate|--v0=1|option '--v0' takes no argument
gh-aggregate|--v|option '--v' is ambiguous
gh-redact|--mask|option '--mask' needs an argument
gh-sign|-p|option '-p' needs an argument
gh-policy|--fold-files|option '--fold-files' needs an argument
gh-policy|--json=yes|option '--json' takes no argument
gh-train|--csv=1|option '--csv' takes no argument
gh-archive|--export|option '--export' needs an argument
gh-show|--color|option '--color' needs an argument
gh-diff|--json=1|option '--json' takes no argument
TABLE
	# the twin: the same options well formed are no usage error
	run --separate-stderr gh-aggregate --v0 "$GH_ROOT/tests/fixtures/aggregate/net.ndjson"
	[ "$status" -eq 0 ] && [ -z "$stderr" ]
	cmp <(printf '%s\n' "$output") "$GH_ROOT/tests/fixtures/aggregate/net.v0.json"
	run --separate-stderr gh-diff --json "$GH_ROOT/tests/fixtures/aggregate/net.json" \
		"$GH_ROOT/tests/fixtures/aggregate/net.json"
	[ "$status" -eq 0 ] && [ -z "$stderr" ]
	run --separate-stderr gh-policy --fold-files 3 --learn
	[ "$stderr" = "gh-policy: --learn: missing receipts"$'\n'"usage: gh-policy [-v | -j | -a | -q] [--allow-redacted] [--stats] RULES [RECEIPT]"$'\n'"       gh-policy -c RULES"$'\n'"       gh-policy --learn [--fold-files N] [--fold-runs N] RECEIPT..." ]
}

# synopsis PROGRAM: its man page's SYNOPSIS as rendered, on one line (its
# first paragraph: the forms, not a paragraph after them)
synopsis() {
	groff -man -Tutf8 -rLL=200n -P-cbou "$GH_ROOT/man/man1/$1.1" 2>/dev/null |
		sed -n '/^SYNOPSIS/,/^$/p' | sed '1d;$d' |
		tr -s ' \n' ' ' | sed 's/^ //; s/ $//'
}

@test "every program: the usage --help begins with is its man page's SYNOPSIS" {
	for p in $PROGS; do
		want=$(synopsis "$p")
		[ -n "$want" ]
		got=$("$p" --help | sed -n '1,/^[^ u]/p' | grep -E '^(usage: | )' |
			sed 's/^usage: //' | tr -s ' \n' ' ' | sed 's/^ //; s/ $//')
		[ "$got" = "$want" ] || { echo "$p: --help: $got"; echo "$p: man: $want"; false; }
	done
	# the twin: a synopsis that lacks an option is told apart
	[ "$(synopsis gh-archive)" != "gh-archive [-rv] DB [RECEIPT...] gh-archive --export ID [--pretty] DB gh-archive --export-all DB gh-archive --init DB" ]
}
