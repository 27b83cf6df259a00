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

@test "bind mount twin: a harmless source is named, no secret read, and only a rule on every mount fires" {
	need_mountns
	trace "$D/work" bind "$HH/jail" "$HH/harmless" id_rsa
	[ "$(acc read)" = "[[\"$HH/jail/id_rsa\",\"$HH/harmless/id_rsa\",null,null]]" ]
	judge
	[ "$(ssh_violations)" -eq 0 ]
	printf 'deny mount ~/.ssh\n' > m.rules
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

@test "path-only twin: without links the lexical path is the file, and is marked lexical" {
	mkdir sub
	echo x > f
	trace sh -c "chmod 600 f; $D/work truncate f; mkdir sub/../made; rmdir made"
	[ "$(acc chmod)" = "[[\"$WS/f\",null,\"lexical\",null]]" ]
	[ "$(acc truncate)" = "[[\"$WS/f\",null,\"lexical\",null]]" ]
	[ "$(acc mkdir)" = "[[\"$WS/made\",null,\"lexical\",null]]" ]
	judge
	[ "$(ssh_violations)" -eq 0 ]
}

@test "hard link: both names are in the receipt and the policy judges the link's source as read" {
	trace sh -c "ln $HH/.ssh/id_rsa k && cat k && rm k"
	[ "$(acc link)" = "[[\"$HH/.ssh/id_rsa\",null,\"lexical\",\"$WS/k\"]]" ]
	[ "$(acc read)" = "[[\"$WS/k\",null,null,null]]" ]
	denies "$POL" "$POL:[0-9]*: deny read $HH/\.ssh/id_rsa \[op=link to=$WS/k\] by pid [0-9]* (ln $HH/\.ssh/id_rsa k)"
	[ "$(ssh_violations)" -eq 1 ]
}

@test "hard link twin: a link to a harmless file is no violation" {
	trace sh -c "ln $HH/jail/id_rsa k && cat k && rm k"
	[ "$(acc link)" = "[[\"$HH/jail/id_rsa\",null,\"lexical\",\"$WS/k\"]]" ]
	judge
	[ "$(ssh_violations)" -eq 0 ]
	[ "$(grep -c ' \[op=link ' <<<"$output")" -eq 0 ]
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
	denies "$POL" "$POL:[0-9]*: deny exec memfd:payload \[path_status=unresolved\] by pid [0-9]* (/bin/true true)"
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
	grep -q "^$POL:[0-9]*: deny read .*/deep \[path_status=incomplete\] by pid " <<<"$output"
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

@test "path-only calls given a name are all marked lexical, in the accesses and the actions" {
	echo x > f
	chown nobody f
	trace sh -c "chmod 600 f; chown nobody f; $D/work truncate f; $D/work meta f; mkdir d; rmdir d; ln f l; ln -s f s; mv l l2; rm l2 s; mkfifo p; rm p"
	[ "$(jq -c --arg w "$WS" '[.filesystem.accesses[] | select(.path | startswith($w + "/")) | [.op, .path_status, .target_status]] | unique' "$R")" = \
		'[["chmod","lexical",null],["chown","lexical",null],["delete","lexical",null],["link","lexical","lexical"],["mkdir","lexical",null],["rename","lexical","lexical"],["rmdir","lexical",null],["symlink","lexical",null],["truncate","lexical",null]]' ]
	[ "$(act setxattr)" = "[[\"setxattr\",\"$WS/f\",\"lexical\",\"ok\"]]" ]
	[ "$(act utime)" = "[[\"utimensat\",\"$WS/f\",\"lexical\",\"ok\"]]" ]
	[ "$(act mknod)" = "[[\"mknodat\",\"$WS/p\",\"lexical\",\"ok\"]]" ]
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
