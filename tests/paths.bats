#!/usr/bin/env bats
# Every path in a receipt names the real file: the ways a traced command
# can reach a file under another name (a chroot, a bind mount, a detached
# mount tree, a symbolic link or ".." under a path-only call, a hard link,
# a program in memory, a path near PATH_MAX), each run as user nobody with
# user namespaces of its own (tests/paths/work.c), each checked in the
# receipt and against the starter policy, each with a twin that must come
# out the other way. Needs root and BPF; run under flock /work/bpf.lock
# like the other tracer suites.

bats_require_minimum_version 1.5.0

setup_file() {
	export GH_TRACE_PIN_DIR=$BATS_FILE_TMPDIR/no-kept-programs
	# nobody must reach the workload, the workspaces and the home
	export D
	D=$(mktemp -d /tmp/gh-paths.XXXXXX)
	chmod 755 "$D"
	cc -O1 -Wall -o "$D/work" "$GH_ROOT/tests/paths/work.c" -luring
	# a home the starter policy's "~" covers: /home/NAME
	mkdir -p /home
	export HH
	HH=$(mktemp -d /home/gh-paths.XXXXXX)
	chmod 755 "$HH"
	mkdir "$HH/.ssh" "$HH/.ssh/sub" "$HH/jail" "$HH/jail/sub" "$HH/harmless"
	echo secret > "$HH/.ssh/id_rsa"
	echo public > "$HH/jail/id_rsa"
	chown -R nobody "$HH/.ssh" "$HH/jail" "$HH/harmless"
	export POL=$GH_ROOT/policies/agent.rules
}

teardown_file() {
	rm -rf "$D" "$HH"
}

setup() {
	WS=$(mktemp -d "$D/ws.XXXXXX")
	chmod 777 "$WS"
	cd "$WS" || return 1
	EV=$BATS_TEST_TMPDIR/ev.ndjson
	R=$BATS_TEST_TMPDIR/receipt.json
}

# The namespace workloads need unprivileged user namespaces.
need_userns() {
	runuser -u nobody -- unshare -Ur true 2>/dev/null ||
		skip "user nobody cannot make a user namespace here"
}

need_mountns() {
	need_userns
	err=$(runuser -u nobody -- unshare -Urm true 2>&1) ||
		skip "unshare -m cannot make a mount namespace here ($err); in a chroot, the root directory must be a mount point"
}

# trace ARG...: run ARG as nobody under gh-trace, then gh-aggregate.
trace() {
	run gh-trace -u nobody -o "$EV" -- "$@"
	[ "$status" -eq 0 ]
	gh-aggregate "$EV" > "$R"
}

# acc OP: the accesses of OP under the test's home and workspace, as
# [path, path_seen, path_status, target] (nulls where absent).
acc() {
	jq -c --arg op "$1" --arg h "$HH" --arg w "$WS" \
		'[.filesystem.accesses[] | select(.op == $op and
		  ((.path | startswith($h) or startswith($w) or startswith("memfd:"))))
		  | [.path, .path_seen, .path_status, .target]]' "$R"
}

# judge [RULES]: gh-policy with RULES (the starter policy by default);
# its violations in $output.
judge() {
	run gh-policy "${1:-$POL}" "$R"
}

# denies RULES LINE: RULES refuses the receipt, with the violation LINE
# (a whole-line grep pattern) among others; its verdict stays in $output.
denies() {
	judge "$1"
	[ "$status" -eq 1 ]
	grep -qx "$2" <<<"$output"
}

# The starter policy's violations of reads, writes and deletes naming the
# secret directory (its rules on namespaces, chroot and mounts are
# checked apart).
ssh_violations() {
	grep -c "^$POL:[0-9]*: deny \(read\|write\|delete\) $HH/\.ssh" <<<"$output" || true
}

