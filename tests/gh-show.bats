#!/usr/bin/env bats
# gh-show: receipts summarized for people (man/man1/gh-show.1).
# The receipts in tests/fixtures/show were made by the real tracer
# (tests/fixtures/show/record); the expected outputs beside them were
# written by gh-show and checked by hand against the receipts.

load filter

setup() {
	filter_setup
	F=$GH_ROOT/tests/fixtures/show
	A=$GH_ROOT/tests/fixtures/aggregate
	T=$BATS_TEST_TMPDIR
	unset NO_COLOR
}

# same EXPECTED ACTUAL: compare two files, showing the difference
same() {
	diff -u "$1" "$2"
}

# bad FILTER: gh-show on a.json changed by the jq FILTER; prints stderr,
# checks that stdout stays empty, returns gh-show's status.
bad() {
	bad_input gh-show "$F/a.json" "$1"
}

# --- options -----------------------------------------------------------------

@test "--help prints the usage on stdout and exits 0" {
	run gh-show --help
	[ "$status" -eq 0 ]
	[ "$output" = "$(cat "$F/help.txt")" ]
	run gh-show -h
	[ "$output" = "$(cat "$F/help.txt")" ]
}

@test "--version prints name and version" {
	run gh-show --version
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^gh-show\ [0-9]+\.[0-9]+\.[0-9]+$ ]]
}

@test "an unknown option is a usage error: exit 2, nothing on stdout" {
	gh-show --bogus "$F/a.json" > "$T/out" 2> "$T/err" && false || rc=$?
	[ "$rc" -eq 2 ]
	[ ! -s "$T/out" ]
	grep -qx "gh-show: unknown option '--bogus'" "$T/err"
	grep -q '^usage: gh-show ' "$T/err"
	# an unknown letter before a known one is named, not the program
	run --separate-stderr gh-show -xh "$F/a.json"
	[ "$status" -eq 2 ]
	[ "${stderr_lines[0]}" = "gh-show: unknown option '-x'" ]
	run --separate-stderr gh-show --color
	[ "$status" -eq 2 ]
	[ "${stderr_lines[0]}" = "gh-show: option '--color' needs an argument" ]
	# the twin: -h alone is help
	run --separate-stderr gh-show -h
	[ "$status" -eq 0 ]
}

@test "two sections at once are refused; one twice is fine" {
	run gh-show --files --net "$F/a.json"
	[ "$status" -eq 2 ]
	[ "${lines[0]}" = "gh-show: can't combine --files and --net" ]
	run gh-show --html --tree "$F/a.json"
	[ "$status" -eq 2 ]
	[ "${lines[0]}" = "gh-show: can't combine --html and --tree" ]
	run gh-show --files --files "$F/a.json"
	[ "$status" -eq 0 ]
}

@test "--color takes auto, always or never only" {
	run gh-show --color=sometimes "$F/a.json"
	[ "$status" -eq 2 ]
	[ "${lines[0]}" = "gh-show: --color: expected auto, always or never, not 'sometimes'" ]
	run gh-show --color=never "$F/a.json"
	[ "$status" -eq 0 ]
}

@test "two files are a usage error" {
	run gh-show "$F/a.json" "$F/b.json"
	[ "$status" -eq 2 ]
	[ "${lines[0]}" = "gh-show: too many arguments: '$F/b.json'" ]
}

# --- the summary ----------------------------------------------------------------

@test "summary of a real job: exact output, from a file and from stdin" {
	gh-show "$F/a.json" > "$T/out"
	same "$F/a.txt" "$T/out"
	gh-show < "$F/a.json" > "$T/out"
	same "$F/a.txt" "$T/out"
	gh-show - < "$F/a.json" > "$T/out"
	same "$F/a.txt" "$T/out"
}

