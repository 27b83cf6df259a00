#!/bin/bash
# Network workload for tests/gh-trace-net.bats, run in a network namespace
# of its own (unshare -n): traces non-blocking connects whose outcomes are
# ok (N bytes sent, M received), refused, reset, timeout (DROP: an address
# routed into lo, where nothing takes it) and unreachable (NOROUTE: no
# route at all), from Python and from curl, into OUT/ev.ndjson; the ports
# used go to OUT/ports.
#   outcomes.sh OUT DROP NOROUTE
set -eu
out=$1 drop=$2 noroute=$3
T=$(dirname "$0")
ip link set lo up
# one SYN retry: a connect that gets no answer times out after 3 s
sysctl -qw net.ipv4.tcp_syn_retries=1
ip route add "$drop/32" dev lo
"$PY" "$T/tcpserver.py" 127.0.0.1 "$out/ok.port" 3000 &
s1=$!
"$PY" "$T/tcpserver.py" 127.0.0.1 "$out/reset.port" reset &
s2=$!
mkdir "$out/www"
printf 'hello\n' > "$out/www/index.html"
# -u: the line naming its port reaches the log at once (a Python writing
# to a file holds its output until it exits, unless PYTHONUNBUFFERED is set)
"$PY" -u -m http.server -b 127.0.0.1 -d "$out/www" 0 > "$out/http.log" 2>&1 &
s3=$!
trap 'kill $s1 $s2 $s3' EXIT
for i in $(seq 100); do
	[ -e "$out/ok.port" ] && [ -e "$out/reset.port" ] &&
		grep -q 'port [0-9]' "$out/http.log" && break
	sleep 0.05
done
ok=$(cat "$out/ok.port") reset=$(cat "$out/reset.port")
http=$(sed -n 's/.*port \([0-9]*\).*/\1/p' "$out/http.log" | head -n1)
[ -n "$ok" ] && [ -n "$reset" ] && [ -n "$http" ] ||
	{ echo "outcomes.sh: a server did not start (ports: '$ok' '$reset' '$http')" >&2; exit 1; }
echo "$ok $reset $http" > "$out/ports"
# a port behind the dropping route (inside this namespace)
dropped=http://$drop:81/
gh-trace -o "$out/ev.ndjson" -- sh -c "
\"$PY\" $T/conn.py 127.0.0.1 $ok 5 1234
\"$PY\" $T/conn.py 127.0.0.1 9 5
\"$PY\" $T/conn.py 127.0.0.1 $reset 5 10
\"$PY\" $T/conn.py $drop 80 10
\"$PY\" $T/conn.py $noroute 80 1
curl -s --noproxy '*' -o /dev/null http://127.0.0.1:$http/index.html; echo curl \$?
curl -s --noproxy '*' -o /dev/null http://127.0.0.1:9/; echo curl \$?
curl -s --noproxy '*' -o /dev/null --connect-timeout 1 $dropped; echo curl \$?
" > "$out/out.txt"