@test "chroot: reads and files made in the jail are named as the host sees them, the jail's name beside" {
	need_userns
	trace "$D/work" chroot "$HH/.ssh" /id_rsa /new
	[ "$(acc read)" = "[[\"$HH/.ssh/id_rsa\",\"/id_rsa\",null,null]]" ]
	[ "$(acc create)" = "[[\"$HH/.ssh/new\",\"/new\",null,null]]" ]
	[ "$(jq -c '[.actions[] | select(.type == "chroot") | [.path, .path_seen, .result]]' "$R")" = \
		"[[\"$HH/.ssh\",\"/\",\"ok\"]]" ]
	denies "$POL" "$POL:[0-9]*: deny read $HH/\.ssh/id_rsa \[seen=/id_rsa\] by pid [0-9]* ($D/work chroot $HH/\.ssh /id_rsa /new)"
	[ "$(ssh_violations)" -eq 2 ]
}

@test "chroot twin: a jail outside the secrets is named as such and the starter policy finds no secret read" {
	need_userns
	trace "$D/work" chroot "$HH/jail" /id_rsa /new
	[ "$(acc read)" = "[[\"$HH/jail/id_rsa\",\"/id_rsa\",null,null]]" ]
	judge
	[ "$(ssh_violations)" -eq 0 ]
}

@test "bind mount: a read through it names the file under the source, the mount has source and target" {
	need_mountns
	trace "$D/work" bind "$HH/.ssh" "$HH/harmless" id_rsa
	[ "$(acc read)" = "[[\"$HH/.ssh/id_rsa\",\"$HH/harmless/id_rsa\",null,null]]" ]
	[ "$(jq -c '[.actions[] | select(.syscall == "mount" and .flags == 4096) | [.path, .source, .source_path, .result]]' "$R")" = \
		"[[\"$HH/harmless\",\"$HH/.ssh\",\"$HH/.ssh\",\"ok\"]]" ]
	denies "$POL" "$POL:[0-9]*: deny read $HH/\.ssh/id_rsa \[seen=$HH/harmless/id_rsa\] by pid [0-9]* (.*)"
	# a rule on mounts judges the source and the mount point
	printf 'deny mount ~/.ssh\n' > m.rules
	denies m.rules "m.rules:1: deny mount $HH/\.ssh \[target=$HH/harmless\] by pid [0-9]* (.*)"
}

@test "bind mount twin: a harmless source is named, no secret read; its lexical names pass a rule on the secrets only taken at their word" {
	need_mountns
	trace "$D/work" bind "$HH/jail" "$HH/harmless" id_rsa
	[ "$(acc read)" = "[[\"$HH/jail/id_rsa\",\"$HH/harmless/id_rsa\",null,null]]" ]
	judge
	[ "$(ssh_violations)" -eq 0 ]
	# mount point and source are lexical (mount follows links in them):
	# either could have been the secrets; "/" (made private) could not
	printf 'deny mount ~/.ssh\n' > m.rules
	judge m.rules
	[ "$status" -eq 1 ]
	grep -qx "m.rules:1: deny mount $HH/harmless \[source=$HH/jail path_status=lexical judged=conservatively\] by pid [0-9]* (.*)" <<<"$output"
	grep -qx "m.rules:1: deny mount $HH/jail \[target=$HH/harmless path_status=lexical judged=conservatively\] by pid [0-9]* (.*)" <<<"$output"
	[ "$(grep -c '^m.rules:1: deny mount ' <<<"$output")" -eq 2 ]
	printf 'allow mount ~/{jail,harmless} path_status=lexical\ndeny mount ~/.ssh\n' > m.rules
	judge m.rules
	[ "$status" -eq 0 ]
	printf 'deny mount **\n' > m.rules
	judge m.rules
	[ "$status" -eq 1 ]
	[ "$(grep -c '^m.rules:1: deny mount ' <<<"$output")" -eq 3 ]
}

