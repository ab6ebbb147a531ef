#!/usr/bin/env python3
"""Drive an interactive shell in a pseudo-terminal as a user would: type a
command line, press TAB, and write what the line holds afterwards.

    complete_pty.py bash|zsh RCFILE LINE OUTFILE

RCFILE is sourced first; it loads the completion and binds Ctrl-X p to a
widget that writes the line buffer to OUTFILE.  Every wait is bounded."""
import os
import pty
import select
import sys
import time

shell, rcfile, line, outfile = sys.argv[1:5]


def read_until(fd, marker, timeout):
    buf = b""
    end = time.time() + timeout
    while time.time() < end:
        r, _, _ = select.select([fd], [], [], 0.05)
        if r:
            try:
                data = os.read(fd, 4096)
            except OSError:
                break
            if not data:
                break
            buf += data
            if marker in buf:
                return True
    return False


def main():
    argv = {"bash": ["bash", "--noprofile", "--norc", "-i"],
            "zsh": ["zsh", "-f", "-i"]}[shell]
    env = dict(os.environ, TERM="dumb", PS1="READY> ", PROMPT="READY> ")
    pid, fd = pty.fork()
    if pid == 0:
        os.execvpe(argv[0], argv, env)
    try:
        os.write(fd, b"source '%s'; echo SOURCED\n" % rcfile.encode())
        if not read_until(fd, b"SOURCED\r\n", 20):
            sys.exit("shell did not start")
        read_until(fd, b"READY> ", 5)
        os.write(fd, line.encode() + b"\t")
        # keys are read in order: the dump runs once the completion is done
        os.write(fd, b"\x18p")
        end = time.time() + 10
        while time.time() < end and not os.path.exists(outfile):
            read_until(fd, b"\x00", 0.05)
        os.write(fd, b"\x03exit\n")
    finally:
        time.sleep(0.1)
        try:
            os.kill(pid, 9)
        except OSError:
            pass
        os.waitpid(pid, 0)
    if not os.path.exists(outfile):
        sys.exit("no line buffer written")


main()
