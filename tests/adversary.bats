#!/usr/bin/env bats
# The receipt's promise, attacked: small workloads that try to act while the
# receipt still says "closed" (gh-receipt(5), The rule). Each test traces a
# real command and requires that what it did is in the receipt, or that the
# receipt is partial and says why. A test marked `skip "known gap: ..."`
# fails today: its body is the check, kept for when the gap is closed.
# Traces real commands (needs root).

bats_require_minimum_version 1.5.0
load trace/lib

setup_file() {
	trace_setup_file_unkept
}

# W: a scratch directory for the workloads' files
setup() {
	[ "$(id -u)" -eq 0 ] || skip "tracing needs root"
	trace_setup
	W=$BATS_TEST_TMPDIR/w
	mkdir -p "$W"
}

# traced CMD...: trace CMD into $EV (its own status ignored), then its
# receipt into r.json; the run must have been traced.
traced() {
	gh-trace -o "$EV" -- "$@" || true
	gh-aggregate "$EV" > r.json
	[ "$(jq -r .observation_mode r.json)" = ebpf ]
}

# closed: the receipt claims everything was observed.
closed() {
	[ "$(jq -c '[.completeness, .completeness_reasons]' r.json)" = '["closed",[]]' ]
}

# names PATH: the receipt's file lists name PATH somewhere.
names() {
	jq -e --arg p "$1" '[.filesystem.accesses[] | .path, .target] | index($p) != null' r.json >/dev/null
}

