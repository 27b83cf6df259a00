# A DNS server for tests/gh-trace-net.bats: answers on UDP and TCP at
# ADDR:PORT, writing "ready" to READYFILE once both listen.
#   gh-test.example      A 127.0.0.7, AAAA ::1 (through a CNAME:
#                        gh-test.example CNAME www.gh-test.example)
#   anything else        NXDOMAIN
#   bad.gh-test.example  a malformed answer (a label running past the end)
import os
import socket
import struct
import sys
import threading

addr, port, ready = sys.argv[1], int(sys.argv[2]), sys.argv[3]


def name(n):
    return b''.join(bytes([len(p)]) + p.encode() for p in n.split('.')) + b'\0'


def qname(msg):
    o, parts = 12, []
    while msg[o]:
        parts.append(msg[o + 1:o + 1 + msg[o]].decode())
        o += 1 + msg[o]
    return '.'.join(parts), struct.unpack('>H', msg[o + 1:o + 3])[0], o + 5


def answer(msg):
    qid = msg[:2]
    q, qtype, end = qname(msg)
    question = msg[12:end]
    if q == 'bad.gh-test.example':
        return qid + b'\x81\x80\x00\x01\x00\x01\x00\x00\x00\x00' + question + b'\xc0\x0c\x00\x01\x00\x01\x00\x00\x00\x3c\x00\x04\x3f'
    if q != 'gh-test.example' or qtype not in (1, 28):
        return qid + b'\x81\x83\x00\x01\x00\x00\x00\x00\x00\x00' + question
    target = name('www.gh-test.example')
    cname = b'\xc0\x0c' + struct.pack('>HHIH', 5, 1, 60, len(target)) + target
    owner = 12 + len(question) + 12      # where the CNAME target starts
    if qtype == 1:
        data = socket.inet_pton(socket.AF_INET, '127.0.0.7')
    else:
        data = socket.inet_pton(socket.AF_INET6, '::1')
    rr = struct.pack('>H', 0xc000 | owner) + struct.pack('>HHIH', qtype, 1, 60, len(data)) + data
    return qid + b'\x81\x80\x00\x01\x00\x02\x00\x00\x00\x00' + question + cname + rr


def udp():
    while True:
        msg, peer = u.recvfrom(512)
        u.sendto(answer(msg), peer)


def tcp():
    while True:
        c, _ = t.accept()
        n = struct.unpack('>H', c.recv(2, socket.MSG_WAITALL))[0]
        a = answer(c.recv(n, socket.MSG_WAITALL))
        c.sendall(struct.pack('>H', len(a)) + a)
        c.close()


u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.bind((addr, port))
t = socket.socket()
t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
t.bind((addr, port))
t.listen(4)
threading.Thread(target=tcp, daemon=True).start()
with open(ready + '.tmp', 'w') as f:
    f.write('ready\n')
os.rename(ready + '.tmp', ready)
udp()