@test "the summary fits in 50 lines, even for a thousand processes" {
	run gh-show "$F/a.json"
	[ "${#lines[@]}" -le 50 ]
	# 1000 more children of the shell, each with a child of its own
	jq '.process_tree as $p | ($p[0].pid) as $root |
	    .process_tree += [range(0; 1000) | {pid: (100000 + .), ppid: $root,
	      exe: "/usr/bin/sleep", argv: ["sleep", "\(.)"], exit_code: 0}] +
	    [range(0; 1000) | {pid: (200000 + .), ppid: (100000 + .),
	      exe: "/usr/bin/true", argv: ["true"], exit_code: 0}]' \
		"$F/a.json" > "$T/big.json"
	gh-show "$T/big.json" > "$T/out"
	[ "$(wc -l < "$T/out")" -le 50 ]
	grep -qx 'processes  2057, 1019 distinct commands' "$T/out"
	# the deepest level is cut first: the shell's first children stay,
	# the line that hides a child's own says how many it hides
	grep -qx '    mkdir -p build' "$T/out"
	grep -qx '    sleep 0 (+1 below)' "$T/out"
	grep -q '^  \.\.\. [0-9]* more lines (gh-show --procs)$' "$T/out"
	# the twin: --procs shows it all
	gh-show --procs "$T/big.json" > "$T/procs"
	[ "$(wc -l < "$T/procs")" -gt 1000 ]
}

@test "folding: alike siblings are one line with a count, --tree shows each" {
	gh-show --procs "$F/a.json" > "$T/out"
	same "$F/a.procs" "$T/out"
	grep -qx '    40x /bin/true' "$T/out"
	[ "$(grep -c '/bin/true' "$T/out")" -eq 1 ]
	gh-show --tree "$F/a.json" > "$T/out"
	same "$F/a.tree" "$T/out"
	[ "$(grep -c '^    [0-9]* /bin/true \[exit 0\]$' "$T/out")" -eq 40 ]
}

@test "--tree: a process killed by a signal shows the signal, not an exit code" {
	jq '(.process_tree[] | select(.pid == 3363)) |= (.exit_code = null | .signal = 9)' \
		"$F/a.json" > "$T/killed.json"
	gh-show --tree "$T/killed.json" > "$T/out"
	grep -qx '    3363 mkdir -p build \[signal 9\]' "$T/out"
	# the summary lists it with the failures that matter
	gh-show "$T/killed.json" | grep -qx '  signal 9   mkdir -p build  mkdir\[3363\]'
	# twin: the fixture's own process exited
	gh-show --tree "$F/a.json" | grep -qx '    3363 mkdir -p build \[exit 0\]'
	! gh-show "$F/a.json" | grep -q 'signal 9' || false
}

@test "folding: siblings differing in exit status are not folded together" {
	jq '(.process_tree[] | select(.argv == ["/bin/true"])) |= (if .pid % 2 == 0 then .exit_code = 1 else . end)' \
		"$F/a.json" > "$T/mixed.json"
	gh-show --procs "$T/mixed.json" > "$T/out"
	even=$(jq '[.process_tree[] | select(.argv == ["/bin/true"]) | select(.pid % 2 == 0)] | length' "$F/a.json")
	grep -qx "    ${even}x /bin/true \[exit 1\]" "$T/out"
	grep -qx "    $((40 - even))x /bin/true" "$T/out"
}

@test "--files, --net: one section whole" {
	gh-show --files "$F/a.json" > "$T/out"
	same "$F/a.files" "$T/out"
	gh-show --net "$F/a.json" > "$T/out"
	same "$F/a.net" "$T/out"
	# the summary cut the network section; --net did not
	grep -q 'more lines (gh-show --net)' "$F/a.txt"
	grep -q 'listen' "$T/out"
	! grep -q 'listen' "$F/a.txt" || false
}

