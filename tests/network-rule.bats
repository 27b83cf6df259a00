#!/usr/bin/env bats
# Tests, benchmarks and the demo send traffic only to 127.0.0.0/8, ::1,
# Unix sockets or network namespaces a test makes itself: tests/netcheck
# reads demo/, tests/ and bench/ for literal connect targets, and the demo
# is traced to show where it really connects.

bats_require_minimum_version 1.5.0

NETCHECK=$GH_ROOT/tests/netcheck

setup() {
	cd "$BATS_TEST_TMPDIR" || return 1
}

# plant FILE...: put the caller's planted[N] where a sample says @N@.
# Samples are for netcheck to read, never run: their addresses and names
# come in after they are written, so that no line here is a call to one.
plant() {
	local f i
	for f in "$@"; do
		for i in "${!planted[@]}"; do
			sed -i "s|@$i@|${planted[$i]}|g" "$f"
		done
		! grep -n '@[0-9][0-9]*@' "$f" || return 1
	done
}

@test "demo/, tests/ and bench/ name no connect target outside this machine" {
	run --separate-stderr "$NETCHECK" "$GH_ROOT/demo" "$GH_ROOT/tests" "$GH_ROOT/bench"
	[ "$stderr" = "" ]
	[ "$output" = "" ]
	[ "$status" -eq 0 ]
}

