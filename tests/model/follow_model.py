#!/usr/bin/env python3
"""Model-based test of `qerrors tail` through rotations and restarts.

A seeded random sequence of operations is applied to a log the way
applications, logrotate and kubelet change it: appends of whole and
partial lines, rename + create, copytruncate, truncate, delete and
recreate, symlink retarget, late writes to the rotated file, graceful
restart, kill -9 and SIGHUP.  Every error line written carries a unique
id.  The real binary runs as `qerrors tail --json` in the background; its
output is checked against the model:

- lost: an id never reported;
- duplicated: an id reported twice, except a kill -9 replay (reported
  before a kill -9 and again by the next run), which is counted apart;
- out of order: an id reported before one written earlier to the same
  file or to a file the writer had left before (an older rotation).

Figures are kept per operation kind: each id is attributed to the last
operation that changed the files (or the agent) before it was written.

usage: follow_model.py [--seed N] [--ops N] [--backend inotify|poll]
                       [--layout plain|glob|symlink] [--qerrors PATH] [--json]
Exit status 0 when nothing was lost, duplicated or out of order.
"""
import argparse
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

ID = re.compile(r"\bid=(\d+)\b")
KINDS = ("start", "append", "partial", "rename", "copytruncate", "truncate",
         "delete", "retarget", "late_write", "restart", "kill9", "sighup")


def event_ids(line):
    """The ids of the error lines one NDJSON event record holds."""
    if '"type":"event"' not in line:
        return []
    try:
        o = json.loads(line)
    except ValueError:
        return []  # cut by a kill -9
    return sorted({int(m) for l in o.get("lines") or [] for m in ID.findall(l)})


