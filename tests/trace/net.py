# Network workload for tests/gh-trace.bats: TCP to a listening and to a
# closed local port, UDP sends, IPv6 loopback, a unix socket and a
# connect through a dup'ed fd. Writes the ports it used to argv[1].
import os
import socket
import sys

srv = socket.socket()
srv.bind(('127.0.0.1', 0))
srv.listen(4)
port = srv.getsockname()[1]
c = socket.socket()
c.connect(('127.0.0.1', port))
peer, _ = srv.accept()

probe = socket.socket()
probe.bind(('127.0.0.1', 0))
closed = probe.getsockname()[1]
probe.close()
r = socket.socket()
try:
    r.connect(('127.0.0.1', closed))
except ConnectionRefusedError:
    pass

u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.bind(('127.0.0.1', 0))
uport = u.getsockname()[1]
us = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
us.sendto(b'hello', ('127.0.0.1', uport))
us.sendmsg([b'abc'], [], 0, ('127.0.0.1', uport))

s6 = socket.socket(socket.AF_INET6)
s6.bind(('::1', 0))
s6.listen(1)
port6 = s6.getsockname()[1]
c6 = socket.socket(socket.AF_INET6)
c6.connect(('::1', port6))

d = socket.socket()
fd = os.dup(d.fileno())
dup = socket.socket(fileno=fd)
dup.connect(('127.0.0.1', port))

un = socket.socket(socket.AF_UNIX)
un.bind('\0gh-trace-test-%d' % os.getpid())
un.listen(1)
uc = socket.socket(socket.AF_UNIX)
uc.connect('\0gh-trace-test-%d' % os.getpid())

with open(sys.argv[1], 'w') as f:
    f.write('%d %d %d %d %d\n' % (port, closed, uport, port6, fd))
