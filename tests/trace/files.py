# File workload for tests/gh-trace.bats: every path operation gh-trace
# reports, with relative names, a dirfd and a failing open. Run in an
# empty directory given as argv[1].
import os
import sys

os.chdir(sys.argv[1])
os.mkdir('sub', 0o755)
fd = os.open('sub/a.txt', os.O_WRONLY | os.O_CREAT, 0o600)
os.write(fd, b'data')
os.close(fd)
dfd = os.open('sub', os.O_RDONLY | os.O_DIRECTORY)
os.close(os.open('rel.txt', os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=dfd))
try:
    os.open('sub/../missing.txt', os.O_RDONLY)
except OSError:
    pass
os.rename('sub/a.txt', 'sub/b.txt')
os.chmod('sub/b.txt', 0o640)
os.chown('sub/b.txt', -1, os.getgid())
os.symlink('b.txt', 'sub/link')
os.link('sub/b.txt', 'sub/hard')
os.truncate('sub/b.txt', 2)
os.unlink('sub/hard')
os.unlink('link', dir_fd=dfd)
os.mkdir('sub/dir', 0o700)
os.rmdir('sub/dir')
os.chdir('sub')
with open('./../sub/b.txt') as f:
    f.read()
