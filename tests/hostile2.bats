#!/usr/bin/env bats
# Hostile input to the filters, second round (tests/hostile.bats is the
# first): names a traced command chooses that a filter would show as
# another name, ... Each test says what failed before its fix.
#
# Fixtures in tests/fixtures/hostile2/ are real recordings
# (tests/fixtures/hostile2/record), or a real receipt edited the way the
# test says.

bats_require_minimum_version 1.5.0
load filter

setup() {
	filter_setup
	F=$GH_ROOT/tests/fixtures/hostile2
	A=$GH_ROOT/tests/fixtures/aggregate
	T=$BATS_TEST_TMPDIR
}

# Before: a file named a\nb (a backslash and n) and one named a, newline,
# b were both shown as a\nb; the three names x\377y, x\376y and x, U+FFFD,
# y were one line x�y; a right-to-left override showed invoice<U+202E>fdp.exe
# as "invoiceexe.pdf".
@test "gh-show: names a terminal would show alike are shown apart" {
	gh-show --files "$F/names.json" > "$T/out"
	printf '%s\n' 'files      6 written' '  /tmp/gh-h2fx/' \
		'    written   a\nb  dash[5871]' \
		'    written   a\\nb  dash[5871]' \
		'    written   invoice\u202efdp.exe  dash[5871]' \
		'    written   x�y  dash[5871]' \
		'    written   x\xfey  dash[5871]' \
		'    written   x\xffy  dash[5871]' > "$T/want"
	diff -u "$T/want" "$T/out"
	# the twin: without the raw bytes (path_hex dropped, as an older tool
	# would write it) the receipt's own strings are all there is to show,
	# and the three names are one
	jq 'del(.filesystem.accesses[].path_hex)' "$F/names.json" > "$T/nohex.json"
	gh-show --files "$T/nohex.json" > "$T/out"
	grep -v '\\x' "$T/want" | sed 's/6 written/4 written/' | uniq > "$T/want2"
	diff -u "$T/want2" "$T/out"
	# the page shows them apart the same way
	gh-show --html "$F/names.json" > "$T/page.html"
	for n in 'a\nb' 'a\\nb' 'invoice\u202efdp.exe' 'x�y' 'x\xfey' 'x\xffy'; do
		grep -qF "<td>/tmp/gh-h2fx/$n</td>" "$T/page.html" || { echo "missing: $n"; false; }
	done
	! grep -qF $'\u202e' "$T/page.html" || false
}

# Before: gh-diff found nothing between a run that created x\377y and one
# that created x\376y (exit 0).
@test "gh-diff: runs whose files differ only in a byte that is not UTF-8 differ" {
	run --separate-stderr gh-diff "$F/diffa.json" "$F/diffb.json"
	[ "$status" -eq 1 ]
	printf '%s\n' "--- $F/diffa.json" "+++ $F/diffb.json" written \
		'- $CWD/x\xffy' '+ $CWD/x\xfey' > "$T/want"
	diff -u "$T/want" <(printf '%s\n' "$output")
	# the twin: a run against itself
	run --separate-stderr gh-diff "$F/diffa.json" "$F/diffa.json"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	# --json writes valid JSON, the bad bytes as U+FFFD, as receipts do
	run gh-diff --json "$F/diffa.json" "$F/diffb.json"
	[ "$status" -eq 1 ]
	echo "$output" > "$T/d.json"
	[ "$(jq -c .written "$T/d.json")" = '{"added":["$CWD/x�y"],"removed":["$CWD/x�y"]}' ]
}

