"""A FUSE filesystem that loses every write not yet fsynced when it dies: the power-cut drill's disk.

A kill -9 of the application is not a power cut: the kernel's page cache outlives the process, so a write that was
never fsynced still reaches the disk. Here the page cache is this process. Every write lands in its memory; only
fsync (or fdatasync) of a file copies that file's pages to the backing folder. Killing this process (SIGKILL) and
lazily unmounting is the power cut: what the backing folder holds is what a disk would hold after one — every byte
an fsync returned for, nothing else. The same idea as LazyFS (Jepsen), without its C++ build.

Metadata (create, rename, unlink, mkdir, chmod) goes to the backing folder at once: the drill is about data, and
a journalling filesystem (ext4's default data=ordered) commits metadata on its own. A file created and renamed
without fsync therefore survives with the contents last fsynced — possibly none, the very hazard of a
write-then-rename without fsync.

Run: `python -m tests.support.lossy_fs BACKING MOUNTPOINT` (foreground, single-threaded, until killed or unmounted).
"""

from __future__ import annotations

import errno
import os
import sys
from dataclasses import dataclass, field
from typing import Any

import mfusepy as fuse

PAGE = 4096


@dataclass
class Volatile:
    """A file's contents as the page cache sees them: the backing file under dirty pages, at a logical size."""

    size: int  # the size the application sees
    floor: int  # backing bytes at or beyond this offset were cut by a truncate not yet synced: they read as zeros
    pages: dict[int, bytearray] = field(default_factory=dict)  # page index -> 4 KiB, not yet on the backing file

    def load(self, fd: int, index: int) -> bytearray:
        page = self.pages.get(index)
        if page is None:
            start = index * PAGE
            visible = max(0, min(PAGE, self.floor - start))
            page = bytearray(os.pread(fd, visible, start) if visible else b"")
            page.extend(bytes(PAGE - len(page)))
            self.pages[index] = page
        return page

    def read(self, fd: int, size: int, offset: int) -> bytes:
        end = min(offset + size, self.size)
        if end <= offset:
            return b""
        visible_end = min(end, self.floor)
        out = bytearray(os.pread(fd, visible_end - offset, offset) if visible_end > offset else b"")
        out.extend(bytes(end - offset - len(out)))
        for index in range(offset // PAGE, (end - 1) // PAGE + 1):
            page = self.pages.get(index)
            if page is None:
                continue
            start = index * PAGE
            lo, hi = max(start, offset), min(start + PAGE, end)
            out[lo - offset : hi - offset] = page[lo - start : hi - start]
        return bytes(out)

    def write(self, fd: int, data: bytes, offset: int) -> None:
        position = 0
        while position < len(data):
            at = offset + position
            index, within = divmod(at, PAGE)
            page = self.load(fd, index)
            take = min(PAGE - within, len(data) - position)
            page[within : within + take] = data[position : position + take]
            position += take
        self.size = max(self.size, offset + len(data))

    def truncate(self, fd: int, length: int) -> None:
        if length < self.size:
            tail = length % PAGE
            if tail:
                self.load(fd, length // PAGE)[tail:] = bytes(PAGE - tail)
            for index in [i for i in self.pages if i * PAGE >= length]:
                del self.pages[index]
            self.floor = min(self.floor, length)
        self.size = length

    def sync(self, fd: int) -> None:
        """What fsync promises: the pages reach the disk (here: the backing file), at the logical size."""
        os.ftruncate(fd, min(self.floor, self.size))
        for index in sorted(self.pages):
            start = index * PAGE
            if start < self.size:
                os.pwrite(fd, bytes(self.pages[index][: self.size - start]), start)
        os.ftruncate(fd, self.size)
        self.pages.clear()
        self.floor = self.size


class LossyFS(fuse.Operations):
    use_ns = True

    def __init__(self, backing: str) -> None:
        self.backing = os.path.realpath(backing)
        self.cache: dict[tuple[int, int], Volatile] = {}  # (st_dev, st_ino) -> its page cache
        self.handles: dict[int, tuple[int, tuple[int, int]]] = {}  # fh -> (backing fd, inode key)
        self.next_fh = 1

    def _real(self, path: str) -> str:
        return os.path.join(self.backing, path.lstrip("/"))

    def _volatile(self, fd: int) -> tuple[tuple[int, int], Volatile]:
        st = os.fstat(fd)
        key = (st.st_dev, st.st_ino)
        if key not in self.cache:
            self.cache[key] = Volatile(size=st.st_size, floor=st.st_size)
        return key, self.cache[key]

    def _handle(self, fd: int) -> int:
        key, _volatile = self._volatile(fd)
        fh = self.next_fh
        self.next_fh += 1
        self.handles[fh] = (fd, key)
        return fh

    def _file(self, fh: int) -> tuple[int, Volatile]:
        fd, key = self.handles[fh]
        return fd, self.cache[key]

    # metadata: straight to the backing folder
    def getattr(self, path: str, fh: int | None = None) -> dict[str, Any]:
        try:
            st = os.lstat(self._real(path))
        except OSError as exc:
            raise fuse.FuseOSError(exc.errno or errno.EIO) from exc
        attrs = {
            key: getattr(st, key)
            for key in ("st_mode", "st_nlink", "st_uid", "st_gid", "st_size", "st_atime", "st_mtime", "st_ctime")
        }
        volatile = self.cache.get((st.st_dev, st.st_ino))
        if volatile is not None:
            attrs["st_size"] = volatile.size
        return attrs

    def readdir(self, path: str, fh: int) -> list[str]:
        return [".", "..", *os.listdir(self._real(path))]

    def access(self, path: str, amode: int) -> int:
        if not os.access(self._real(path), amode):
            raise fuse.FuseOSError(errno.EACCES)
        return 0

    def mkdir(self, path: str, mode: int) -> int:
        os.mkdir(self._real(path), mode)
        return 0

    def rmdir(self, path: str) -> int:
        os.rmdir(self._real(path))
        return 0

    def _forget(self, real: str) -> None:
        """A name about to go: its inode's cache goes too unless a handle still holds it (the number is reused)."""
        try:
            st = os.lstat(real)
        except FileNotFoundError:
            return
        key = (st.st_dev, st.st_ino)
        if all(held != key for _fd, held in self.handles.values()):
            self.cache.pop(key, None)

    def unlink(self, path: str) -> int:
        self._forget(self._real(path))
        os.unlink(self._real(path))
        return 0

    def rename(self, old: str, new: str) -> int:
        self._forget(self._real(new))
        os.rename(self._real(old), self._real(new))
        return 0

    def chmod(self, path: str, mode: int) -> int:
        os.chmod(self._real(path), mode)
        return 0

    def chown(self, path: str, uid: int, gid: int) -> int:
        os.chown(self._real(path), uid, gid)
        return 0

    def utimens(self, path: str, times: tuple[int, int] | None = None) -> int:
        os.utime(self._real(path), ns=times)
        return 0

    def statfs(self, path: str) -> dict[str, int]:
        st = os.statvfs(self._real(path))
        names = ("f_bavail", "f_bfree", "f_blocks", "f_bsize", "f_favail", "f_ffree", "f_files", "f_frsize")
        return {name: getattr(st, name) for name in names} | {"f_namemax": st.f_namemax}

    def fsyncdir(self, path: str, datasync: int, fh: int) -> int:
        return 0  # metadata is durable at once (see the module's docstring)

    # data: through the page cache
    def create(self, path: str, mode: int, fi: Any = None) -> int:
        fd = os.open(self._real(path), os.O_RDWR | os.O_CREAT, mode)
        fh = self._handle(fd)
        self._file(fh)[1].truncate(fd, 0)
        return fh

    def open(self, path: str, flags: int) -> int:
        fd = os.open(self._real(path), os.O_RDWR if os.access(self._real(path), os.W_OK) else os.O_RDONLY)
        fh = self._handle(fd)
        if flags & os.O_TRUNC:
            self._file(fh)[1].truncate(fd, 0)
        return fh

    def read(self, path: str, size: int, offset: int, fh: int) -> bytes:
        fd, volatile = self._file(fh)
        return volatile.read(fd, size, offset)

    def write(self, path: str, data: bytes, offset: int, fh: int) -> int:
        fd, volatile = self._file(fh)
        volatile.write(fd, bytes(data), offset)
        return len(data)

    def truncate(self, path: str, length: int, fh: int | None = None) -> int:
        if fh is not None and fh in self.handles:
            fd, volatile = self._file(fh)
            volatile.truncate(fd, length)
            return 0
        fd = os.open(self._real(path), os.O_RDWR)
        try:
            self._volatile(fd)[1].truncate(fd, length)
        finally:
            os.close(fd)
        return 0

    def fsync(self, path: str, datasync: int, fh: int) -> int:
        fd, volatile = self._file(fh)
        volatile.sync(fd)
        return 0

    def flush(self, path: str, fh: int) -> int:
        return 0  # close() promises nothing about the disk

    def release(self, path: str, fh: int) -> int:
        fd, _key = self.handles.pop(fh)
        os.close(fd)  # the dirty pages stay in the cache, as the kernel's would
        return 0


def main(argv: list[str]) -> int:
    backing, mountpoint = argv
    fuse.FUSE(LossyFS(backing), mountpoint, foreground=True, nothreads=True, default_permissions=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