@test "net effect: what the run left behind, not writes minus deletes" {
	gh-show --files "$F/a.json" > "$T/out"
	# created then renamed then removed in its own temporary directory
	grep -qx '    transient a  dash\[[0-9]*\]' "$T/out"
	# a file that was there before and was removed
	grep -qx '    deleted   old.txt  rm\[[0-9]*\]' "$T/out"
	grep -qx '    renamed   a -> b  mv\[[0-9]*\]' "$T/out"
	# the rename's target is not listed again as created
	! grep -Eq '^    (written|created) +b  ' "$T/out" || false
	# a directory made by the run folds what is inside it in the summary
	grep -qx '    created   newdir/ (+2 inside)  mkdir\[[0-9]*\]' "$F/a.txt"
	grep -qx '  workspace /srv/gh-show-fx/ws-a: 1 created, 3 written, 1 deleted' "$F/a.txt"
	grep -qx '  temporary dirs: 1 written, 3 created and removed' "$F/a.txt"
	# the twin: the temporary directory and the renamed file kept
	t=$(jq -r '[.filesystem.accesses[] | select(.op == "mkdir") | .path | select(startswith("/tmp/"))][0]' "$F/a.json")
	jq --arg t "$t" '.filesystem.accesses |= map(select(.path != $t + "/b" and (.op != "rmdir" or .path != $t)))' \
		"$F/a.json" > "$T/kept.json"
	gh-show --files "$T/kept.json" > "$T/out"
	grep -qx "  $t/" "$T/out"
	grep -qx '    transient a  dash\[[0-9]*\]' "$T/out"
	grep -qx '    written   b  mv\[[0-9]*\]' "$T/out"
	gh-show "$T/kept.json" > "$T/out"
	grep -qx '  temporary dirs: 1 created, 2 written, 1 created and removed' "$T/out"
}

@test "failures: harmless lookups are a count, failures that matter are listed" {
	grep -qx 'failures   5 that matter; 255 harmless lookups folded (not found, already there)' "$F/a.txt"
	grep -qx '  EACCES     read /var/cache/gh-show-fx/secret  cat\[[0-9]*\]' "$F/a.txt"
	grep -qx '  not found  exec nosuchtool (11 paths tried)  env\[[0-9]*\]' "$F/a.txt"
	# PATH entries tried before the program was found are not failures
	! grep -q 'not found  exec sh' "$F/a.txt" || false
	# the twin: a read refused with EACCES is not folded as harmless
	jq '(.filesystem.accesses[] | select(.result == "EACCES")) .result = "ENOENT"' \
		"$F/a.json" > "$T/noise.json"
	gh-show "$T/noise.json" > "$T/out"
	grep -qx 'failures   4 that matter; 256 harmless lookups folded (not found, already there)' "$T/out"
}

@test "sensitive paths: the list in lib/sensitive, attempts included" {
	grep -qx 'sensitive  2 accesses to secrets' "$F/a.txt"
	grep -qx '  read           /etc/shadow  cat\[[0-9]*\]' "$F/a.txt"
	grep -qx '  read ENOENT    /root/.ssh/gh-show-fx-missing  cat\[[0-9]*\]' "$F/a.txt"
	grep -qx 'sensitive  no known secret path touched' "$F/hostile.txt"
	# the twin: a path beside a secret one is not one
	jq '(.filesystem.accesses[] | select(.path == "/etc/shadow")) .path = "/etc/shadows"' \
		"$F/a.json" > "$T/near.json"
	gh-show "$T/near.json" > "$T/out"
	grep -qx 'sensitive  1 access to secrets' "$T/out"
}

@test "completeness: partial and untraced are red, complete is green" {
	gh-show --color=always "$A/lost.json" > "$T/out"
	same "$F/lost.color" "$T/out"
	grep -qF $'record     \e[0m\e[1;31mPARTIAL: lost 1 records: user memory fault; lost 3 records: ring buffer full\e[0m' "$T/out"
	gh-show --color=always "$A/noaudit.json" > "$T/out"
	same "$F/noaudit.color" "$T/out"
	grep -qF $'\e[1;31mUNTRACED: audit unavailable: not running as root (euid 65534)\e[0m' "$T/out"
	gh-show --color=always "$F/a.json" > "$T/out"
	grep -qF $'record     \e[0m\e[32mcomplete\e[0m' "$T/out"
	gh-show "$A/cut.json" > "$T/out"
	grep -qx 'record     PARTIAL: stream ended without end record' "$T/out"
	grep -qx 'exit       killed by signal 15 after 280 ms: stream ended without end record' "$T/out"
}