# forged.json: the receipt of forged.ndjson, a real recording
# (forge.pl): the process sends itself a DNS answer naming 127.0.0.9 as
# gh-allowed.example on an unconnected socket, then connects there.
# Before: the peer carried names ["gh-allowed.example"] and the rules
# below passed the connect (exit 0).
@test "gh-aggregate, gh-policy: a DNS answer a process sends itself names no peer" {
	printf '%s\n' 'allow connect 127.0.0.1' 'allow connect gh-allowed.example:*' \
		'deny connect *' > "$T/r.rules"
	gh-aggregate "$F/forged.ndjson" > "$T/f.json"
	cmp "$F/forged.json" "$T/f.json"
	port=$(jq -r '.network.connections[] | select(.dst | startswith("127.0.0.9:")) | .dst' "$T/f.json")
	[ "$(jq -c '.network.connections[] | select(.dst | startswith("127.0.0.9:")) | .names' "$T/f.json")" = '[]' ]
	# the answer itself is still recorded
	[ "$(jq -c '.network.dns' "$T/f.json")" = "[{\"addresses\":[\"127.0.0.9\"],\"count\":1,\"name\":\"gh-allowed.example\",\"pids\":[$(jq '.process_tree[0].pid' "$T/f.json")],\"type\":\"A\"}]" ]
	run --separate-stderr gh-policy "$T/r.rules" "$T/f.json"
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "$T/r.rules:3: deny connect $port [proto=tcp] by pid $(jq '.process_tree[0].pid' "$T/f.json") (perl forge.pl)" ]
	[ "${#lines[@]}" -eq 2 ]
	# the twin: answers from port 53 (a socket connected there, TCP, the C
	# library's resolver) still name their peer, and the same rules pass it
	gh-aggregate "$GH_ROOT/tests/fixtures/policy/dns.ndjson" > "$T/dns.json"
	[ "$(jq -c '.network.connections[] | select(.dst == "127.0.0.7:41247") | .names' "$T/dns.json")" = '["gh-test.example","www.gh-test.example"]' ]
	sed 's/gh-allowed/gh-test/' "$T/r.rules" > "$T/r2.rules"
	run --separate-stderr gh-policy "$T/r2.rules" "$T/dns.json"
	[ "$status" -eq 0 ] || { echo "$output"; false; }
}

# csi.json: a real recording of a command that creates a file whose name
# holds U+009B (CSI as a C1 control) and 2J (clear the screen); names.json
# has a right-to-left override. Before: gh-policy wrote both characters
# raw in its violations, and --learn wrote the override raw in a rule.
@test "gh-policy: C1 controls and bidi overrides in a name are escaped in violations and learned rules" {
	printf 'deny write /tmp/**\n' > "$T/r.rules"
	run --separate-stderr gh-policy "$T/r.rules" "$F/csi.json"
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "$T/r.rules:1: deny write /tmp/gh-h2fx/x\\u009b2Jy [op=create] by pid 2596 (sh -c ': > \"\$(printf \"x\\\\302\\\\2332Jy\")\"')" ]
	# the twin: the receipt holds the character itself, and so does the
	# item of the JSON verdict, where it is data
	[ "$(jq -r '.filesystem.accesses[] | select(.op == "create") | .path' "$F/csi.json")" = $'/tmp/gh-h2fx/x\u009b2Jy' ]
	run gh-policy -j "$T/r.rules" "$F/csi.json"
	[ "$(jq -r '.violations[0].item' <<<"$output")" = $'/tmp/gh-h2fx/x\u009b2Jy' ]
	run --separate-stderr gh-policy "$T/r.rules" "$F/names.json"
	[ "$status" -eq 1 ]
	[[ "${lines[2]}" == "$T/r.rules:1: deny write /tmp/gh-h2fx/invoice\\u202efdp.exe [op=create] by pid 5871 (sh -c "* ]]
	! grep -qF $'\u202e' <<<"$output" || false
	# --learn: the override is one character of the pattern, which
	# allows that file (and is shown as ?)
	gh-policy --learn "$F/names.json" > "$T/learned.rules"
	grep -qx 'allow write $CWD/invoice?fdp.exe  *# 1 run, 1 entry' "$T/learned.rules"
	! grep -qF $'\u202e' "$T/learned.rules" || false
	run gh-policy "$T/learned.rules" "$F/names.json"
	[ "$status" -eq 0 ]
	# the twin: a rule that names another file does not allow it
	sed 's/invoice?fdp.exe/invoice?exe.pdf/' "$T/learned.rules" > "$T/other.rules"
	run gh-policy "$T/other.rules" "$F/names.json"
	[ "$status" -eq 1 ]
	[[ "${lines[0]}" == *'default deny write /tmp/gh-h2fx/invoice\u202efdp.exe [op=create] by pid 5871 '* ]]
}