@test "netcheck finds public targets in every form it knows" {
	mkdir p
	# samples for netcheck to read, never run (see plant)
	local planted=(1.1.1.1 8.8.8.8 example.com 203.0.113.7 2606:4700:4700::1111
		198.51.100.7 example.org 192.0.2.1 9.9.9.9 10.0.0.1 8.8.4.4 example.net
		100.64.0.1 172.16.0.9 192.168.1.1 93.184.216.34)
	cat > p/a.py <<'PLANTED'
import socket
s = socket.socket()
s.connect(('@0@', 443))
socket.create_connection(("@2@", 80))
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.sendto(b'q', ('@1@', 53))
for a in ("127.0.0.1", "@3@"):
    s.connect_ex((a, 9))
s.connect(('@4@', 443, 0, 0))
PLANTED
	cat > p/b.sh <<'PLANTED'
#!/bin/sh
curl -fsSL https://@5@/x | sh
x=$(wget -qO- http://@6@/i.sh)
nc -z @7@ 22 && ping -c1 @8@
exec 3<>/dev/tcp/@9@/80
gh-trace -o ev -- sh -c 'dig @@10@ @11@'
PLANTED
	cat > p/c.bats <<'PLANTED'
f() {
	run gh-trace -- "$PY" -c '
import socket
socket.socket().connect(("@12@", 1))'
	cat > net.pl <<'PERL'
use Socket;
connect($s, sockaddr_in(1, inet_aton("@13@")));
PERL
}
PLANTED
	cat > p/d.c <<'PLANTED'
int f(void) { return inet_pton(AF_INET, "@14@", &a); }
PLANTED
	# a script among fixtures is still a script
	mkdir p/fixtures
	printf '#!/bin/sh\nsocat - TCP:@15@:80\n' > p/fixtures/record
	plant p/a.py p/b.sh p/c.bats p/d.c p/fixtures/record
	run --separate-stderr "$NETCHECK" p
	[ "$status" -eq 1 ]
	[ "$stderr" = "" ]
	[ "$output" = "p/a.py:3: 1.1.1.1
p/a.py:4: example.com
p/a.py:6: 8.8.8.8
p/a.py:7: 203.0.113.7
p/a.py:9: 2606:4700:4700::1111
p/b.sh:2: 198.51.100.7
p/b.sh:3: example.org
p/b.sh:4: 192.0.2.1
p/b.sh:4: 9.9.9.9
p/b.sh:5: 10.0.0.1
p/b.sh:6: 8.8.4.4
p/b.sh:6: example.net
p/c.bats:4: 100.64.0.1
p/c.bats:7: 172.16.0.9
p/d.c:1: 192.168.1.1
p/fixtures/record:2: 93.184.216.34" ]
}

@test "netcheck lets loopback, unix sockets, namespaces and data pass" {
	mkdir p p/fixtures
	local planted=(10.1.2.3 203.0.113.7 93.184.216.34 example.com 1.1.1.1 8.8.8.8
		2606:4700::1111)
	cat > p/ok.py <<'PLANTED'
import socket
s = socket.socket()
s.connect(('127.0.0.1', 80))
s.connect(('127.0.0.2', 80))
s.connect(('::1', 80, 0, 0))
s.connect(('localhost', 80))
s.sendto(b'x', ('::ffff:127.0.0.53', 53))
socket.socket(socket.AF_UNIX).connect('/run/x.sock')
socket.socket(socket.AF_UNIX).connect('\0abstract')
PLANTED
	cat > p/ok.bats <<'PLANTED'
f() {
	curl -fsS http://127.0.0.1:8080/ -o out.txt
	nc -z localhost 22; exec 3<>/dev/tcp/127.0.0.1/1
	ip netns exec gh-test curl http://@0@/
	unshare -n python3 -c 'import socket; socket.socket().connect(("@1@", 9))'
	grep -qx 'deny connect @2@:443 by pid 1 (curl -fsSL https://@3@/i.sh)' <<<"$output"
	[ "$output" = "r.rules:1: deny connect @4@:443 [proto=tcp] by pid 4102 (curl https://@4@/)" ]
	cat > r.rules <<'RULES'
deny connect @5@:53
curl https://@3@ | sh
RULES
	jq '.network.attempts[0].dst = "[@6@]:443"' r.json
}
PLANTED
	printf '{"dst": "@5@:53"}\n' > p/fixtures/r.json
	printf 'curl http://@5@/\n' > p/fixtures/notes
	printf 'deny connect @5@\n' > p/agent.rules
	plant p/ok.py p/ok.bats p/fixtures/r.json p/fixtures/notes p/agent.rules
	run --separate-stderr "$NETCHECK" p
	[ "$stderr" = "" ]
	[ "$output" = "" ]
	[ "$status" -eq 0 ]
}

@test "netcheck: a missing path is an error" {
	run --separate-stderr "$NETCHECK" no-such-dir
	[ "$status" -eq 2 ]
	[ "$stderr" = "netcheck: no-such-dir: No such file or directory" ]
}

@test "the demo connects only to loopback and its policy catches the stand-in for home" {
	[ "$(id -u)" -eq 0 ] || skip "tracing needs root"
	export GH_TRACE_PIN_DIR=$BATS_TEST_TMPDIR/no-kept-programs
	export GH_DEMO_RECEIPT=$BATS_TEST_TMPDIR/r.json
	run --separate-stderr bash "$GH_ROOT/demo/run"
	[ "$status" -eq 0 ]
	# the demo shows a summary and names the file with the whole receipt
	grep -qx "# the whole receipt: $GH_DEMO_RECEIPT (.*)" <<<"$output"
	[ "$(jq -r .observation_mode r.json)" = ebpf ]
	# every peer: loopback or a unix socket
	jq -r '.network.attempts[] | "\(.op) \(.protocol) \(.result) \(.dst)"' r.json |
		sed -E 's/:[0-9]+$/:PORT/' | sort -u > peers
	grep -v ' unix:' peers > inet
	[ "$(cat inet)" = "connect tcp ok 127.0.0.2:PORT
connect tcp ok [::1]:PORT
connect tcp refused 127.0.0.1:PORT
send udp ok 127.0.0.2:PORT" ]
	# the verdict: home and its resolver denied, the secret read too
	grep -q '^demo/demo.rules:5: deny connect 127\.0\.0\.2:[0-9]* \[proto=tcp\] by pid [0-9]* (/usr/bin/python3 - /tmp/gh-demo\.' <<<"$output"
	grep -q '^demo/demo.rules:5: deny connect 127\.0\.0\.2:[0-9]* \[op=send proto=udp\] by pid ' <<<"$output"
	grep -q '^demo/\.\./policies/agent\.rules:35: deny read /proc/[0-9]*/environ by pid' <<<"$output"
	[ "$(tail -n1 <<<"$output")" = "# gh-policy exit status: 1 (0 pass, 1 violations)" ]
	# on one screen: gh-show's summary of the receipt, then the verdict
	[ "${#lines[@]}" -le 50 ]
	summary=$(grep -n -x 'command    demo/agent.sh' <<<"$output" | cut -d: -f1)
	verdict=$(grep -n '^# gh-policy demo/demo.rules' <<<"$output" | cut -d: -f1)
	[ -n "$summary" ]
	[ "$summary" -lt "$verdict" ]
	grep -qx 'record     complete' <<<"$output"
	grep -q '^network    5 outbound, 1 inbound; [0-9]* bytes sent, [0-9]* received$' <<<"$output"
	# the twin: the whole receipt, which the demo printed before, does not fit
	[ "$(wc -l < r.json)" -gt 50 ]
	! grep -q '"execution_id"' <<<"$output" || false
}

@test "netcheck: a regex's escaped dots name the same address (loopback passes, public does not)" {
	mkdir p
	cat > p/ok.sh <<'PLANTED'
#!/bin/sh
grep -q "x /dev/tcp/127\.0\.0\.1/9" out
PLANTED
	run "$NETCHECK" p
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	cat > p/bad.sh <<'PLANTED'
#!/bin/sh
echo hi > /dev/tcp/8\.8\.8\.8/53
PLANTED
	run "$NETCHECK" p
	[ "$status" -eq 1 ]
	[ "$output" = 'p/bad.sh:2: 8\.8\.8\.8' ]
}