@test "colours: only on a terminal, NO_COLOR honoured, --color wins" {
	esc=$'\e['
	gh-show "$F/a.json" > "$T/out"
	! grep -qF "$esc" "$T/out" || false
	gh-show --color=never "$F/a.json" > "$T/out"
	! grep -qF "$esc" "$T/out" || false
	# on a terminal (script gives the command one)
	script -qec "gh-show $F/a.json" /dev/null > "$T/tty"
	grep -qF "$esc" "$T/tty"
	NO_COLOR=1 script -qec "gh-show $F/a.json" /dev/null > "$T/tty"
	! grep -qF "$esc" "$T/tty" || false
	NO_COLOR=1 script -qec "gh-show --color=always $F/a.json" /dev/null > "$T/tty"
	grep -qF "$esc" "$T/tty"
	NO_COLOR= script -qec "gh-show $F/a.json" /dev/null > "$T/tty"
	grep -qF "$esc" "$T/tty"
}

@test "hostile strings: escape sequences and newlines never reach the terminal raw" {
	gh-show "$F/hostile.json" > "$T/out"
	same "$F/hostile.txt" "$T/out"
	gh-show --tree "$F/hostile.json" > "$T/out"
	same "$F/hostile.tree" "$T/out"
	# the receipt holds a real ESC and newline in a file name ...
	jq -e '[.filesystem.accesses[].path | select(test("\u001b\\[31mred\nnew"))] | length == 1' "$F/hostile.json"
	# ... which gh-show writes as \x1b and \n (and its byte 0xff, not
	# UTF-8, as \xff)
	grep -qF "touch 'q\"uote&amp;\\x1b[31mred\\nnew\\xffline'" "$T/out"
	! grep -qF $'\e' "$T/out" || false
	gh-show --color=always "$F/hostile.json" > "$T/out"
	same "$F/hostile.color" "$T/out"
	# C1 controls (CSI is U+009B) are escaped too
	jq '.process_tree[1].argv = ["x\u009b31my"]' "$F/hostile.json" > "$T/c1.json"
	gh-show --procs "$T/c1.json" > "$T/out"
	grep -qxF "    'x\\u009b31my'" "$T/out"
	! grep -qF $'\xc2\x9b' "$T/out" || false
}

@test "arguments are shell words: [\"a b\"] and [\"a\", \"b\"] read apart, in the command and the processes" {
	jq '.process_tree[1].argv = ["echo", "a b", "it'"'"'s", ""] | .provenance.command = ["sh", "-c", "x y"]' \
		"$F/hostile.json" > "$T/one.json"
	gh-show --procs "$T/one.json" > "$T/out"
	[ "$(sed -n 3p "$T/out")" = "    echo 'a b' 'it'\\\\''s' ''" ]
	[ "$(gh-show "$T/one.json" | head -n 1)" = "command    sh -c 'x y'" ]
	# the twin: the same text as separate words is not quoted
	jq '.process_tree[1].argv = ["echo", "a", "b"] | .provenance.command = ["sh", "-c", "x", "y"]' \
		"$F/hostile.json" > "$T/two.json"
	gh-show --procs "$T/two.json" > "$T/out"
	[ "$(sed -n 3p "$T/out")" = "    echo a b" ]
	[ "$(gh-show "$T/two.json" | head -n 1)" = "command    sh -c x y" ]
}

# --- the network: names, results, bytes, processes ------------------------------

