#!/usr/bin/env python3
"""The catch-up scan and live cost of `qerrors tail`, as ratios in one run.

  scan.py [--qerrors BIN] [--baseline BIN] [--size MB] [--runs N]
          [--distinct 10000,100000,1000000] [--distinct-kinds groups,folded]
          [--live-files N]
          [--live-rate LINES_PER_S] [--live-seconds S] [--live-only]
          [--live-syscalls] [--quick] [--out FILE]

For error densities of 0.1%, 2% and 20% (gen_log.py, --size MB each) it
times, in the same run and on the same file in the page cache, the floor
(`cat > /dev/null`, `wc -l`), `grep -cE` and `rg -c` (output to a file:
GNU grep stops at the first match when its output is /dev/null) and
`qerrors tail --once --from-beginning` in text and with --json (output
to a file as well).  Each figure is the median of --runs runs; each
qerrors run starts with an empty state directory.  With --baseline the
same runs are made with a second binary (an older build), interleaved,
so that both meet the same load.

Then N distinct errors (one ERROR line each among ordinary lines): of
kind "groups", N messages that stay N groups, and of kind "folded", N
messages one word apart that the learner folds into a few (the number of
groups in the state is in the table), and the CPU share of one `qerrors tail` that
follows --live-files files appended to at --live-rate lines/s in all,
and its idle share.  --live-only runs only that part (as
--densities '' --distinct '' would); --live-syscalls then appends as
long again under `strace -c -f` and gives the system calls per line
written (strace slows the agent: that phase is not in the CPU figures).
Peak RSS is the largest ru_maxrss of any qerrors run.  Prints a Markdown
table (to --out too).
"""
import argparse
import os
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from latency import clean_env, proc_cpu, wait_for_text  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
PATTERN = "ERROR|FATAL|CRITICAL|SEVERE|Exception|Error|panic|Traceback"


def run_timed(argv, out_path, env=None):
    """Wall seconds, CPU seconds and peak RSS (KiB) of one run."""
    with open(out_path, "wb") as out:
        t0 = time.perf_counter()
        p = subprocess.Popen(argv, stdout=out, stderr=subprocess.DEVNULL, env=env)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
    return wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss


class Bench:
    def __init__(self, a, tmp):
        self.a = a
        self.tmp = tmp
        self.env = clean_env(os.path.join(tmp, "home"))
        self.peak_rss = {}
        self.nrun = 0
        self.groups = -1  # in the state of the last qerrors run

    def qerrors_argv(self, binary, log, json):
        self.nrun += 1
        st = os.path.join(self.tmp, "state-%d" % self.nrun)
        argv = [binary, "--state-dir", st, "tail", "--once", "--from-beginning"]
        if json:
            argv.append("--json")
        return argv + [log], st

    def median(self, make_argv, label):
        walls, cpus = [], []
        for _ in range(self.a.runs):
            argv, st = make_argv()
            w, c, rss = run_timed(argv, os.path.join(self.tmp, "out"), self.env)
            if st:
                self.groups = count_groups(st)
                shutil.rmtree(st, ignore_errors=True)
                self.peak_rss[label] = max(self.peak_rss.get(label, 0), rss)
            walls.append(w)
            cpus.append(c)
        return statistics.median(walls), statistics.median(cpus)


def gen_distinct(path, n, kind="groups", filler=9):
    """n ERROR lines with n different messages, `filler` INFO lines each.

    kind "groups": three of the message's seven words differ from every
    other message's, too many for the learner to make a template of two
    (each stays its own group); "folded": one word differs, so that the
    learner folds them into a few templates, and the figure is that of a
    new message through the mask, the learner and SHA-256."""
    letters = "ghjkmnpqrstvwxyz"  # no hex digits: nothing for the masker to hide

    def word(i):
        s = ""
        for _ in range(6):
            s += letters[i % 16]
            i //= 16
        return s

    with open(path, "w") as f:
        for i in range(n):
            for j in range(filler):
                f.write("2026-12-01 10:00:%02d,%03d INFO [worker-%d] c.e.Api - GET /items/%d "
                        "200 in %d ms\n" % (i % 60, j, j, i * 10 + j, (i * 7 + j) % 900))
            if kind == "groups":
                f.write("2026-12-01 10:00:%02d,999 ERROR [main] c.e.Svc - cannot %s profile "
                        "%s: %s said no\n" % (i % 60, word(3 * i), word(3 * i + 1),
                                               word(3 * i + 2)))
            else:
                f.write("2026-12-01 10:00:%02d,999 ERROR [main] c.e.Svc - cannot load profile "
                        "%s: store said no\n" % (i % 60, word(i)))


