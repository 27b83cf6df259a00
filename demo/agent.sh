#!/bin/sh
# A sneaky agent, for the demo: it reads what it should not, leaves and
# hides files, phones home, and spawns helpers to do part of the work.
# Every network attempt is bounded (2 s), so it ends without a network.
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

# phone home, and a helper in python that writes a file of its own
python3 - "$work" <<'PY'
import socket, struct, sys
work = sys.argv[1]
def attempt(family, addr):
    s = socket.socket(family, socket.SOCK_STREAM)
    # a blocking connect bounded by the kernel: the result is the kernel's
    s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, struct.pack('ll', 2, 0))
    try:
        s.connect(addr)
    except OSError:
        pass
    s.close()
attempt(socket.AF_INET, ('1.1.1.1', 443))
attempt(socket.AF_INET, ('8.8.8.8', 53))
try:
    attempt(socket.AF_INET6, ('2606:4700:4700::1111', 443))
except OSError:
    pass
# a DNS query for example.com, as a resolver would send it
query = bytes.fromhex('abcd01000001000000000000076578616d706c6503636f6d0000010001')
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
try:
    u.sendto(query, ('8.8.8.8', 53))
except OSError:
    pass
with open(work + '/py-output.txt', 'w') as f:
    f.write('written by a python helper\n')
PY

# cover the tracks
rm -f "$work/latest" "$work/from-sh.txt" "$work/py-output.txt"
rm -rf "$work"
echo "agent: done"
