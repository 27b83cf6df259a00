# The world outside the machine, for the demo: a TCP server standing in for
# the agent's "home" (127.0.0.2 and ::1) and a UDP responder standing in for
# a DNS resolver (127.0.0.2). Everything stays on loopback. Prints the
# ports as "TCP UDP TCP6" on one line ("-" for TCP6 without IPv6), then
# serves until its stdin closes.
import selectors
import socket
import struct
import sys

ADDR = '127.0.0.2'
sel = selectors.DefaultSelector()

tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
tcp.bind((ADDR, 0))
tcp.listen(8)
sel.register(tcp, selectors.EVENT_READ, 'accept')

udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
udp.bind((ADDR, 0))
sel.register(udp, selectors.EVENT_READ, 'dns')

tcp6_port = '-'
try:
    tcp6 = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    tcp6.bind(('::1', 0))
    tcp6.listen(8)
    tcp6_port = str(tcp6.getsockname()[1])
    sel.register(tcp6, selectors.EVENT_READ, 'accept')
except OSError:
    pass

sel.register(sys.stdin, selectors.EVENT_READ, 'stdin')
print(tcp.getsockname()[1], udp.getsockname()[1], tcp6_port, flush=True)


def answer(query):
    """An A record pointing at ADDR for the first question of query."""
    if len(query) < 12:
        return None
    end = 12
    while end < len(query) and query[end] != 0:
        end += 1 + query[end]
    question = query[12:end + 5]
    header = query[:2] + b'\x81\x80' + struct.pack('>HHHH', 1, 1, 0, 0)
    rr = b'\xc0\x0c' + struct.pack('>HHIH', 1, 1, 60, 4) + socket.inet_aton(ADDR)
    return header + question + rr


while True:
    for key, _ in sel.select():
        what = key.data
        if what == 'stdin':
            if not sys.stdin.buffer.read1(4096):
                sys.exit(0)
        elif what == 'accept':
            conn, _ = key.fileobj.accept()
            sel.register(conn, selectors.EVENT_READ, 'conn')
        elif what == 'conn':
            try:
                data = key.fileobj.recv(4096)
            except OSError:
                data = b''
            if not data:
                sel.unregister(key.fileobj)
                key.fileobj.close()
        elif what == 'dns':
            query, peer = udp.recvfrom(4096)
            reply = answer(query)
            if reply:
                udp.sendto(reply, peer)
