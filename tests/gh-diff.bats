#!/usr/bin/env bats
# gh-diff: what one run did that another did not (man/man1/gh-diff.1).
# a.json and a2.json are two runs of the same job in different working
# directories, each with its own temporary directory; b.json is the same
# job changed (tests/fixtures/show/record).

load filter

setup() {
	filter_setup
	F=$GH_ROOT/tests/fixtures/show
	T=$BATS_TEST_TMPDIR
	cd "$GH_ROOT"
}

@test "--help prints the usage on stdout and exits 0" {
	run gh-diff --help
	[ "$status" -eq 0 ]
	[ "$output" = "$(cat "$F/diff-help.txt")" ]
}

@test "--version prints name and version" {
	run gh-diff --version
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^gh-diff\ [0-9]+\.[0-9]+\.[0-9]+$ ]]
}

@test "usage errors: exit 2 and nothing on stdout" {
	gh-diff "$F/a.json" > "$T/out" 2> "$T/err" && false || rc=$?
	[ "$rc" -eq 2 ]
	[ ! -s "$T/out" ]
	grep -qx 'gh-diff: expected two receipts, A and B' "$T/err"
	run gh-diff "$F/a.json" "$F/b.json" "$F/a2.json"
	[ "$status" -eq 2 ]
	[ "${lines[0]}" = "gh-diff: too many arguments: '$F/a2.json'" ]
	run gh-diff --bogus "$F/a.json" "$F/b.json"
	[ "$status" -eq 2 ]
	[ "${lines[0]}" = "gh-diff: unknown option '--bogus'" ]
	run gh-diff -xh "$F/a.json" "$F/b.json"
	[ "$status" -eq 2 ]
	[ "${lines[0]}" = "gh-diff: unknown option '-x'" ]
	run gh-diff - -
	[ "$status" -eq 2 ]
	[ "${lines[0]}" = "gh-diff: A and B can't both be stdin" ]
}

@test "two runs of the same job compare equal: exit 0, no output" {
	run gh-diff "$F/a.json" "$F/a2.json"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	# they did run in different directories, with different temporary ones
	[ "$(jq -r .provenance.cwd "$F/a.json")" = /srv/gh-show-fx/ws-a ]
	[ "$(jq -r .provenance.cwd "$F/a2.json")" = /srv/gh-show-fx/ws-a2 ]
	ta=$(jq -r '[.filesystem.accesses[] | select(.op == "mkdir") | .path | select(startswith("/tmp/"))][0]' "$F/a.json")
	tb=$(jq -r '[.filesystem.accesses[] | select(.op == "mkdir") | .path | select(startswith("/tmp/"))][0]' "$F/a2.json")
	[ -n "$ta" ] && [ "$ta" != "$tb" ]
	run gh-diff --json "$F/a.json" "$F/a2.json"
	[ "$status" -eq 0 ]
	[ "$(jq -c '[.differ, .exec.added, .written.removed, .peers.added]' <<<"$output")" = '[false,[],[],[]]' ]
}

@test "the twin: without the working directory known, its paths differ" {
	jq '.provenance.cwd = "/" | .process_tree[0].working_dir = "/"' "$F/a2.json" > "$T/a2.json"
	run gh-diff --files "$F/a.json" "$T/a2.json"
	[ "$status" -eq 1 ]
	[[ "$output" == *$'\n- $CWD/notes.txt\n'* ]]
	[[ "$output" == *$'\n+ /srv/gh-show-fx/ws-a2/notes.txt\n'* ]]
}

@test "the twin: a temporary directory the run did not make is not normalized" {
	tb=$(jq -r '[.filesystem.accesses[] | select(.op == "mkdir") | .path | select(startswith("/tmp/"))][0]' "$F/a2.json")
	jq --arg t "$tb" '.filesystem.accesses |= map(select(.op != "mkdir" or .path != $t))' \
		"$F/a2.json" > "$T/a2.json"
	run gh-diff --files "$F/a.json" "$T/a2.json"
	[ "$status" -eq 1 ]
	[[ "$output" == *$'\n+ '"$tb/b"$'\n'* ]]
}