@test "network: peers by name and address, with result, bytes and process (real DNS and TCP)" {
	gh-show "$F/net.json" > "$T/out"
	same "$F/net.txt" "$T/out"
	gh-show --net "$F/net.json" > "$T/out"
	same "$F/net.net" "$T/out"
	port=$(jq -r '.network.attempts[] | select(.dst | startswith("127.0.0.7:")) | .dst | sub(".*:"; "")' "$F/net.json")
	# the name DNS gave the address (and its CNAME: +1), the bytes the
	# kernel counted on the socket, the process that connected
	pid=$(jq '.process_tree[] | select(.argv[1] == "conn.py" and .argv[2] == "127.0.0.7") | .pid' "$F/net.json")
	grep -qx "  gh-test.example +1 (127.0.0.7:$port)  tcp   connect  ok          x1   1234 B out, 300 B in  python3.11\[$pid\]" "$T/out"
	[ "$(jq -c --arg d "127.0.0.7:$port" '.network.connections[] | select(.dst == $d) | [.names, .bytes_sent, .bytes_received]' "$F/net.json")" = \
		'[["gh-test.example","www.gh-test.example"],1234,300]' ]
	grep -qx '  127.0.0.1:1                           tcp   connect  refused     x1                         python3.11\[[0-9]*\]' "$T/out"
	grep -qx 'network    3 outbound, 0 inbound; 1300 bytes sent, 476 received; 1 name looked up' "$T/out"
	[ "$(jq -c '[.network.bytes_sent, .network.bytes_received]' "$F/net.json")" = '[1300,476]' ]
	# --net lists the names asked, with their answers
	grep -qx '  dns gh-test.example A -> 127.0.0.7  x1  python3.11\[[0-9]*\]' "$T/out"
	grep -qx '  dns gh-test.example AAAA -> ::1  x1  python3.11\[[0-9]*\]' "$T/out"
	! grep -q '^  dns ' "$F/net.txt" || false
	# the summary names every name asked on one line, those without an
	# answer said so
	grep -qx '  names    gh-test.example' "$F/net.txt"
	gh-show "$F/net-b.json" > "$T/out"
	grep -qx '  names    gh-test.example, other.gh-test.example (no address)' "$T/out"
	grep -qx 'network    3 outbound, 0 inbound; 1378 bytes sent, 554 received; 2 names looked up' "$T/out"
	# with more peers than fit, the names line stays, after the cut
	jq '.network.attempts += [range(100; 120) as $p | .network.attempts[0] | .dst = "127.0.0.1:\($p)"]' \
		"$F/net-b.json" > "$T/many.json"
	gh-show "$T/many.json" > "$T/out"
	[ "$(sed -n '/^network/,/^failures/p' "$T/out" | tail -3 | head -2)" = "  ... 18 more lines (gh-show --net)
  names    gh-test.example, other.gh-test.example (no address)" ]
	# the connections list read in any order
	jq '.network.connections |= reverse' "$F/net.json" > "$T/rev.json"
	gh-show --net "$T/rev.json" > "$T/out"
	same "$F/net.net" "$T/out"
}

@test "network: the twin: a receipt without bytes and names keeps the older wording" {
	# the same receipt as a tracer without socket ends or DNS records writes it
	jq '.network |= (del(.dns, .dns_malformed) | .bytes_received = null | .bytes_sent = 66 |
	    .connections |= map(del(.bytes_sent, .bytes_received, .names)))' "$F/net.json" > "$T/old.json"
	gh-show --net "$T/old.json" > "$T/out"
	grep -qx 'network    3 outbound, 0 inbound; 66 bytes sent by sends with an address' "$T/out"
	grep -q '^  127.0.0.7:[0-9]*  *tcp   connect  ok          x1    python3.11\[[0-9]*\]$' "$T/out"
	! grep -q 'gh-test.example\|B out\|received\|^  dns \|^  names ' "$T/out" || false
	gh-show "$T/old.json" > "$T/out"
	! grep -q '^  names \|looked up' "$T/out" || false
	# and a name is what the receipt says, not guessed from elsewhere
	jq '(.network.connections[] | select(.names != [])).names = ["other.example"]' "$F/net.json" > "$T/other.json"
	gh-show --net "$T/other.json" > "$T/out"
	grep -q '^  other.example (127.0.0.7:[0-9]*)  *tcp ' "$T/out"
	! grep -q '+1 (127.0.0.7' "$T/out" || false
}

