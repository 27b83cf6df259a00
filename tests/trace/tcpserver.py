# A TCP server for tests/gh-trace-net.bats, on ADDR (a loopback address):
# writes its port to PORTFILE, then for each connection reads until the
# client's end of stream and answers REPLY bytes ("reset": closes at once
# with a reset). PORT, when given, is the port to listen on (else one the
# kernel picks).
#   tcpserver.py ADDR PORTFILE REPLY [PORT]
import socket
import struct
import sys

l = socket.socket()
l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind((sys.argv[1], int(sys.argv[4]) if len(sys.argv) > 4 else 0))
l.listen(16)
with open(sys.argv[2] + '.tmp', 'w') as f:
    f.write('%d\n' % l.getsockname()[1])
import os
os.rename(sys.argv[2] + '.tmp', sys.argv[2])
reply = sys.argv[3]
while True:
    c, _ = l.accept()
    if reply == 'reset':
        c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
        c.close()
        continue
    while c.recv(65536):
        pass
    c.sendall(b'y' * int(reply))
    c.close()
