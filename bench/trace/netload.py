# Workload of bench/trace/net: N x (a DNS query for a name over UDP to
# 127.0.0.1:53, then an HTTP GET of BYTES bytes on a new connection to
# 127.0.0.1:PORT). Needs the servers bench/trace/net starts.
#   netload.py N PORT
import socket
import struct
import sys

n, port = int(sys.argv[1]), int(sys.argv[2])
q = struct.pack('>HHHHHH', 1, 0x0100, 1, 0, 0, 0) + b'\x07gh-test\x07example\x00' + struct.pack('>HH', 1, 1)
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.connect(('127.0.0.1', 53))
req = b'GET /blob HTTP/1.0\r\nHost: bench\r\n\r\n'
for i in range(n):
    u.send(q)
    u.recv(512)
    s = socket.create_connection(('127.0.0.1', port))
    s.sendall(req)
    while s.recv(65536):
        pass
    s.close()