@test "network: bad bytes, names or DNS entries are refused, naming the member" {
	jq '.network.connections[2].bytes_sent = "x"' "$F/net.json" > "$T/bad.json"
	run gh-show "$T/bad.json"
	[ "$status" -eq 2 ]
	[ "$output" = "gh-show: $T/bad.json:1: network.connections[2].bytes_sent: expected an integer" ]
	jq '.network.connections[2].names = [1]' "$F/net.json" > "$T/bad.json"
	run gh-show "$T/bad.json"
	[ "$status" -eq 2 ]
	[ "$output" = "gh-show: $T/bad.json:1: network.connections[2].names: expected an array of strings" ]
	jq '.network.dns[1].addresses = "x"' "$F/net.json" > "$T/bad.json"
	run gh-show --net "$T/bad.json"
	[ "$status" -eq 2 ]
	[ "$output" = "gh-show: $T/bad.json:1: network.dns[1].addresses: expected an array of strings" ]
}

@test "network: hostile names are escaped, on the terminal and in the page" {
	jq '(.network.connections[] | select(.names != [])).names = ["a\u001b[31m<script>x</script>"] |
	    .network.dns[0].name = "q\nx<b>" | .network.dns[0].addresses = ["<i>"]' "$F/net.json" > "$T/h.json"
	gh-show --net "$T/h.json" > "$T/out"
	grep -q '^  a\\x1b\[31m<script>x</script> (127\.0\.0\.7:[0-9]*)  tcp ' "$T/out"
	grep -qxF '  dns q\nx<b> A -> <i>  x1  python3.11['"$(jq '.network.dns[0].pids[0]' "$F/net.json")"']' "$T/out"
	! grep -qF $'\e' "$T/out" || false
	gh-show --html "$T/h.json" > "$T/h.html"
	grep -qF '<td>a\x1b[31m&lt;script&gt;x&lt;/script&gt;</td>' "$T/h.html"
	grep -qF '<tr><td>q\nx&lt;b&gt;</td><td>A</td><td>&lt;i&gt;</td>' "$T/h.html"
	! grep -q '<script>x\|<b>\|<i>' "$T/h.html" || false
}

@test "paths the kernel did not resolve are marked; --files shows the path as the process saw it" {
	gh-show --files "$F/net.json" > "$T/out"
	same "$F/net.files" "$T/out"
	# a rename through a symbolic link: the receipt's path, its status
	# and the process's view
	[ "$(jq -c '.filesystem.accesses[] | select(.op == "rename") | [.path_status, .path_seen, .target, .target_seen, .target_status]' "$F/net.json")" = \
		'["lexical","/srv/gh-show-fx/ws-net/via/result.txt","/srv/gh-show-fx/ws-net/out/final.txt","/srv/gh-show-fx/ws-net/via/final.txt","lexical"]' ]
	grep -qx '    written   final.txt (lexical, seen as /srv/gh-show-fx/ws-net/via/final.txt)  mv\[[0-9]*\]' "$T/out"
	# created by a resolved open, renamed by a lexical path: not marked,
	# the view still shown
	grep -qx '    transient result.txt (seen as /srv/gh-show-fx/ws-net/via/result.txt)  dash\[[0-9]*\]' "$T/out"
	grep -qx '    deleted   old.txt (lexical)  rm\[[0-9]*\]' "$F/net.txt"
	grep -qx '    written   kept.txt  dash\[[0-9]*\]' "$F/net.txt"
	# the summary marks, without the view
	! grep -q 'seen as' "$F/net.txt" || false
	# the twin: the same accesses resolved by the kernel are not marked
	jq '.filesystem.accesses |= map(del(.path_status, .path_seen, .target_status, .target_seen))' \
		"$F/net.json" > "$T/resolved.json"
	gh-show --files "$T/resolved.json" > "$T/out"
	! grep -q 'lexical\|seen as' "$T/out" || false
	grep -qx '    written   final.txt  mv\[[0-9]*\]' "$T/out"
	gh-show --color=always --files "$F/net.json" > "$T/out"
	grep -qF $'    deleted   \e[0mold.txt (\e[33mlexical\e[0m)  \e[2mrm[' "$T/out"
}