@test "open_tree clone: a read through /proc/self/fd names the file, not /" {
	need_mountns
	trace "$D/work" tree "$HH/.ssh" id_rsa
	[ "$(jq -c --arg p "$HH/.ssh/id_rsa" '[.filesystem.accesses[] | select(.op == "read" and .path == $p) | .path_seen | test("^[a-z0-9_]+:/id_rsa$")]' "$R")" = '[true]' ]
	[ "$(jq -c '[.filesystem.accesses[] | select(.path == "/")]' "$R")" = '[]' ]
	judge
	[ "$status" -eq 1 ]
	[ "$(ssh_violations)" -eq 1 ]
}

@test "open_tree twin: a clone of a harmless directory is named as such" {
	need_mountns
	trace "$D/work" tree "$HH/jail" id_rsa
	[ "$(jq -c --arg p "$HH/jail/id_rsa" '[.filesystem.accesses[] | select(.op == "read") | .path | select(. == $p)]' "$R")" = "[\"$HH/jail/id_rsa\"]" ]
	judge
	[ "$(ssh_violations)" -eq 0 ]
}

@test "path-only calls through a symbolic link made before the run, or LINK/.., name the file they changed" {
	ln -s "$HH/.ssh/id_rsa" key
	ln -s "$HH/.ssh/sub" dl
	trace sh -c "chmod 600 key; $D/work truncate key; mkdir dl/../made; rmdir dl/../made"
	[ "$(acc chmod)" = "[[\"$HH/.ssh/id_rsa\",\"$WS/key\",\"lexical\",null]]" ]
	[ "$(acc truncate)" = "[[\"$HH/.ssh/id_rsa\",\"$WS/key\",\"lexical\",null]]" ]
	[ "$(acc mkdir)" = "[[\"$HH/.ssh/made\",\"$WS/made\",\"lexical\",null]]" ]
	[ "$(acc rmdir)" = "[[\"$HH/.ssh/made\",\"$WS/made\",\"lexical\",null]]" ]
	denies "$POL" "$POL:[0-9]*: deny write $HH/\.ssh/id_rsa \[op=truncate seen=$WS/key\] by pid [0-9]* ($D/work truncate key)"
	[ "$(ssh_violations)" -eq 4 ]
}