# Before: gh-sign -V wrote strings of the receipt or envelope raw: an alg
# edited into a signed receipt sent its escape sequences to the terminal,
# and a subject name with a newline printed a line of its own that read
# like another subject's "ok".
@test "gh-sign -V: strings of the receipt or envelope never reach the terminal raw" {
	cp "$GH_ROOT/tests/fixtures/sign/key.pem" "$GH_ROOT/tests/fixtures/sign/pub.pem" "$T/"
	chmod 600 "$T/key.pem"
	gh-sign -S -s "$T/key.pem" "$A/net.json" > "$T/s.json"
	# a real signed receipt, its alg edited to clear the screen and set the
	# window title
	jq '.signature.alg = "\u001b[2J\u001b]0;pwned\u0007"' "$T/s.json" > "$T/alg.json"
	run --separate-stderr gh-sign -V -p "$T/pub.pem" "$T/alg.json"
	[ "$status" -eq 1 ]
	[ "$output" = "$T/alg.json: FAILED: unsupported signature algorithm \"\\x1b[2J\\x1b]0;pwned\\x07\"" ]
	[ "$stderr" = "gh-sign: $T/alg.json: unsupported signature algorithm \"\\x1b[2J\\x1b]0;pwned\\x07\"" ]
	# the twin: the alg as signed verifies
	run --separate-stderr gh-sign -V -p "$T/pub.pem" "$T/s.json"
	[ "$status" -eq 0 ]
	[ "$output" = "$T/s.json: signature ok" ]
	# an artifact whose name holds a newline and what reads as a line
	# of its own, attested as a subject
	mkdir "$T/out"
	echo app > "$T/out/app"
	sum=$(sha256sum < "$T/out/app" | cut -d' ' -f1)
	f="$T/out/x"$'\n'"e.json: subject app sha256:$sum ok"
	echo other > "$f"
	fsum=$(sha256sum < "$f" | cut -d' ' -f1)
	gh-sign --attest -s "$T/key.pem" --subject "$f" "$A/net.json" > "$T/e.json"
	run --separate-stderr gh-sign -V -p "$T/pub.pem" "$T/e.json"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 3 ]
	[ "${lines[2]}" = "$T/e.json: subject $T/out/x\\ne.json: subject app sha256:$sum ok sha256:$fsum ok" ]
	# the twin: the statement holds the name itself
	[ "$(jq -r .payload "$T/e.json" | base64 -d | jq -r '.subject[0].name')" = "$f" ]
	# and a change to the file is still found, named the same way
	echo changed > "$f"
	run --separate-stderr gh-sign -V -p "$T/pub.pem" "$T/e.json"
	[ "$status" -eq 1 ]
	[ "${lines[2]}" = "$T/e.json: FAILED: subject $T/out/x\\ne.json: subject app sha256:$sum ok: sha256 differs ($fsum in the statement)" ]
}

# Before: every receipt filter quoted an unknown version raw in its
# message, escape sequence and all.
@test "an unknown receipt version is quoted escaped by every filter" {
	printf 'require complete\n' > "$T/rules"
	jq '.version = "0.4\u001b]0;pwned\u0007\u001b[2J"' "$A/net.json" > "$T/v.json"
	jq '.version = "0.4"' "$A/net.json" > "$T/ok.json"
	for p in gh-redact gh-sign gh-policy gh-train gh-archive gh-show gh-diff; do
		case $p in
		gh-sign) cmd=(gh-sign -H) ;;
		gh-policy) cmd=(gh-policy "$T/rules") ;;
		gh-archive) cmd=(gh-archive "$T/db") ;;
		gh-diff) cmd=(gh-diff "$T/ok.json") ;;
		*) cmd=("$p") ;;
		esac
		run --separate-stderr "${cmd[@]}" "$T/v.json"
		[ "$status" -eq 2 ] && [ -z "$output" ] &&
			[ "$stderr" = "$p: $T/v.json:1: version: unknown receipt version \"0.4\\x1b]0;pwned\\x07\\x1b[2J\"" ] ||
			{ echo "$p: exit $status: $stderr"; false; }
		# the twin: the version it names
		run --separate-stderr "${cmd[@]}" "$T/ok.json"
		[ "$status" -le 1 ] || { echo "$p: exit $status: $stderr"; false; }
	done
}