@test "a changed job: new executable, written path, peer, missing delete, exit status" {
	# (named as the expected output names them)
	run gh-diff tests/fixtures/show/a.json tests/fixtures/show/b.json
	[ "$status" -eq 1 ]
	[ "$output" = "$(cat "$F/diff-a-b.txt")" ]
	grep -qx '+ /usr/bin/id' "$F/diff-a-b.txt"
	grep -qx '+ tcp connect 127.0.0.1:2' "$F/diff-a-b.txt"
	grep -qx -- '- $CWD/old.log' "$F/diff-a-b.txt"
	# the reverse swaps the signs
	run gh-diff "$F/b.json" "$F/a.json"
	[ "$status" -eq 1 ]
	[[ "$output" == *$'\n- /usr/bin/id\n'* ]]
	[[ "$output" == *$'status\n- exit 0\n+ exit 3'* ]]
}

@test "--json: the same differences for machines" {
	run gh-diff --json tests/fixtures/show/a.json tests/fixtures/show/b.json
	[ "$status" -eq 1 ]
	[ "$output" = "$(cat "$F/diff-a-b.json")" ]
	jq -e '.differ and .status.differ and (.completeness.differ | not)' "$F/diff-a-b.json"
}

@test "sections: exit 1 only for a difference in the selected ones" {
	# CI: fail when the build contacts a new host
	run gh-diff --net "$F/a.json" "$F/b.json"
	[ "$status" -eq 1 ]
	[ "$output" = "$(printf -- '--- %s\n+++ %s\npeers\n+ tcp connect 127.0.0.1:2' "$F/a.json" "$F/b.json")" ]
	# the same job with another exit status: no new host
	jq '.outcome.exit_code = 0 | .exit_code = 0' "$F/a2.json" > "$T/a2.json"
	run gh-diff --net --exec --files "$F/a.json" "$T/a2.json"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	run gh-diff --status "$F/a.json" "$T/a2.json"
	[ "$status" -eq 1 ]
	[ "$output" = "$(printf -- '--- %s\n+++ %s\nstatus\n- exit 3\n+ exit 0' "$F/a.json" "$T/a2.json")" ]
	run gh-diff --status --json "$F/a.json" "$T/a2.json"
	[ "$(jq -c 'keys' <<<"$output")" = '["a","b","completeness","differ","status"]' ]
}

@test "completeness and signals are compared" {
	jq '.completeness = "partial" | .completeness_reasons = ["stream ended without end record"]
	    | .outcome = {"exit_code": null, "signal": 9, "error": null} | .exit_code = 137' \
		"$F/a2.json" > "$T/killed.json"
	run gh-diff --status "$F/a.json" "$T/killed.json"
	[ "$status" -eq 1 ]
	[ "$output" = "$(printf -- '--- %s\n+++ %s\nstatus\n- exit 3\n+ signal 9\ncompleteness\n- closed\n+ partial' "$F/a.json" "$T/killed.json")" ]
}

@test "directories the run made are folded; peers' accepted ports are not compared" {
	grep -qx -- '- $TMP/' <(gh-diff --files "$F/a.json" "$F/hostile.json")
	grep -qx -- '- /var/cache/gh-show-fx/newdir/' <(gh-diff --files "$F/a.json" "$F/hostile.json")
	! grep -q 'newdir/x' <(gh-diff --files "$F/a.json" "$F/hostile.json") || false
	# accepted peers: the other side's port differs from run to run
	pa=$(jq -r '.network.inbound[] | select(.op == "accept") | .addr' "$F/a.json")
	pb=$(jq -r '.network.inbound[] | select(.op == "accept") | .addr' "$F/a2.json")
	[ "$pa" != "$pb" ]
	run gh-diff --net "$F/a.json" "$F/a2.json"
	[ "$status" -eq 0 ]
}

