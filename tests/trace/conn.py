# Network workload for tests/gh-trace-net.bats: one non-blocking TCP
# connect to HOST:PORT, waiting at most WAIT seconds for its outcome,
# then (when it connected) SEND bytes sent, the write side shut, and
# everything the peer sends read back. Prints the outcome (errno name or
# "ok") and the bytes received. A peer's reset may come at any point after
# the connect (before the send, between it and the shutdown, during the
# reads): the socket's pending error names it wherever a call failed, so
# the outcome does not depend on when it came.
#   conn.py HOST PORT WAIT [SEND]
import errno
import select
import socket
import sys

host, port, wait = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
send = int(sys.argv[4]) if len(sys.argv) > 4 else 0
s = socket.socket(socket.AF_INET6 if ':' in host else socket.AF_INET)
s.setblocking(False)
err = s.connect_ex((host, port))


def failed(e):
    # the socket's own error where it has one (shutdown(2) of a socket a
    # reset closed says only ENOTCONN)
    return s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) or e


if err == errno.EINPROGRESS:
    select.select([], [s], [], wait)
    err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
got = 0
if err == 0:
    try:
        s.getpeername()
    except OSError:
        err = failed(errno.EINPROGRESS)
if err == 0:
    s.setblocking(True)
    try:
        s.sendall(b'x' * send)
        s.shutdown(socket.SHUT_WR)
        while True:
            d = s.recv(65536)
            if not d:
                break
            got += len(d)
    except OSError as e:
        err = failed(e.errno)
print('ok' if err == 0 else errno.errorcode[err], got)
s.close()