class Model:
    def __init__(self, a):
        self.a = a
        self.rng = random.Random(a.seed)
        self.dir = tempfile.mkdtemp(prefix="qerrors-model.")
        self.logs = os.path.join(self.dir, "logs")
        os.mkdir(self.logs)
        self.state = os.path.join(self.dir, "state")
        self.env = dict(os.environ)
        for k in ("QERRORS_AI_BASE_URL", "QERRORS_AI_API_KEY", "OPENAI_API_KEY"):
            self.env.pop(k, None)
        self.env["QERRORS_STATE_DIR"] = self.state
        self.env["HOME"] = self.dir
        self.env["XDG_CONFIG_HOME"] = os.path.join(self.dir, ".config")
        conf = os.path.join(self.dir, "qerrors.yaml")
        with open(conf, "w") as f:
            f.write("tail:\n  poll_interval_ms: 100\n  commit_interval_ms: 200\n"
                    "events:\n  idle_timeout_ms: 200\n")
        self.env["QERRORS_CONFIG"] = conf
        self.next_id = 0
        self.gen = 0
        self.ids = {}  # id -> (generation, kind of the last change)
        self.order = []  # ids in write order
        self.context = "start"
        self.rotations = 0
        self.copies = 0
        self.proc = None
        self.run = 0
        self.killed_runs = set()
        self.outputs = []
        self.trace = []
        self.rotated_while_stopped = 0
        self.ops = {k: 0 for k in KINDS}
        # the writer: its open file (like an application's descriptor)
        self.path = os.path.join(self.logs, "app.log")
        if a.layout == "symlink":
            self.link = self.path
            self.target = self.new_target()
            os.symlink(self.target, self.link)
            self.w = self.open_new(self.target)
        else:
            self.w = self.open_new(self.path)
        self.old = None  # (fd, generation, rotated at) of the last rotated file
        self.spec = (os.path.join(self.logs, "app.log*") if a.layout == "glob"
                     else self.path)

    # ---- the writer ----
    def new_target(self):
        self.rotations += 1
        return os.path.join(self.logs, "pod-%d.log" % self.rotations)

    def open_new(self, path):
        self.created = time.time()
        self.gen += 1
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        return {"fd": fd, "gen": self.gen, "pending": b""}

    def line(self, w, kind, complete=True):
        self.next_id += 1
        i = self.next_id
        self.ids[i] = (w["gen"], self.context)
        if complete:
            self.order.append(i)
        else:
            w["pending_id"] = i
        return ("2026-11-22 10:00:00 ERROR model failure id=%d in %s\n" % (i, kind)).encode()

    def write(self, w, data):
        """A partial line is complete, in write order, once its rest is."""
        os.write(w["fd"], w["pending"] + data)
        if w["pending"]:
            i = w.pop("pending_id")
            self.order.insert(len(self.order) - data.count(b"ERROR"), i)
            self.ids[i] = (w["gen"], self.ids[i][1])
        w["pending"] = b""

    def append(self, w, n, kind):
        data = b""
        for _ in range(n):
            if self.rng.random() < 0.3:
                data += b"2026-11-22 10:00:00 INFO request served\n"
            data += self.line(w, kind)
        self.write(w, data)

    def partial(self, w):
        self.finish(w)
        full = self.line(w, "partial", complete=False)
        cut = self.rng.randint(1, len(full) - 1)
        self.write(w, full[:cut])
        w["pending"] = full[cut:]

    def finish(self, w):
        if w["pending"]:
            self.write(w, b"")

    # ---- the agent ----
    def start(self):
        self.run += 1
        out = os.path.join(self.dir, "out.%d" % self.run)
        self.outputs.append(out)
        self.proc = subprocess.Popen(
            [self.a.qerrors, "tail", "--json", "--from-beginning",
             "--backend=" + self.a.backend, self.spec],
            stdout=open(out, "w"), stderr=open(out + ".err", "w"), env=self.env)
        lock = os.path.join(self.state, "qerrors.lock")
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                if open(lock).read().strip() == str(self.proc.pid):
                    break
            except OSError:
                pass
            time.sleep(0.02)
        time.sleep(0.15)

    def stop(self, sig):
        if not self.proc:
            return
        self.proc.send_signal(sig)
        self.proc.wait(timeout=30)
        if sig == signal.SIGKILL:
            self.killed_runs.add(self.run)
        self.proc = None

    def reported(self):
        seen = set()
        for out in self.outputs:
            try:
                for l in open(out, errors="replace"):
                    seen.update(event_ids(l))
            except OSError:
                pass
        return seen

    def catch_up(self, timeout=10):
        """Wait until the agent reported every complete line written."""
        want = {i for i in self.ids if not self.is_pending(i)}
        deadline = time.time() + timeout
        while time.time() < deadline:
            if want <= self.reported():
                return True
            time.sleep(0.05)
        return False

    def is_pending(self, i):
        for w in (self.w, self.old):
            if w and w["pending"] and ("id=%d " % i).encode() in w["pending"]:
                return True
        return False

    # ---- operations ----
    def rotate_names(self):
        """logrotate's numbering: app.log.N -> app.log.N+1, app.log -> app.log.1."""
        n = 1
        while os.path.exists("%s.%d" % (self.path, n)):
            n += 1
        for k in range(n - 1, 0, -1):
            os.rename("%s.%d" % (self.path, k), "%s.%d" % (self.path, k + 1))
        os.rename(self.path, self.path + ".1")

    def op(self, kind):
        self.ops[kind] += 1
        self.trace.append("%s next=%d run=%d" % (kind, self.next_id + 1, self.run))
        if kind == "append":
            self.append(self.w, self.rng.randint(1, 20), "append")
            return
        if kind == "partial":
            self.partial(self.w)
            return
        if kind == "late_write":
            if self.old:
                self.append(self.old, self.rng.randint(1, 5), "late_write")
            return
        self.context = kind
        if kind in ("rename", "retarget", "delete"):
            # A file that lived at the path too briefly for anyone to see
            # it cannot be followed (as with tail -F): give the agent one
            # poll interval and a little to notice the current file.
            if self.proc:
                time.sleep(max(0, self.created + 0.35 - time.time()))
            else:
                self.rotated_while_stopped += 1
        if kind in ("rename", "retarget"):
            if self.old:
                self.finish(self.old)
                os.close(self.old["fd"])
            if self.a.layout == "symlink" and kind == "retarget":
                target = self.new_target()
                nw = self.open_new(target)
                tmp = self.link + ".tmp"
                os.symlink(target, tmp)
                os.rename(tmp, self.link)
                self.target = target
            elif self.a.layout == "symlink":
                # kubelet: the target renamed, a new one under its name
                os.rename(self.target, "%s.%d" % (self.target, self.rotations))
                self.rotations += 1
                nw = self.open_new(self.target)
            else:
                self.rotate_names()
                nw = self.open_new(self.path)
            self.old, self.w = self.w, nw
            self.rotated_at = time.time()
            # the application writes a little more before it reopens
            if self.rng.random() < 0.5:
                self.append(self.old, self.rng.randint(1, 3), "late_write")
            # and ends the line it was writing there: a line finished in
            # an old file much later than the rotate wait (5 s) is read
            # only by the next run, out of order
            self.finish(self.old)
        elif kind in ("copytruncate", "truncate", "delete"):
            # data the agent has not read yet is lost by these on purpose
            # (as logrotate documents): catch up first
            self.finish(self.w)
            self.catch_up()
            cur = self.target if self.a.layout == "symlink" else self.path
            if kind == "copytruncate":
                self.copies += 1
                shutil.copyfile(cur, os.path.join(self.dir, "copy.%d" % self.copies))
            if kind == "delete":
                os.close(self.w["fd"])
                os.unlink(cur)
                self.w = self.open_new(cur)
            else:
                os.truncate(cur, 0)
                self.gen += 1
                self.w["gen"] = self.gen
        elif kind in ("restart", "kill9"):
            # the current file was seen before the agent goes (a rotation
            # while it is stopped must find a saved position)
            time.sleep(max(0, self.created + 0.35 - time.time()))
            self.stop(signal.SIGTERM if kind == "restart" else signal.SIGKILL)
        elif kind == "sighup":
            self.proc.send_signal(signal.SIGHUP)
        elif kind == "start":
            self.rotated_while_stopped = 0
            self.start()

    def choose(self):
        running = self.proc is not None
        menu = [("append", 30), ("partial", 8), ("late_write", 8), ("rename", 8),
                ("sighup", 2)]
        if self.a.layout == "symlink":
            menu.append(("retarget", 6))
        if running:
            menu += [("copytruncate", 3), ("truncate", 2), ("delete", 3),
                     ("restart", 4), ("kill9", 4)]
        else:
            menu = [m for m in menu if m[0] != "sighup"] + [("start", 25)]
            if self.rotated_while_stopped and self.a.layout != "glob":
                # a second rotation while stopped leaves a file that was
                # never followed under the path (only a glob finds it)
                menu = [m for m in menu if m[0] not in ("rename", "retarget")]
        total = sum(w for _, w in menu)
        r = self.rng.uniform(0, total)
        for k, w in menu:
            r -= w
            if r <= 0:
                return k
        return menu[-1][0]

    def late_ok(self):
        # an application reopens its log soon after a rotation; lines it
        # writes to the old file after the rotate wait (5 s) are not read
        return self.old is not None and time.time() - self.rotated_at < 3

    def execute(self):
        self.start()
        for _ in range(self.a.ops):
            kind = self.choose()
            if kind == "late_write" and not self.late_ok():
                kind = "append"
            self.op(kind)
            if self.proc and self.rng.random() < 0.3:
                time.sleep(self.rng.uniform(0, 0.15))
        if not self.proc:
            self.start()
        self.finish(self.w)
        if self.old:
            self.finish(self.old)
        self.catch_up(timeout=20)
        time.sleep(0.5)  # anything reported twice shows up too
        self.stop(signal.SIGTERM)

    # ---- the check ----
    def check(self):
        pos = 0
        first = {}  # id -> (position, run) of its first report
        counts = {}
        runs = {}
        for run, out in enumerate(self.outputs, 1):
            for l in open(out, errors="replace"):
                for i in event_ids(l):
                    pos += 1
                    counts[i] = counts.get(i, 0) + 1
                    runs.setdefault(i, []).append(run)
                    first.setdefault(i, pos)
        fig = {k: {"ids": 0, "lost": 0, "duplicated": 0, "replayed": 0,
                   "out_of_order": 0} for k in KINDS}
        for i, (gen, ctx) in self.ids.items():
            f = fig[ctx]
            f["ids"] += 1
            n = counts.get(i, 0)
            if n == 0:
                f["lost"] += 1
            elif n > 1:
                r = runs[i]
                replay = all(r[k] != r[k + 1] and r[k] in self.killed_runs
                             for k in range(len(r) - 1))
                f["replayed" if replay else "duplicated"] += 1
        # out of order: b reported before some a written earlier to the
        # same file or an older one
        maxpos = {}
        for b in self.order:
            gen, ctx = self.ids[b]
            if b not in first:
                continue
            p = first[b]
            # Under a glob over rotated names, a rotated file becomes a
            # source of its own (app.log.1): order is kept within a file.
            if any((g == gen if self.a.layout == "glob" else g <= gen) and mp > p
                   for g, mp in maxpos.items()):
                fig[ctx]["out_of_order"] += 1
                if self.a.keep and fig[ctx]["out_of_order"] < 4:
                    print("# out of order: id %d (file %d) reported at %d" %
                          (b, gen, p), {g: mp for g, mp in maxpos.items() if g <= gen and mp > p},
                          file=sys.stderr)
            maxpos[gen] = max(maxpos.get(gen, 0), p)
        unexpected = sorted(set(counts) - set(self.ids))
        return fig, unexpected


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--ops", type=int, default=40)
    ap.add_argument("--backend", default="inotify")
    ap.add_argument("--layout", default="plain", choices=("plain", "glob", "symlink"))
    ap.add_argument("--qerrors", default=os.environ.get("QERRORS", "./qerrors"))
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    ap.add_argument("--keep", action="store_true", help="keep the temp directory")
    a = ap.parse_args()
    a.qerrors = os.path.abspath(a.qerrors)
    m = Model(a)
    try:
        m.execute()
        fig, unexpected = m.check()
    finally:
        if m.proc:
            m.proc.kill()
            m.proc.wait()
        if not a.keep:
            shutil.rmtree(m.dir, ignore_errors=True)
        else:
            print("# kept", m.dir, file=sys.stderr)
            with open(os.path.join(m.dir, "trace"), "w") as f:
                f.write("\n".join(m.trace) + "\n")
    bad = sum(f["lost"] + f["duplicated"] + f["out_of_order"] for f in fig.values())
    bad += len(unexpected)
    if a.json:
        print(json.dumps({"seed": a.seed, "backend": a.backend, "layout": a.layout,
                          "ops": m.ops, "ids": len(m.ids), "figures": fig,
                          "unexpected": unexpected}))
    else:
        print("# seed %d %s %s: %d operations, %d ids" %
              (a.seed, a.backend, a.layout, sum(m.ops.values()), len(m.ids)))
        for k in KINDS:
            f = fig[k]
            if f["ids"] or m.ops[k]:
                print("#   %-12s ops %3d ids %5d lost %d dup %d replay %d order %d" %
                      (k, m.ops[k], f["ids"], f["lost"], f["duplicated"],
                       f["replayed"], f["out_of_order"]))
        if unexpected:
            print("#   unexpected ids", unexpected[:10])
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