@test "hostile strings are escaped for the terminal" {
	run gh-diff --files "$F/a.json" "$F/hostile.json"
	[ "$status" -eq 1 ]
	[[ "$output" == *'+ $CWD/q"uote&amp;\x1b[31mred\nnew\xffline'* ]]
	! grep -qF $'\e' <<<"$output" || false
	# --json keeps the string itself
	gh-diff --json --files "$F/a.json" "$F/hostile.json" |
		jq -e '.written.added | index("$CWD/q\"uote&amp;\u001b[31mred\nnew\ufffdline") != null'
}

@test "older receipts compare too" {
	run gh-diff "$GH_ROOT/tests/fixtures/archive/v0.3.0.json" "$GH_ROOT/tests/fixtures/archive/v0.3.0.json"
	[ "$status" -eq 0 ]
	run gh-diff --net "$GH_ROOT/tests/fixtures/archive/v0.3.0.json" "$GH_ROOT/tests/fixtures/aggregate/net.v0.json"
	[ "$status" -eq 1 ]
	[[ "$output" == *$'\n- tcp - 10.0.0.5:5432\n'* ]]
}

@test "errors: exit 2 with the file and member named, nothing on stdout" {
	jq '.network.attempts[1].pids = [1.5]' "$F/b.json" > "$T/bad.json"
	gh-diff "$F/a.json" "$T/bad.json" > "$T/out" 2> "$T/err" && false || rc=$?
	[ "$rc" -eq 2 ]
	[ ! -s "$T/out" ]
	[ "$(cat "$T/err")" = "gh-diff: $T/bad.json:1: network.attempts[1].pids[0]: expected a process id (0 to 2147483647)" ]
	run gh-diff "$F/a.json" "$T/missing.json"
	[ "$status" -eq 2 ]
	[ "$output" = "gh-diff: $T/missing.json: No such file or directory" ]
	run gh-diff "$T" "$F/a.json"
	[ "$status" -eq 2 ]
	[ "$output" = "gh-diff: $T: Is a directory" ]
	gh-diff "$F/a.json" "$F/b.json" > /dev/full 2> "$T/err" && false || rc=$?
	[ "$rc" -eq 2 ]
	grep -qx 'gh-diff: write error: No space left on device' "$T/err"
}

@test "stdin stands for one of the two" {
	run gh-diff - "$F/b.json" < "$F/a.json"
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "--- <stdin>" ]
}

# --- names (tests/fixtures/show/netjob: net and net2 are one job run twice,
# net-b the job changed to look up another name and connect elsewhere) ---

@test "peers and names: a new name looked up and a new peer, exact output" {
	run gh-diff tests/fixtures/show/net.json tests/fixtures/show/net-b.json
	[ "$status" -eq 1 ]
	[ "$output" = "$(cat "$F/diff-net-b.txt")" ]
	grep -qx '+ name other.gh-test.example' "$F/diff-net-b.txt"
	# the name was asked of DNS in B only (not found: no address)
	[ "$(jq -c '[.network.dns[] | select(.name == "other.gh-test.example") | .addresses]' "$F/net-b.json")" = '[[],[]]' ]
	[ "$(jq '[.network.dns[] | select(.name == "other.gh-test.example")] | length' "$F/net.json")" = 0 ]
	run gh-diff --json --net tests/fixtures/show/net.json tests/fixtures/show/net-b.json
	[ "$status" -eq 1 ]
	[ "$output" = "$(cat "$F/diff-net-b.json")" ]
	# the reverse
	run gh-diff --net "$F/net-b.json" "$F/net.json"
	[[ "$output" == *$'\n- name other.gh-test.example\n'* ]]
}

