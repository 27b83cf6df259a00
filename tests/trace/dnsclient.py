# A DNS client for tests/gh-trace-net.bats: asks ADDR:PORT for NAME
# (type A, then AAAA) over PROTO (udp, udp-connected or tcp) and prints
# the answer's length.
#   dnsclient.py ADDR PORT PROTO NAME
import socket
import struct
import sys

addr, port, proto, qn = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]


def query(qid, qtype):
    q = b''.join(bytes([len(p)]) + p.encode() for p in qn.split('.')) + b'\0'
    return struct.pack('>HHHHHH', qid, 0x0100, 1, 0, 0, 0) + q + struct.pack('>HH', qtype, 1)


for qid, qtype in ((0x4701, 1), (0x4702, 28)):
    m = query(qid, qtype)
    if proto == 'tcp':
        s = socket.create_connection((addr, port))
        s.sendall(struct.pack('>H', len(m)) + m)
        n = struct.unpack('>H', s.recv(2, socket.MSG_WAITALL))[0]
        a = s.recv(n, socket.MSG_WAITALL)
    else:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        if proto == 'udp-connected':
            s.connect((addr, port))
            s.send(m)
            a = s.recv(512)
        else:
            s.sendto(m, (addr, port))
            a, _ = s.recvfrom(512)
    s.close()
    print(len(a))