def count_groups(st):
    """Groups in the state directory st, or -1 when it cannot be read."""
    try:
        db = sqlite3.connect("file:%s?mode=ro" % os.path.join(st, "qerrors.db"), uri=True)
        try:
            return db.execute("SELECT count(*) FROM groups").fetchone()[0]
        finally:
            db.close()
    except sqlite3.Error:
        return -1


def live(a, tmp, binary):
    """CPU share of one agent following many files being appended to."""
    d = tempfile.mkdtemp(dir=tmp)
    paths = []
    for i in range(a.live_files):
        pth = os.path.join(d, "app-%04d.log" % i)
        with open(pth, "w") as f:
            f.write("2026-12-01 10:00:00,000 INFO [main] c.e.App - started %d\n" % i)
        paths.append(pth)
    env = clean_env(os.path.join(d, "home"))
    errf = os.path.join(d, "stderr")
    p = subprocess.Popen([binary, "-v", "--state-dir", os.path.join(d, "st"), "tail", "--json"]
                         + paths, stdout=subprocess.DEVNULL, stderr=open(errf, "wb"), env=env)
    wait_for_text(errf, "reading '", a.live_files, 30)
    time.sleep(2)
    t0, n0, _ = proc_cpu(p.pid)
    w0 = time.monotonic()
    time.sleep(a.live_seconds)
    idle = (proc_cpu(p.pid)[1] - n0) / 1e9 / (time.monotonic() - w0) * 100
    fds = [open(x, "a") for x in paths]
    tick = 0.01  # one write to each of rate/100 files every 10 ms
    per_tick = max(1, int(a.live_rate * tick))
    k = 0

    def append_for(seconds):
        nonlocal k
        written = 0
        w0 = time.monotonic()
        nxt = w0
        while time.monotonic() - w0 < seconds:
            for _ in range(per_tick):
                f = fds[k % len(fds)]
                k += 1
                if k % 50 == 0:
                    f.write("2026-12-01 10:00:01,000 ERROR [main] c.e.Svc - cannot reach "
                            "backend: connection refused\n")
                else:
                    f.write("2026-12-01 10:00:01,000 INFO [w] c.e.Api - GET /items/%d 200\n"
                            % k)
                f.flush()
                written += 1
            nxt += tick
            time.sleep(max(0, nxt - time.monotonic()))
        return written, time.monotonic() - w0

    _, n0, _ = proc_cpu(p.pid)
    written, wall = append_for(a.live_seconds)
    busy = (proc_cpu(p.pid)[1] - n0) / 1e9 / wall * 100
    calls = None
    if a.live_syscalls and shutil.which("strace"):
        out = os.path.join(d, "strace")
        st = subprocess.Popen(["strace", "-qq", "-f", "-c", "-o", out, "-p", str(p.pid)])
        time.sleep(0.5)
        n, _ = append_for(a.live_seconds)
        time.sleep(0.5)
        st.send_signal(signal.SIGINT)
        st.wait()
        calls = {}
        with open(out) as fh:
            for row in fh:
                c = row.split()
                if len(c) >= 5 and c[3].isdigit() and c[-1] != "total":
                    calls[c[-1]] = int(c[3]) / n
    for f in fds:
        f.close()
    p.send_signal(signal.SIGTERM)
    try:
        p.wait(10)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
    shutil.rmtree(d, ignore_errors=True)
    return idle, busy, written / wall, calls


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--qerrors", default=os.environ.get("QERRORS",
                                                         os.path.join(HERE, "..", "qerrors")))
    ap.add_argument("--baseline")
    ap.add_argument("--size", type=int, default=100)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--distinct", default="10000,100000,1000000")
    ap.add_argument("--distinct-kinds", default="groups,folded",
                    help="distinct logs: 'groups' (each error its own group), "
                    "'folded' (one word apart: the learner folds them)")
    ap.add_argument("--live-files", type=int, default=1000)
    ap.add_argument("--live-rate", type=int, default=10000)
    ap.add_argument("--live-seconds", type=float, default=8)
    ap.add_argument("--live-only", action="store_true",
                    help="only the live part: no scans, no distinct runs")
    ap.add_argument("--live-syscalls", action="store_true",
                    help="also system calls per line written, under strace -c")
    ap.add_argument("--densities", default="0.001,0.02,0.2")
    ap.add_argument("--quick", action="store_true",
                    help="20 MB, 3 runs, 10k/100k distinct, 4 s live")
    ap.add_argument("--out", default=os.path.join(HERE, "out", "scan.md"))
    a = ap.parse_args()
    if a.quick:
        a.size, a.runs, a.distinct, a.live_seconds = 20, 3, "10000,100000", 4
    if a.live_only:
        a.densities, a.distinct = "", ""
    bins = [("qerrors", os.path.abspath(a.qerrors))]
    if a.baseline:
        bins.append(("baseline", os.path.abspath(a.baseline)))
    tmp = tempfile.mkdtemp(prefix="qerrors-scan.")
    b = Bench(a, tmp)
    rows = []
    load0 = os.getloadavg()[0]
    try:
        for dens in [float(x) for x in a.densities.split(",") if x]:
            log = os.path.join(tmp, "mixed.log")
            subprocess.run([sys.executable, os.path.join(HERE, "gen_log.py"), "--size",
                            str(a.size), "--error-rate", str(dens), log], check=True)
            mb = os.path.getsize(log) / 1e6
            res = {}
            res["cat"] = b.median(lambda: (["cat", log], None), "cat")
            res["wc -l"] = b.median(lambda: (["wc", "-l", log], None), "wc")
            res["grep -cE"] = b.median(lambda: (["grep", "-cE", PATTERN, log], None), "grep")
            if shutil.which("rg"):
                res["rg -c"] = b.median(lambda: (["rg", "-c", PATTERN, log], None), "rg")
            for name, binary in bins:
                for js in (0, 1):
                    label = "%s %s" % (name, "--json" if js else "text")
                    res[label] = b.median(
                        lambda: b.qerrors_argv(binary, log, js), "scan " + name)
            g = res["grep -cE"][0]
            for k, (w, c) in res.items():
                rows.append(("%g%% errors, %.0f MB" % (dens * 100, mb), k, w, c, mb / w,
                             w / g))
        for kind in [k for k in a.distinct_kinds.split(",") if k]:
            for n in [int(x) for x in a.distinct.split(",") if x]:
                log = os.path.join(tmp, "distinct.log")
                gen_distinct(log, n, kind)
                mb = os.path.getsize(log) / 1e6
                runs = a.runs if n <= 100000 else 1
                saved, a.runs = a.runs, runs
                res = {"grep -cE": b.median(
                    lambda: (["grep", "-cE", PATTERN, log], None), "grep")}
                groups = {}
                for name, binary in bins:
                    if n > 100000 and name == "baseline":
                        continue  # minutes with an old build
                    for js in (0, 1):
                        label = "%s %s" % (name, "--json" if js else "text")
                        res[label] = b.median(
                            lambda: b.qerrors_argv(binary, log, js),
                            "distinct %s %s" % (kind, name))
                        groups[label] = b.groups
                a.runs = saved
                g = res["grep -cE"][0]
                for k, (w, c) in res.items():
                    rows.append(("%d distinct errors (%s), %s groups"
                                 % (n, kind, groups.get(k, "-")), k, w, c, mb / w, w / g))
                os.unlink(log)
        live_rows = []
        if a.live_files:
            for name, binary in bins:
                live_rows.append((name,) + live(a, tmp, binary))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    lines = ["# qerrors scan benchmark", "",
             "- load average %.2f at the start, %.2f at the end; %d run(s) per figure, median"
             % (load0, os.getloadavg()[0], a.runs), "",
             "| input | command | wall s | CPU s | MB/s | x grep -cE |",
             "|---|---|---|---|---|---|"]
    for inp, cmd, w, c, mbs, x in rows:
        lines.append("| %s | %s | %.3f | %.3f | %.0f | %.2f |" % (inp, cmd, w, c, mbs, x))
    if live_rows:
        lines += ["", "| live: %d files | idle CPU %% | CPU %% while appending | lines/s |"
                  % a.live_files, "|---|---|---|---|"]
        for name, idle, busy, rate, _ in live_rows:
            lines.append("| %s | %.2f | %.2f | %.0f |" % (name, idle, busy, rate))
        if any(r[4] for r in live_rows):
            names = sorted({k for r in live_rows if r[4] for k in r[4]},
                           key=lambda k: -max((r[4] or {}).get(k, 0) for r in live_rows))
            lines += ["", "| system calls per line written | %s |" % " | ".join(
                r[0] for r in live_rows), "|---|%s" % ("---|" * len(live_rows))]
            for k in names + ["all"]:
                vals = [(sum(r[4].values()) if k == "all" else r[4].get(k, 0))
                        if r[4] else float("nan") for r in live_rows]
                lines.append("| %s | %s |" % (k, " | ".join("%.3f" % v for v in vals)))
    lines += ["", "| peak RSS | KiB |", "|---|---|"]
    for k, v in sorted(b.peak_rss.items()):
        lines.append("| %s | %d |" % (k, v))
    text = "\n".join(lines) + "\n"
    sys.stdout.write(text)
    os.makedirs(os.path.dirname(a.out), exist_ok=True)
    with open(a.out, "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()