@test "renameat2 RENAME_EXCHANGE: both names are written, not one only deleted" {
	echo A > "$W/a"
	echo B > "$W/b"
	traced perl -e 'my ($x, $y) = @ARGV; syscall(316, -100, $x, -100, $y, 2) == 0 or die "$!"' \
		"$W/a" "$W/b"
	# both still there, swapped
	[ "$(cat "$W/a" "$W/b")" = "B
A" ]
	closed
	[ "$(jq -c --arg w "$W" '[.filesystem.writes[] | select(startswith($w))]' r.json)" = \
		"[\"$W/a\",\"$W/b\"]" ]
	# the twin: a plain rename writes only the new name
	traced perl -e 'rename($ARGV[0], $ARGV[1]) or die "$!"' "$W/a" "$W/c"
	[ "$(jq -c --arg w "$W" '[.filesystem.writes[] | select(startswith($w))]' r.json)" = \
		"[\"$W/c\"]" ]
}

@test "a core dump: the kernel writes the core file, so the receipt is partial" {
	cd "$W"
	traced sh -c 'ulimit -c unlimited; sh -c "kill -SEGV \$\$"; true'
	[ "$(jq -c '[.process_tree[] | .signal]' r.json)" = '[null,11]' ]
	[ "$(jq -c '[.completeness, .completeness_reasons]' r.json)" = \
		'["partial",["core_dump: 1 processes dumped core: the file the kernel wrote for them is not recorded"]]' ]
	# the twin: no core allowed, no core file, nothing unrecorded
	traced sh -c 'ulimit -c 0; sh -c "kill -SEGV \$\$"; true'
	closed
}

@test "a process made with CLONE_PARENT is a child of gh-trace: followed and waited for" {
	cd "$W"
	# the command exits at once; its CLONE_PARENT child writes half a second later
	traced perl -e 'my $p = syscall(56, 0x8000 | 17, 0, 0, 0, 0);
		if ($p == 0) { select(undef, undef, undef, 0.5);
			open(my $f, ">", "late") or die; print $f "x"; close $f; exit 0 }
		exit($p < 0)'
	[ -e late ]
	closed
	[ "$(jq -r --arg p "$W/late" '.filesystem.accesses[] | select(.path == $p) | .op' r.json)" = create ]
	[ "$(jq '.process_tree | length' r.json)" -eq 2 ]
}

@test "AT_EMPTY_PATH on an O_PATH descriptor: chown, chmod and link name the file" {
	echo x > "$W/victim"
	traced "$PY" -c 'import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
fd = os.open(sys.argv[1], os.O_PATH)
assert libc.syscall(260, fd, b"", 0, 0, 0x1000) == 0                     # fchownat
assert libc.syscall(452, fd, b"", 0o600, 0x1000) == 0                    # fchmodat2
assert libc.syscall(265, fd, b"", -100, sys.argv[2].encode(), 0x1000) == 0  # linkat' \
		"$W/victim" "$W/linked"
	[ -e "$W/linked" ]
	closed
	[ "$(jq -c --arg p "$W/victim" '[.filesystem.accesses[] | select(.path == $p) | [.op, .target]]' r.json)" = \
		"[[\"chmod\",null],[\"chown\",null],[\"link\",\"$W/linked\"],[\"read\",null]]" ]
}

@test "keystrokes pushed into the terminal with TIOCSTI leave the receipt closed" {
	skip "known gap: ioctl(2) is not recorded (class FD in bpf/systab.h); TIOCSTI queues input that the user's shell runs after gh-trace ends"
	"$PY" - "$EV" <<'PY'
import os, pty, subprocess, sys, tty
m, s = pty.openpty()
tty.setraw(s)
subprocess.run(["gh-trace", "-o", sys.argv[1], "--", sys.executable, "-c",
    "import fcntl\nfor c in 'echo injected\\n': fcntl.ioctl(0, 0x5412, c.encode())"],
    stdin=s, check=True)
os.set_blocking(s, False)
assert os.read(s, 100) == b"echo injected\n"   # queued for the next reader
PY
	gh-aggregate "$EV" > r.json
	# what the promise needs: the ioctl (0x5412, TIOCSTI) recorded, or the
	# receipt partial
	jq -e 'select(.type != "header" and .type != "exec") | tostring | test("ioctl|TIOCSTI")' "$EV" >/dev/null ||
		[ "$(jq -r .completeness r.json)" = partial ]
}

@test "a descriptor passed over SCM_RIGHTS by a process outside the tree: its writes leave the receipt closed" {
	skip "known gap: recvmsg(2) with SCM_RIGHTS is not recorded; a file opened outside the tree and written through the passed descriptor is named nowhere"
	"$PY" -c 'import array, os, socket, sys
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(1)
open(sys.argv[1] + ".ready", "w").close()
c, _ = s.accept()
fd = os.open(sys.argv[2], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
c.sendmsg([b"x"], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", [fd]))])' \
		"$W/sock" "$W/out-by-fd" &
	for ((i = 0; i < 200; i++)); do [ -e "$W/sock.ready" ] && break; sleep 0.05; done
	traced "$PY" -c 'import array, os, socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
msg, anc, flags, addr = s.recvmsg(1, socket.CMSG_SPACE(4))
os.write(array.array("i", anc[0][2])[0], b"written through a passed descriptor\n")' "$W/sock"
	wait
	[ "$(cat "$W/out-by-fd")" = "written through a passed descriptor" ]
	names "$W/out-by-fd" || [ "$(jq -r .completeness r.json)" = partial ]
}

@test "a write through a bind mount in a private mount namespace names the file, the mount point beside" {
	need_mount_ns
	mkdir -p "$W/secret" "$W/harmless"
	traced unshare -m sh -c 'mount --make-rprivate / &&
		mount --bind "$1/secret" "$1/harmless" && echo key >> "$1/harmless/authorized_keys"' sh "$W"
	[ "$(cat "$W/secret/authorized_keys")" = key ]
	names "$W/secret/authorized_keys" || [ "$(jq -r .completeness r.json)" = partial ]
	[ "$(jq -c --arg p "$W/secret/authorized_keys" '[.filesystem.accesses[] | select(.path == $p) | [.op, .path_seen]]' r.json)" = \
		"[[\"create\",\"$W/harmless/authorized_keys\"]]" ]
}

@test "a file created after chroot(2) is named where it is (DIR/x), not as the new root shows it (/x)" {
	mkdir -p "$W/jail"
	traced perl -e 'chroot($ARGV[0]) or die "$!"; chdir("/"); open(F, ">/x") or die "$!"; close F' "$W/jail"
	[ -e "$W/jail/x" ]
	[ "$(jq -c --arg p "$W/jail/x" '[.filesystem.accesses[] | select(.path == $p or .path == "/x") | [.op, .path]]' r.json)" = \
		"[[\"create\",\"$W/jail/x\"]]" ]
	closed
}

@test "a unix socket bound to a relative name: the socket file is named by no absolute path" {
	skip "known gap: bind and connect keep sun_path as given (unix:rel.sock); the socket file made in the working directory is not resolved"
	cd "$W"
	traced perl -e 'use Socket; socket(my $s, PF_UNIX, SOCK_STREAM, 0) or die; bind($s, pack_sockaddr_un("rel.sock")) or die "$!"'
	[ -S "$W/rel.sock" ]
	[ "$(jq -r '.network.inbound[] | select(.op == "bind") | .addr' r.json)" = "unix:$W/rel.sock" ] ||
		names "$W/rel.sock" || [ "$(jq -r .completeness r.json)" = partial ]
}

@test "a record forged into the stream through /proc/PPID/fd/1 makes the receipt partial" {
	# the twin: the same command writing to its own stdout leaves the stream whole
	gh-trace -- sh -c 'echo "{\"type\":\"exit\"}" > /dev/null' | gh-aggregate > r.json
	closed
	# the command's parent is gh-trace; its stdout is the stream.
	# A line written before gh-trace's header makes the stream refused
	# as a whole (no receipt at all); after it, the receipt is partial.
	# Neither is a closed receipt.
	run bash -c 'gh-trace -- sh -c '\''echo "{\"type\":\"exit\",\"t\":1,\"pid\":999999,\"ppid\":1,\"code\":0,\"signal\":null,\"core\":false}" > /proc/$PPID/fd/1'\'' |
		gh-aggregate > r.json'
	if [ "$status" -ne 0 ]; then
		[ "$status" -eq 2 ]
		[[ "$output" == *"the first record must be a header, not exit"* ]]
		return 0
	fi
	[ "$(jq -r .observation_mode r.json)" = ebpf ]
	# the forged line was read as a record of the run
	[ "$(jq '[.process_tree[] | select(.pid == 999999)] | length' r.json)" -eq 1 ]
	[ "$(jq -r .completeness r.json)" = partial ]
	jq -e '.completeness_reasons[] | select(test("^end record counts [0-9]+ records, stream has [0-9]+$"))' r.json
}