# --- older shapes ----------------------------------------------------------------

@test "v0 and 0.3.0 receipts are summarized with what they have" {
	gh-show "$A/net.v0.json" > "$T/out"
	same "$F/v0.txt" "$T/out"
	gh-show "$GH_ROOT/tests/fixtures/archive/v0.3.0.json" > "$T/out"
	same "$F/v0.3.0.txt" "$T/out"
}

# --- errors ----------------------------------------------------------------------

@test "errors name the file and the member: exit 2, nothing on stdout" {
	run bad '.process_tree[3].argv = "a b"'
	[ "$status" -eq 2 ]
	[ "$output" = "gh-show: $T/bad.json:1: process_tree[3].argv: expected an array of strings" ]
	run bad '.process_tree[3].argv = ["a", 1]'
	[ "$status" -eq 2 ]
	[ "$output" = "gh-show: $T/bad.json:1: process_tree[3].argv[1]: expected a string" ]
	run bad '.filesystem.accesses[2].pids = "x"'
	[ "$status" -eq 2 ]
	[ "$output" = "gh-show: $T/bad.json:1: filesystem.accesses[2].pids: expected an array of process ids" ]
	run bad '.network.attempts[0].dst = 5'
	[ "$status" -eq 2 ]
	[ "$output" = "gh-show: $T/bad.json:1: network.attempts[0].dst: expected a string" ]
	run bad '.version = "2.0"'
	[ "$status" -eq 2 ]
	[ "$output" = "gh-show: $T/bad.json:1: version: unknown receipt version \"2.0\"" ]
	# the twin: the same receipt unchanged is fine
	run bad '.'
	[ "$status" -eq 98 ]
}

@test "an event stream, invalid JSON, a directory, a missing file: exit 2" {
	run gh-show "$A/net.ndjson"
	[ "$status" -eq 2 ]
	[ "$output" = "gh-show: $A/net.ndjson:1: this is a gh-events stream; run gh-aggregate first" ]
	head -1 "$A/net.ndjson" > "$T/header.json"
	run gh-show "$T/header.json"
	[ "$status" -eq 2 ]
	[ "$output" = "gh-show: $T/header.json:1: this is a gh-events stream; run gh-aggregate first" ]
	printf '{"version": "0.4.0",' > "$T/cut.json"
	run gh-show "$T/cut.json"
	[ "$status" -eq 2 ]
	[[ "$output" == "gh-show: $T/cut.json:1: "* ]]
	cat "$F/a.json" "$F/a.json" > "$T/two.json"
	run gh-show "$T/two.json"
	[ "$status" -eq 2 ]
	[ "$output" = "gh-show: $T/two.json:$(($(wc -l < "$F/a.json") + 1)): expected one receipt, got a second JSON value" ]
	: > "$T/empty.json"
	run gh-show "$T/empty.json"
	[ "$status" -eq 2 ]
	[ "$output" = "gh-show: $T/empty.json: expected a receipt, got empty input" ]
	run gh-show "$T"
	[ "$status" -eq 2 ]
	[ "$output" = "gh-show: $T: Is a directory" ]
	run gh-show "$T/none.json"
	[ "$status" -eq 2 ]
	[ "$output" = "gh-show: $T/none.json: No such file or directory" ]
}

@test "a write error is reported: exit 2" {
	gh-show "$F/a.json" > /dev/full 2> "$T/err" && false || rc=$?
	[ "$rc" -eq 2 ]
	grep -qx 'gh-show: write error: No space left on device' "$T/err"
}
