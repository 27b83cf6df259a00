# Process tree workload for tests/gh-trace.bats: the command forks a child
# that forks a grandchild; nobody execs. Exit codes 4 (grandchild) and 3
# (child); the command exits 0. Writes "child grandchild" pids to argv[1].
import os
import sys

out = sys.argv[1]
r, w = os.pipe()
child = os.fork()
if child == 0:
    grand = os.fork()
    if grand == 0:
        os._exit(4)
    os.waitpid(grand, 0)
    os.write(w, b'%d' % grand)
    os._exit(3)
os.close(w)
grand = int(os.read(r, 32))
os.waitpid(child, 0)
with open(out, 'w') as f:
    f.write('%d %d\n' % (child, grand))