@test "peers and names: the same job run twice compares equal, names included" {
	run gh-diff "$F/net.json" "$F/net2.json"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ "$(jq -r .provenance.cwd "$F/net2.json")" = /srv/gh-show-fx/ws-net2 ]
	[ "$(jq -c '[.network.connections[].names[]]' "$F/net2.json")" = '["gh-test.example","www.gh-test.example"]' ]
	# the twin: a name DNS gave the peer in one run only
	jq '(.network.connections[] | select(.names != [])).names += ["cdn.gh-test.example"]' \
		"$F/net2.json" > "$T/net2.json"
	run gh-diff --net "$F/net.json" "$T/net2.json"
	[ "$status" -eq 1 ]
	[ "$output" = "$(printf -- '--- %s\n+++ %s\npeers\n+ name cdn.gh-test.example' "$F/net.json" "$T/net2.json")" ]
	# and a name asked in one run only
	jq '.network.dns[0].name = "gh-test.example.local"' "$F/net2.json" > "$T/net2.json"
	run gh-diff --net "$F/net.json" "$T/net2.json"
	[ "$status" -eq 1 ]
	[ "$output" = "$(printf -- '--- %s\n+++ %s\npeers\n+ name gh-test.example.local' "$F/net.json" "$T/net2.json")" ]
}

@test "paths compare on the receipt's path, not on the process's view" {
	# both runs renamed through a symbolic link: path_seen differs from path
	[ "$(jq -r '.filesystem.accesses[] | select(.op == "rename") | .path_seen' "$F/net2.json")" = /srv/gh-show-fx/ws-net2/via/result.txt ]
	jq '(.filesystem.accesses[] | select(.op == "rename")) |= (.path_seen = "/elsewhere/result.txt" | .target_seen = "/elsewhere/final.txt") |
	    (.filesystem.accesses[] | select(.op == "delete" and .result == "ok")) .path_seen = "/elsewhere/old.txt"' \
		"$F/net2.json" > "$T/seen.json"
	run gh-diff --files "$F/net.json" "$T/seen.json"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	# the twin: the path itself differs (a lexical one: the delete)
	[ "$(jq -r '.filesystem.accesses[] | select(.op == "delete" and .result == "ok") | select(.path | startswith("/var/")) | .path_status' "$F/net2.json")" = lexical ]
	jq '(.filesystem.accesses[] | select(.op == "delete" and .result == "ok") | select(.path | startswith("/var/"))) .path = "/var/cache/gh-show-fx/other.txt"' \
		"$F/net2.json" > "$T/moved.json"
	run gh-diff --files "$F/net.json" "$T/moved.json"
	[ "$status" -eq 1 ]
	[ "$output" = "$(printf -- '--- %s\n+++ %s\ndeleted\n- /var/cache/gh-show-fx/old.txt\n+ /var/cache/gh-show-fx/other.txt' "$F/net.json" "$T/moved.json")" ]
}

@test "a run that makes 5,000 temporary directories: each is \$TMP, whatever the run's cwd" {
	P=$GH_ROOT/tests/fixtures/policy
	jq -c '.filesystem.accesses += ([range(5000) as $i | {op: "mkdir", path: "/tmp/d\($i)", count: 1, pids: [5200],
		result: "ok"}, {op: "write", path: "/tmp/d\($i)/f", count: 1, pids: [5200], result: "ok"}])' \
		"$P/clean.json" > "$T/many.json"
	run gh-diff --files "$P/clean.json" "$T/many.json"
	[ "$status" -eq 1 ]
	[ "$output" = "--- $P/clean.json
+++ $T/many.json
written
+ \$TMP/" ]
	# a cwd that is one of them: the first norm given, the cwd, names it
	jq -c '.provenance.cwd = "/tmp/d7"' "$T/many.json" > "$T/cwd.json"
	gh-diff --json --files "$T/many.json" "$T/cwd.json" > "$T/out.json" || true
	[ "$(jq -c .written "$T/out.json")" = '{"added":["$CWD/","/home/u/project/main.o","/home/u/project/obj/"],"removed":["$CWD/main.o","$CWD/obj/"]}' ]
	# the twin: the same directories not made by the run are listed apart
	jq -c '.filesystem.accesses |= map(select(.op != "mkdir"))' "$T/many.json" > "$T/notmade.json"
	[ "$(gh-diff --json --files "$P/clean.json" "$T/notmade.json" | jq '.written.added | length')" = 5000 ]
}