# A chain of processes each the parent of the next, as deep as the command
# likes (a process that forks and exits, over and over: two alive at a
# time). chain.ndjson is a real recording of five such steps;
# tests/fixtures/hostile2/chain makes it 100000 deep from its records.
# Before: gh-show walked the tree by recursion and died of a stack
# overflow (SIGSEGV; the sanitizer build from 40000 deep), and --tree
# indented each line by its depth (about 10 GB at that depth).
@test "gh-show: a process chain 100000 deep is shown, folded below 100 levels" {
	"$F/chain" 100000 | gh-aggregate > "$T/chain.json"
	[ "$(jq '.process_tree | length' "$T/chain.json")" -eq 100001 ]
	run --separate-stderr gh-show --procs "$T/chain.json"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 102 ]
	[ "${lines[0]}" = "processes  100001, 1 distinct command" ]
	[ "${lines[100]}" = "$(printf '%200s%s' '' "perl -e 'for (1..5)...")" ]
	[ "${lines[101]}" = "$(printf '%202s%s' '' '... 99901 more processes below (gh-show --tree)')" ]
	run --separate-stderr gh-show "$T/chain.json"
	[ "$status" -eq 0 ]
	[ "${lines[3]}" = "processes  100001, 1 distinct command" ]
	gh-show --tree "$T/chain.json" > "$T/tree"
	[ "$(wc -l < "$T/tree")" -eq 100002 ]
	[ "$(sed -n 101p "$T/tree")" = "$(printf '%200s%s' '' "26297 perl -e 'for (1..5) { exit 0 if fork }' [exit 0]")" ]
	[ "$(sed -n 102p "$T/tree")" = "$(printf '%200s%s' '' "[depth 101] 26298 perl -e 'for (1..5) { exit 0 if fork }' [exit 0]")" ]
	[ "$(tail -1 "$T/tree")" = "$(printf '%200s%s' '' "[depth 100001] 126198 perl -e 'for (1..5) { exit 0 if fork }' [exit 0]")" ]
	gh-show --html "$T/chain.json" > "$T/page.html"
	[ "$(grep -c '<details' "$T/page.html")" -eq 100 ]
	grep -qx '<div class="leaf">... 99901 more processes below (gh-show --tree)</div>' "$T/page.html"
	# the twin: the recorded chain, six deep, is shown whole
	gh-aggregate "$F/chain.ndjson" > "$T/six.json"
	run gh-show --procs "$T/six.json"
	[ "${#lines[@]}" -eq 7 ]
	[ "${lines[6]}" = "$(printf '%12s%s' '' "perl -e 'for (1..5) { exit 0 if fork }'")" ]
	! grep -q 'more process' <<<"$output" || false
}

# spelled.json: a real recording of a command that reads a secret file
# under other spellings of its path (/a//b, /a/./b, /a/x/../b,
# /proc/self/root/a/b) and lists its directory with a final /. Before:
# gh-redact -m masked the file in filesystem but left those four
# spellings in argv and in the script of sh -c.
@test "gh-redact -m: a path written another way in argv is masked too" {
	gh-redact -m '/tmp/gh-h2fx/home/*/.ssh/**' "$F/spelled.json" > "$T/out.json"
	[ "$(jq -c '.process_tree[1:][].argv' "$T/out.json")" = "$(printf '%s\n' \
		'["cat","[REDACTED]","[REDACTED]"]' '["cat","[REDACTED]","[REDACTED]"]' \
		'["ls","[REDACTED]","/tmp/gh-h2fx/home/u//pub"]')" ]
	[ "$(jq -r '.process_tree[0].argv[2]' "$T/out.json")" = $'\n\t\tcat [REDACTED] [REDACTED]\n\t\tcat [REDACTED] [REDACTED]\n\t\tls [REDACTED] /tmp/gh-h2fx/home/u//pub' ]
	! grep -q '\.ssh/id' "$T/out.json" || false
	# the twin: without the glob every spelling stays
	gh-redact --no-default-secrets "$F/spelled.json" > "$T/kept.json"
	[ "$(grep -c '\.ssh/id' "$T/kept.json")" -gt 8 ]
	[ "$(jq -c '.process_tree[2].argv' "$T/kept.json")" = '["cat","/tmp/gh-h2fx/home/u/x/../.ssh/id","/proc/self/root/tmp/gh-h2fx/home/u/.ssh/id"]' ]
}

# aggregate/hostile.json (a real recording edited by hand, see its
# README) connects to an abstract unix socket whose name holds byte 0xff.
# Before: gh-show and gh-diff showed the peer as unix:@�sock, as they would
# a socket named with a real U+FFFD or any other bad byte.
@test "gh-show, gh-diff: a peer whose address is not UTF-8 is shown by its bytes" {
	run gh-show --net "$A/hostile.json"
	[ "$status" -eq 0 ]
	[ "${lines[1]}" = '  unix:@\xffsock  unix  connect  refused     x1    \x80"sh[500]' ]
	run gh-diff --net "$A/files.json" "$A/hostile.json"
	[ "$status" -eq 1 ]
	[ "${lines[4]}" = '+ unix connect unix:@\xffsock' ]
	# the twin: without dst_hex the receipt's own string is shown
	jq 'del(.network.attempts[].dst_hex, .network.connections[].dst_hex)' "$A/hostile.json" > "$T/nohex.json"
	run gh-show --net "$T/nohex.json"
	[ "${lines[1]}" = '  unix:@�sock  unix  connect  refused     x1    \x80"sh[500]' ]
}