@test "path-only twin: without links the lexical path is the file, marked lexical, judged by what it could be unless taken at its word" {
	mkdir sub
	echo x > f
	chown nobody f
	trace sh -c "chmod 600 f; $D/work truncate f; mkdir sub/../made; rmdir made"
	[ "$(acc chmod)" = "[[\"$WS/f\",null,\"lexical\",null]]" ]
	[ "$(acc truncate)" = "[[\"$WS/f\",null,\"lexical\",null]]" ]
	[ "$(acc mkdir)" = "[[\"$WS/made\",null,\"lexical\",null]]" ]
	# the starter policy takes lexical paths in the workspace at their word
	judge
	[ "$status" -eq 0 ]
	# judged strictly (the qualifier dropped), the first deny of the
	# secrets could match each: a link could have been there during the call
	sed 's/ path_status=lexical$//' "$POL" > "$BATS_TEST_TMPDIR/strict.rules"
	! grep -q 'path_status=lexical$' "$BATS_TEST_TMPDIR/strict.rules"
	judge "$BATS_TEST_TMPDIR/strict.rules"
	[ "$status" -eq 1 ]
	[ "$(grep -v '^[0-9]* violations' <<<"$output" | sed "s|^$BATS_TEST_TMPDIR/strict.rules:22: ||; s| by pid [0-9]* | by |")" = \
"deny write $WS/f [op=chmod path_status=lexical judged=conservatively] by (chmod 600 f)
deny write $WS/f [op=truncate path_status=lexical judged=conservatively] by ($D/work truncate f)
deny write $WS/made [op=mkdir path_status=lexical judged=conservatively] by (mkdir sub/../made)" ]
}

@test "unlink, rename and utimes through a symbolic link made before the run, or LINK/.., fail the starter policy" {
	echo v > "$HH/.ssh/victim1"
	echo v > "$HH/.ssh/victim2"
	chown nobody "$HH/.ssh/victim1" "$HH/.ssh/victim2"
	ln -s "$HH/.ssh/sub" dl
	ln -s "$HH/.ssh" ds
	ln -s "$HH/.ssh/id_rsa" key
	trace sh -c "rm dl/../victim1; mv ds/victim2 got; touch -c key"
	rm -f "$HH/.ssh/victim1" "$HH/.ssh/victim2"
	judge
	[ "$status" -eq 1 ]
	grep -qx "$POL:[0-9]*: deny delete $HH/\.ssh/victim1 \[seen=$WS/victim1\] by pid [0-9]* (rm dl/\.\./victim1)" <<<"$output"
	grep -qx "$POL:[0-9]*: deny delete $HH/\.ssh/victim2 \[op=rename to=$WS/got seen=$WS/ds/victim2\] by pid [0-9]* (mv ds/victim2 got)" <<<"$output"
	grep -qx "$POL:[0-9]*: deny write $HH/\.ssh/id_rsa \[op=utimensat seen=$WS/key\] by pid [0-9]* (touch -c key)" <<<"$output"
	[ "$(ssh_violations)" -eq 3 ]
}

@test "unlink, rename and utimes twin: the same through links to a harmless directory touch no secret" {
	echo v > "$HH/jail/victim1"
	echo v > "$HH/jail/victim2"
	chown nobody "$HH/jail/victim1" "$HH/jail/victim2"
	ln -s "$HH/jail/sub" dl
	ln -s "$HH/jail" ds
	ln -s "$HH/jail/id_rsa" key
	trace sh -c "rm dl/../victim1; mv ds/victim2 got; touch -c key"
	rm -f "$HH/jail/victim1" "$HH/jail/victim2"
	judge
	[ "$(ssh_violations)" -eq 0 ]
	grep -qx "$POL:[0-9]*: default deny delete $HH/jail/victim1 \[seen=$WS/victim1\] by pid [0-9]* (rm dl/\.\./victim1)" <<<"$output"
}

@test "a symbolic link made, used and removed in the run: the chmod through it fails the starter policy, seen through or not" {
	trace sh -c "ln -s $HH/.ssh/id_rsa k; chmod 644 k; rm k"
	judge
	[ "$status" -eq 1 ]
	# gh-trace saw the link: the secret; it was gone already: the name,
	# judged by what it could be
	grep -Eqx "$POL:[0-9]+: deny write ($HH/\.ssh/id_rsa \[op=chmod seen=$WS/k\]|$WS/k \[op=chmod path_status=lexical judged=conservatively\]) by pid [0-9]+ \(chmod 644 k\)" <<<"$output"
	# the twin: a chmod by the same name without a link passes
	echo x > t
	chown nobody t
	trace sh -c "chmod 644 t"
	judge
	[ "$status" -eq 0 ]
	# through a link the run made, even to that harmless file, the name is
	# not taken at its word
	trace sh -c "ln -s $WS/t k; chmod 644 k; rm k"
	judge
	[ "$status" -eq 1 ]
	grep -Eqx "$POL:[0-9]+: deny write $WS/(t|k) \[op=chmod (seen=$WS/k )?path_status=lexical judged=conservatively\] by pid [0-9]+ \(chmod 644 k\)" <<<"$output"
}

@test "hard link: both names are in the receipt and the policy judges the link's source as read" {
	trace sh -c "ln $HH/.ssh/id_rsa k && cat k && rm k"
	[ "$(acc link)" = "[[\"$HH/.ssh/id_rsa\",null,\"lexical\",\"$WS/k\"]]" ]
	[ "$(acc read)" = "[[\"$WS/k\",null,null,null]]" ]
	denies "$POL" "$POL:[0-9]*: deny read $HH/\.ssh/id_rsa \[op=link to=$WS/k\] by pid [0-9]* (ln $HH/\.ssh/id_rsa k)"
	[ "$(ssh_violations)" -eq 1 ]
}

@test "hard link twin: a link by single names in directories the kernel read is resolved, and to a harmless file passes" {
	trace sh -c "cd $HH/jail && ln id_rsa $WS/ && cd $WS && cat id_rsa && rm id_rsa"
	[ "$(jq -c --arg w "$WS" '[.filesystem.accesses[] | select(.op == "link" and .result == "ok") | [.path, .path_status, .target, .target_status]]' "$R")" = \
		"[[\"$HH/jail/id_rsa\",null,\"$WS/id_rsa\",null]]" ]
	judge
	[ "$status" -eq 0 ]
}

@test "hard link by a lexical path to a harmless file: judged by what it could be" {
	trace sh -c "ln $HH/jail/id_rsa k && cat k && rm k"
	[ "$(acc link)" = "[[\"$HH/jail/id_rsa\",null,\"lexical\",\"$WS/k\"]]" ]
	judge
	[ "$status" -eq 1 ]
	[ "$(ssh_violations)" -eq 0 ]
	grep -qx "$POL:[0-9]*: deny read $HH/jail/id_rsa \[op=link to=$WS/k path_status=lexical judged=conservatively\] by pid [0-9]* (ln $HH/jail/id_rsa k)" <<<"$output"
	[ "$(grep -c ' \[op=link ' <<<"$output")" -eq 1 ]
}

@test "rename: the policy judges both names" {
	trace sh -c "mv $HH/.ssh/id_rsa $WS/stolen; mv $WS/stolen $HH/.ssh/id_rsa"
	[ "$(acc rename | jq -c 'map([.[0], .[3]])')" = "[[\"$HH/.ssh/id_rsa\",\"$WS/stolen\"],[\"$WS/stolen\",\"$HH/.ssh/id_rsa\"]]" ]
	denies "$POL" "$POL:[0-9]*: deny delete $HH/\.ssh/id_rsa \[op=rename to=$WS/stolen\] by pid .*"
	grep -qx "$POL:[0-9]*: deny write $HH/\.ssh/id_rsa \[op=rename from=$WS/stolen\] by pid .*" <<<"$output"
}

@test "memfd_create + fexecve: the program is memfd:NAME, unresolved, and could be any program" {
	trace "$D/work" memfd payload /bin/true true
	[ "$(acc exec)" = '[["memfd:payload",null,"unresolved",null]]' ]
	[ "$(jq -c '[.process_tree[].execs[].exe]' "$R")" = "[\"$D/work\",\"memfd:payload\"]" ]
	[ "$(jq -c '[.filesystem.accesses[] | select(.path == "/")]' "$R")" = '[]' ]
	denies "$POL" "$POL:[0-9]*: deny exec memfd:payload \[path_status=unresolved judged=conservatively\] by pid [0-9]* (/bin/true true)"
}

@test "memfd twin: the same program from its file passes the exec rules" {
	trace "$D/work" read /bin/true
	judge
	[ "$(grep -c ': deny exec ' <<<"$output")" -eq 0 ]
}

# A directory chain under the workspace whose file path is exactly N bytes.
long_path() {
	local n=$1 comp p
	comp=$(printf 'd%.0s' $(seq 1 200))
	p=$WS
	while [ $((n - ${#p} - 1)) -gt 255 ]; do
		p=$p/$comp
	done
	p=$p/$(printf 'f%.0s' $(seq 1 $((n - ${#p} - 1))))
	echo "$p"
}

@test "a path of 4095 bytes (PATH_MAX) is named whole, not incomplete" {
	P=$(long_path 4095)
	[ "${#P}" -eq 4095 ]
	mkdir -p "${P%/*}"
	echo x > "$P"
	chmod -R a+rwX "$WS"
	trace cat "$P"
	[ "$(jq -c --arg p "$P" '[.filesystem.accesses[] | select(.op == "read" and .path == $p) | [.path_status, .count]]' "$R")" = '[[null,1]]' ]
	[ "$(jq -c '[.filesystem.accesses[] | select(.path_status == "incomplete")]' "$R")" = '[]' ]
	[ "$(jq 'select(.type == "end") | .lost.truncated' "$EV")" = 0 ]
	# and one of many short components
	Q=$WS$(printf '/ab%.0s' $(seq 1 $(((4095 - ${#WS}) / 3))))
	Q=${Q%/*}/$(printf 'q%.0s' $(seq 1 $((4095 - ${#Q} + 2))))
	[ "${#Q}" -eq 4095 ]
	mkdir -p "${Q%/*}"
	echo x > "$Q"
	chmod -R a+rwX "$WS"
	trace cat "$Q"
	[ "$(jq -c --arg p "$Q" '[.filesystem.accesses[] | select(.op == "read" and .path == $p) | .path_status]' "$R")" = '[null]' ]
}

@test "long path twin: a file deeper than PATH_MAX is marked incomplete and judged by what it could be" {
	P=$(long_path 4095)
	E=$(printf 'e%.0s' $(seq 1 200))
	mkdir -p "${P%/*}/$E/$E"
	(cd "${P%/*}/$E" && echo x > "$E/deep")
	chmod -R a+rwX "$WS"
	# more than 4095 bytes in all: reached from a working directory
	[ $((${#P} + 2 * 201)) -gt 4095 ]
	trace sh -c "cd '${P%/*}/$E' && cat $E/deep"
	[ "$(jq -c '[.filesystem.accesses[] | select(.op == "read" and (.path | endswith("/deep"))) | .path_status]' "$R")" = '["incomplete"]' ]
	judge
	[ "$status" -eq 1 ]
	grep -q "^$POL:[0-9]*: deny read .*/deep \[path_status=incomplete judged=conservatively\] by pid " <<<"$output"
}

# act TYPE: the actions of TYPE under the workspace, as [syscall, path,
# path_status, result].
act() {
	jq -c --arg t "$1" --arg w "$WS" \
		'[.actions[] | select(.type == $t and (.path // "" | startswith($w)))
		  | [.syscall, .path, .path_status, .result]]' "$R"
}

@test "namespaces: unshare -Ur and -Urm are in the receipt and the starter policy refuses the user namespace" {
	need_mountns
	trace sh -c 'unshare -Ur true && unshare -Urm true'
	[ "$(jq -c '[.actions[] | select(.type == "namespace") | [.syscall, .flags, .result, (.pids | length)]]' "$R")" = \
		'[["unshare",268435456,"ok",1],["unshare",268566528,"ok",1]]' ]
	denies "$POL" "$POL:[0-9]*: deny namespace user \[op=unshare\] by 2 processes, first pid [0-9]* (true)"
	printf 'deny namespace mount\n' > n.rules
	denies n.rules "n.rules:1: deny namespace mount \[op=unshare\] by pid [0-9]* (true)"
	[ "$(grep -c '^n.rules' <<<"$output")" -eq 1 ]
}

@test "namespaces twin: a user namespace alone is no mount namespace, and a run without any passes" {
	need_userns
	trace unshare -Ur true
	printf 'deny namespace mount\n' > n.rules
	judge n.rules
	[ "$status" -eq 0 ]
	trace true
	[ "$(jq -c '[.actions[]? | select(.type == "namespace")]' "$R")" = '[]' ]
	printf 'deny namespace *\n' > n.rules
	judge n.rules
	[ "$status" -eq 0 ]
	judge
	[ "$(grep -c ' deny namespace ' <<<"$output")" -eq 0 ]
}

@test "chroot: the starter policy refuses the user namespace and the chroot, not only the read" {
	need_userns
	trace "$D/work" chroot "$HH/.ssh" /id_rsa /new
	denies "$POL" "$POL:[0-9]*: deny namespace user \[op=unshare\] by pid [0-9]* ($D/work chroot $HH/\.ssh /id_rsa /new)"
	grep -qx "$POL:[0-9]*: deny chroot $HH/\.ssh \[seen=/\] by pid [0-9]* ($D/work chroot $HH/\.ssh /id_rsa /new)" <<<"$output"
}

@test "io_uring open into a fixed slot through a symbolic link names the file read" {
	ln -s "$HH/.ssh/id_rsa" key
	trace "$D/work" direct key
	[ "$(acc read | jq -c 'map(select(.[0] | endswith("id_rsa")))')" = "[[\"$HH/.ssh/id_rsa\",\"$WS/key\",\"lexical\",null]]" ]
	denies "$POL" "$POL:[0-9]*: deny read $HH/\.ssh/id_rsa \[seen=$WS/key\] by pid [0-9]* ($D/work direct key)"
}

@test "io_uring fixed slot twin: a link to a harmless file is named as such" {
	ln -s "$HH/jail/id_rsa" key
	trace "$D/work" direct key
	[ "$(acc read | jq -c 'map(select(.[0] | endswith("id_rsa")))')" = "[[\"$HH/jail/id_rsa\",\"$WS/key\",\"lexical\",null]]" ]
	judge
	[ "$(ssh_violations)" -eq 0 ]
}

@test "path-only calls: a single name not followed is resolved, a followed one or one with a directory part lexical" {
	echo x > f
	chown nobody f
	mkdir sub
	chown nobody sub
	trace sh -c "chmod 600 f; chown nobody f; $D/work truncate f; $D/work meta f; mkdir d; rmdir d; ln f l; ln -s f s; mv l l2; rm l2 s; mkfifo p; rm p; mkdir sub/d2; rmdir sub/d2; rm -f sub/none; rm -f none"
	[ "$(jq -c --arg w "$WS" '[.filesystem.accesses[] | select(.path | startswith($w + "/")) | [.op, .path_status, .target_status, .result]] | unique' "$R")" = \
		'[["chmod","lexical",null,"ok"],["chown","lexical",null,"ok"],["delete",null,null,"ENOENT"],["delete",null,null,"ok"],["delete","lexical",null,"ENOENT"],["link",null,null,"ok"],["mkdir",null,null,"ok"],["mkdir","lexical",null,"ok"],["rename",null,null,"ok"],["rmdir",null,null,"ok"],["rmdir","lexical",null,"ok"],["symlink",null,null,"ok"],["truncate","lexical",null,"ok"]]' ]
	[ "$(act setxattr)" = "[[\"setxattr\",\"$WS/f\",\"lexical\",\"ok\"]]" ]
	[ "$(act utime)" = "[[\"utimensat\",\"$WS/f\",\"lexical\",\"ok\"]]" ]
	[ "$(act mknod)" = "[[\"mknodat\",\"$WS/p\",null,\"ok\"]]" ]
}

@test "path-only twin: the same changes through a descriptor carry the kernel's path, no status" {
	echo x > f
	chown nobody f
	trace "$D/work" fds f
	[ "$(jq -c --arg w "$WS" '[.filesystem.accesses[] | select(.path | startswith($w + "/")) | [.op, .path_status]]' "$R")" = \
		'[["chmod",null],["truncate",null],["write",null]]' ]
	[ "$(act setxattr)" = "[[\"fsetxattr\",\"$WS/f\",null,\"ok\"]]" ]
	[ "$(act utime)" = "[[\"utimensat\",\"$WS/f\",null,\"ok\"]]" ]
}

# pass FILE: a process outside the trace (root) opens FILE read-only and
# passes the descriptor over a Unix socket (SCM_RIGHTS) to a traced one
# (nobody), which reads through it.
pass() {
	rm -f "$WS/sock" "$WS/sock.ready"
	/usr/bin/python3 -c 'import array, os, socket, sys
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); os.chmod(sys.argv[1], 0o777); s.listen(1)
open(sys.argv[1] + ".ready", "w").close()
c, _ = s.accept()
fd = os.open(sys.argv[2], os.O_RDONLY)
c.sendmsg([b"x"], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", [fd]))])' "$WS/sock" "$1" &
	for ((i = 0; i < 1200; i++)); do [ -e "$WS/sock.ready" ] && break; sleep 0.05; done
	trace /usr/bin/python3 -c 'import array, os, socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
msg, anc, flags, addr = s.recvmsg(1, 64)
for level, kind, data in anc:
    for fd in array.array("i", data[:len(data) - len(data) % 4]):
        os.read(fd, 100)' "$WS/sock"
	wait
}

@test "a descriptor of a secret received over SCM_RIGHTS is judged as a read (and a write) of it" {
	pass "$HH/.ssh/id_rsa"
	[ "$(jq -c '[.actions[] | select(.type == "fd_received") | [.path, .syscall, .result]]' "$R")" = \
		"[[\"$HH/.ssh/id_rsa\",\"recvmsg\",\"ok\"]]" ]
	judge
	[ "$status" -eq 1 ]
	grep -qx "$POL:[0-9]*: deny read $HH/\.ssh/id_rsa \[op=recvmsg\] by pid [0-9]* (/usr/bin/python3 -c .*)" <<<"$output"
	grep -qx "$POL:[0-9]*: deny write $HH/\.ssh/id_rsa \[op=recvmsg\] by pid [0-9]* (/usr/bin/python3 -c .*)" <<<"$output"
	[ "$(ssh_violations)" -eq 2 ]
	printf 'deny read ~/.ssh/**\n' > r.rules
	judge r.rules
	[ "$status" -eq 1 ]
	[ "$(grep -c '^r.rules:1: deny read ' <<<"$output")" -eq 1 ]
}

@test "SCM_RIGHTS twin: a descriptor of a workspace file passes the starter policy's file rules" {
	echo x > f
	pass "$WS/f"
	[ "$(jq -c '[.actions[] | select(.type == "fd_received") | .path]' "$R")" = "[\"$WS/f\"]" ]
	judge
	[ "$(ssh_violations)" -eq 0 ]
	[ "$(grep -c '\[op=recvmsg\]' <<<"$output")" -eq 0 ]
	printf 'deny read ~/.ssh/**\n' > r.rules
	judge r.rules
	[ "$status" -eq 0 ]
}

@test "clone, fsopen to move_mount, pivot_root, umount2 and setns are recorded, and the starter policy refuses each" {
	need_mountns
	mkdir mnt
	chmod 777 mnt
	trace "$D/work" mounts "$WS/mnt"
	[ "$(jq -c '[.actions[] | select(.type == "namespace") | [.syscall, .flags, .result]] | sort' "$R")" = \
		'[["clone",268435473,"ok"],["setns",268435456,"EPERM"],["unshare",268566528,"ok"]]' ]
	[ "$(jq -c '[.actions[] | select(.type == "mount") | .syscall] | sort' "$R")" = \
		'["fsconfig","fsmount","fsopen","mount","move_mount","umount2"]' ]
	[ "$(jq -c '[.actions[] | select(.syscall == "move_mount") | [.new_path, .result]]' "$R")" = "[[\"$WS/mnt\",\"ok\"]]" ]
	[ "$(jq -c '[.actions[] | select(.type == "pivot_root") | [.path_seen, .new_path_seen, .result]]' "$R")" = \
		"[[\"$WS/mnt\",\"$WS/mnt/old\",\"ok\"]]" ]
	judge
	[ "$status" -eq 1 ]
	for op in clone unshare 'setns result=EPERM'; do
		grep -qx "$POL:[0-9]*: deny namespace user \[op=$op\] by pid [0-9]* ($D/work mounts $WS/mnt)" <<<"$output"
	done
	for op in fsopen fsconfig fsmount umount2; do
		grep -q "^$POL:[0-9]*: deny mount .*\[op=$op[] ]" <<<"$output"
	done
	grep -qx "$POL:[0-9]*: deny mount $WS/mnt \[op=move_mount from=[^] ]*\] by pid [0-9]* ($D/work mounts $WS/mnt)" <<<"$output"
	grep -q "^$POL:[0-9]*: deny chroot .*\[op=pivot_root seen=$WS/mnt" <<<"$output"
}
