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
	judge
	[ "$status" -eq 1 ]
	grep -qx "$POL:[0-9]*: deny read $HH/\.ssh/id_rsa \[seen=/id_rsa\] by pid [0-9]* ($D/work chroot $HH/\.ssh /id_rsa /new)" <<<"$output"
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
	judge
	[ "$status" -eq 1 ]
	grep -qx "$POL:[0-9]*: deny read $HH/\.ssh/id_rsa \[seen=$HH/harmless/id_rsa\] by pid [0-9]* (.*)" <<<"$output"
	# a rule on mounts judges the source and the mount point
	printf 'deny mount ~/.ssh\n' > m.rules
	judge m.rules
	[ "$status" -eq 1 ]
	grep -qx "m.rules:1: deny mount $HH/\.ssh \[target=$HH/harmless\] by pid [0-9]* (.*)" <<<"$output"
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
	judge
	[ "$status" -eq 1 ]
	grep -qx "$POL:[0-9]*: deny write $HH/\.ssh/id_rsa \[op=truncate seen=$WS/key\] by pid [0-9]* ($D/work truncate key)" <<<"$output"
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
	for ((i = 0; i < 200; i++)); do [ -e "$WS/sock.ready" ] && break; sleep 0.05; done
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
