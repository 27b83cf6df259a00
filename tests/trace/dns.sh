#!/bin/bash
# DNS workload for tests/gh-trace-net.bats, run in network and mount
# namespaces of its own (unshare -n -m): a DNS server (dnsserver.py) on
# 127.0.0.1:53, then, traced into OUT/ev.ndjson: queries over UDP (to an
# address, and on a connected socket), over TCP, through the C library's
# resolver (getent, with a resolv.conf of this namespace naming the
# server), a name whose answer is malformed, and a connect to the address
# gh-test.example resolved to.
#   dns.sh OUT
set -eu
out=$1
T=$(dirname "$0")
ip link set lo up
# addresses beside loopback's, so that getaddrinfo's AI_ADDRCONFIG asks
# for both families (this namespace has no other interface)
ip addr add 10.53.0.1/32 dev lo
ip addr add fd53::1/128 dev lo
"$PY" "$T/dnsserver.py" 127.0.0.1 53 "$out/dns.ready" &
s1=$!
"$PY" "$T/tcpserver.py" 127.0.0.7 "$out/ok.port" 100 &
s2=$!
trap 'kill $s1 $s2' EXIT
printf 'nameserver 127.0.0.1\noptions attempts:1 timeout:2\n' > "$out/resolv.conf"
if [ "$(stat -c %m /)" = / ] && mount --make-rprivate / 2>/dev/null; then
	mount --bind "$out/resolv.conf" /etc/resolv.conf
	getent=1
else
	getent=0
fi
for i in $(seq 100); do
	[ -e "$out/dns.ready" ] && [ -e "$out/ok.port" ] && break
	sleep 0.05
done
ok=$(cat "$out/ok.port")
echo "$getent" > "$out/getent"
gh-trace -o "$out/ev.ndjson" -- sh -c "
\"$PY\" $T/dnsclient.py 127.0.0.1 53 udp gh-test.example
\"$PY\" $T/dnsclient.py 127.0.0.1 53 udp-connected gh-test.example
\"$PY\" $T/dnsclient.py 127.0.0.1 53 tcp gh-test.example
\"$PY\" $T/dnsclient.py 127.0.0.1 53 udp bad.gh-test.example
[ $getent = 0 ] || getent ahosts gh-test.example
\"$PY\" $T/conn.py 127.0.0.7 $ok 5 10
" > "$out/out.txt"
