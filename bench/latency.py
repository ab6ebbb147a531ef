#!/usr/bin/env python3
"""Measurements for bench/tail.sh that a shell cannot make well.

  latency.py latency --qerrors BIN --dir DIR --rate N [--duration S]
                     [--batch-ms MS] [--error-rate R] [--trace-share R]
      Append lines to DIR/app.log at N lines/s, in one write() every
      --batch-ms, while `BIN tail --json DIR/app.log` follows it; error
      lines carry "seq=K t=NS" (CLOCK_MONOTONIC at the write).  Every
      event read back from qerrors' output gives one latency sample,
      now - t.  qerrors runs on CPU 0 and this process on CPU 1 when the
      machine has two or more.  Prints "key value" lines.

  latency.py idle --qerrors BIN --dir DIR --files N [--seconds S]
                  [--backend B]
      N files, one `BIN tail [--backend=B] FILE...` process for all of
      them, nothing written for S seconds: CPU time it used over those
      seconds (utime+stime from /proc/PID/stat, and the scheduler's
      nanosecond count from /proc/PID/task/*/schedstat) and how often it
      woke up (voluntary context switches).  Prints "key value" lines.

  latency.py timeit [--runs N] [--pipe] [--prepare SHELLCMD] -- CMD...
      Fallback when hyperfine is missing: median, min and max wall time
      of CMD (stdout to /dev/null, or read through a pipe with --pipe),
      SHELLCMD run before each run.

  latency.py rss -- CMD...
      Fallback when GNU time is missing: peak RSS of CMD in KiB.

The qerrors runs get a clean environment: no AI key or base URL, HOME
and XDG directories under DIR, so no configuration file is read.
"""
import json
import os
import re
import select
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def clean_env(home):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("QERRORS_", "OPENAI_", "XDG_"))}
    env["HOME"] = home
    env["XDG_CONFIG_HOME"] = os.path.join(home, ".config")
    env["XDG_STATE_HOME"] = os.path.join(home, ".state")
    env["NO_COLOR"] = "1"
    os.makedirs(home, exist_ok=True)
    return env


def pin_prefix(cpu):
    if (os.cpu_count() or 1) >= 2 and os.path.exists("/usr/bin/taskset"):
        return ["taskset", "-c", str(cpu)]
    return []


def wait_for_text(path, text, count, timeout):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            with open(path, errors="replace") as f:
                if f.read().count(text) >= count:
                    return True
        except FileNotFoundError:
            pass
        time.sleep(0.05)
    return False


def pct(sorted_vals, p):
    if not sorted_vals:
        return float("nan")
    k = (len(sorted_vals) - 1) * p / 100.0
    lo = int(k)
    hi = min(lo + 1, len(sorted_vals) - 1)
    return sorted_vals[lo] + (sorted_vals[hi] - sorted_vals[lo]) * (k - lo)


# ---- latency ----

def cmd_latency(a):
    from gen_log import LogGen
    import random

    d = a.dir
    os.makedirs(d, exist_ok=True)
    log = os.path.join(d, "app.log")
    state = os.path.join(d, "state")
    errf = os.path.join(d, "stderr")
    open(log, "wb").close()
    env = clean_env(os.path.join(d, "home"))
    argv = pin_prefix(0) + [a.qerrors, "-v", "--state-dir", state, "tail", "--json", log]
    p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=open(errf, "wb"), env=env)
    if (os.cpu_count() or 1) >= 2:
        os.sched_setaffinity(0, {1})
    if not wait_for_text(errf, "reading '", 1, 10):
        p.kill()
        sys.exit("latency.py: qerrors did not start; see %s" % errf)
    time.sleep(0.2)

    g = LogGen(1234)
    pool = [(g.ordinary()[0] + "\n").encode() for _ in range(20000)]
    frames = ("\tat com.example.bench.Handler.run(Handler.java:42)\n"
              "\tat com.example.bench.Worker.loop(Worker.java:88)\n"
              "\tat java.base/java.lang.Thread.run(Thread.java:840)\n").encode()
    r = random.Random(99)
    fd = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CLOEXEC)
    out = p.stdout.fileno()
    os.set_blocking(out, False)

    rate = a.rate
    batch_ns = int(a.batch_ms * 1e6)
    lat = []
    sent_err = 0
    sent_lines = 0
    seq = 0
    pi = 0
    partial = b""
    bad = 0
    pat = re.compile(r"seq=(\d+) t=(\d+)")
    seen = set()

    def consume(data, now):
        nonlocal partial, bad
        data = partial + data
        lines = data.split(b"\n")
        partial = lines.pop()
        for ln in lines:
            try:
                o = json.loads(ln)
            except ValueError:
                bad += 1
                continue
            if o.get("type") != "event":
                continue
            m = pat.search(o["lines"][0] if o.get("lines") else o.get("message", ""))
            if not m:
                bad += 1
                continue
            k = int(m.group(1))
            if k in seen:
                continue
            seen.add(k)
            lat.append((now - int(m.group(2))) / 1e6)

    def drain(timeout_s):
        rl, _, _ = select.select([out], [], [], max(0.0, timeout_s))
        if rl:
            try:
                data = os.read(out, 1 << 20)
            except BlockingIOError:
                return True
            if not data:
                return False
            consume(data, time.monotonic_ns())
        return True

    start = time.monotonic_ns()
    end = start + int(a.duration * 1e9)
    next_tick = start
    writes = 0
    late_ticks = 0
    while True:
        now = time.monotonic_ns()
        if now >= end:
            break
        if now < next_tick:
            drain((next_tick - now) / 1e9)
            continue
        if now - next_tick > batch_ns:
            late_ticks += 1
        due = int((now - start) * rate / 1e9) - sent_lines
        if due > 0:
            parts = []
            t = time.monotonic_ns()
            for _ in range(due):
                if r.random() < a.error_rate:
                    seq += 1
                    sent_err += 1
                    if r.random() < a.trace_share:
                        parts.append(("%s ERROR [bench-%d] c.e.bench.Handler - request failed "
                                      "seq=%d t=%d\njava.lang.IllegalStateException: bad state "
                                      "in request %d\n" % (g.sp(), seq % 8, seq, t, seq)).encode())
                        parts.append(frames)
                    else:
                        parts.append(("%s ERROR [bench-%d] c.e.bench.Handler - request failed "
                                      "seq=%d t=%d\n" % (g.sp(), seq % 8, seq, t)).encode())
                else:
                    parts.append(pool[pi])
                    pi = (pi + 1) % len(pool)
            os.write(fd, b"".join(parts))
            sent_lines += due
            writes += 1
        next_tick += batch_ns
        if next_tick < now - 100 * batch_ns:
            next_tick = now  # far behind: do not try to replay the backlog
    write_end = time.monotonic_ns()
    # the last event closes on the idle timeout; wait for it and stragglers
    quiet_until = time.monotonic() + a.drain_s
    while time.monotonic() < quiet_until and len(seen) < sent_err:
        if not drain(0.05):
            break
    p.send_signal(signal.SIGTERM)
    try:
        p.wait(10)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
    os.close(fd)

    elapsed = (write_end - start) / 1e9
    lat.sort()
    res = {
        "target_rate": rate,
        "achieved_rate": round(sent_lines / elapsed),
        "duration_s": round(elapsed, 2),
        "writes": writes,
        "late_ticks": late_ticks,
        "lines": sent_lines,
        "bytes": os.path.getsize(log),
        "error_events_sent": sent_err,
        "events_received": len(seen),
        "unparsed_records": bad,
        "p50_ms": round(pct(lat, 50), 3),
        "p90_ms": round(pct(lat, 90), 3),
        "p99_ms": round(pct(lat, 99), 3),
        "p999_ms": round(pct(lat, 99.9), 3),
        "max_ms": round(lat[-1], 3) if lat else float("nan"),
        "over_20ms": sum(1 for x in lat if x > 20),
        "over_500ms": sum(1 for x in lat if x > 500),
        "exit_status": p.returncode,
    }
    for k, v in res.items():
        print(k, v)
    if a.samples:
        with open(a.samples, "w") as f:
            f.write("\n".join("%.3f" % x for x in lat) + "\n")


# ---- idle CPU ----

def proc_cpu(pid):
    with open("/proc/%d/stat" % pid) as f:
        s = f.read()
    fields = s[s.rindex(")") + 2:].split()
    ticks = int(fields[11]) + int(fields[12])  # utime, stime (fields 14, 15)
    ns = 0
    for t in os.listdir("/proc/%d/task" % pid):
        with open("/proc/%d/task/%s/schedstat" % (pid, t)) as f:
            ns += int(f.read().split()[0])
    vol = 0
    with open("/proc/%d/status" % pid) as f:
        for ln in f:
            if ln.startswith("voluntary_ctxt_switches:"):
                vol = int(ln.split()[1])
    return ticks, ns, vol


def cmd_idle(a):
    d = a.dir
    fdir = os.path.join(d, "files")
    os.makedirs(fdir, exist_ok=True)
    paths = []
    for i in range(a.files):
        pth = os.path.join(fdir, "app-%04d.log" % i)
        with open(pth, "w") as f:
            f.write("2024-05-01 00:00:00,000 INFO [main] c.e.App - started instance %d\n" % i)
        paths.append(pth)
    errf = os.path.join(d, "stderr")
    env = clean_env(os.path.join(d, "home"))
    argv = [a.qerrors, "-v", "--state-dir", os.path.join(d, "state"), "tail"]
    if a.backend:
        argv.append("--backend=" + a.backend)
    p = subprocess.Popen(argv + paths, stdout=subprocess.DEVNULL, stderr=open(errf, "wb"),
                         env=env)
    ok = wait_for_text(errf, "reading '", a.files, 30)
    time.sleep(a.settle)  # the first commit happens within commit_interval_ms
    if p.poll() is not None:
        sys.exit("latency.py: qerrors exited (%s); see %s" % (p.returncode, errf))
    hz = os.sysconf("SC_CLK_TCK")
    t0, n0, v0 = proc_cpu(p.pid)
    w0 = time.monotonic()
    time.sleep(a.seconds)
    t1, n1, v1 = proc_cpu(p.pid)
    w1 = time.monotonic()
    with open("/proc/%d/status" % p.pid) as f:
        rss = [ln.split()[1] for ln in f if ln.startswith("VmRSS:")]
    nfd = len(os.listdir("/proc/%d/fd" % p.pid))
    p.send_signal(signal.SIGTERM)
    try:
        p.wait(10)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
    res = {
        "backend": a.backend or "auto",
        "files": a.files,
        "all_opened": int(ok),
        "seconds": round(w1 - w0, 2),
        "cpu_ms_ticks": (t1 - t0) * 1000 // hz,
        "cpu_ms_sched": round((n1 - n0) / 1e6, 3),
        "cpu_percent": round((n1 - n0) / 1e9 / (w1 - w0) * 100, 4),
        "wakeups": v1 - v0,
        "rss_kib": rss[0] if rss else "?",
        "open_fds": nfd,
        "exit_status": p.returncode,
    }
    for k, v in res.items():
        print(k, v)


# ---- fallbacks ----

def cmd_timeit(a):
    ts = []
    for _ in range(a.runs):
        if a.prepare:
            subprocess.run(a.prepare, shell=True, check=True)
        t = time.perf_counter()
        if a.pipe:
            subprocess.run(a.cmd, stdout=subprocess.PIPE, check=False)
        else:
            subprocess.run(a.cmd, stdout=subprocess.DEVNULL, check=False)
        ts.append(time.perf_counter() - t)
    ts.sort()
    print("median %.6f" % pct(ts, 50))
    print("min %.6f" % ts[0])
    print("max %.6f" % ts[-1])


def cmd_rss(a):
    import resource
    subprocess.run(a.cmd, stdout=subprocess.DEVNULL, check=False)
    print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)


def main():
    import argparse
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd_name", required=True)
    p = sub.add_parser("latency")
    p.add_argument("--qerrors", required=True)
    p.add_argument("--dir", required=True)
    p.add_argument("--rate", type=int, required=True)
    p.add_argument("--duration", type=float, default=8)
    p.add_argument("--batch-ms", type=float, default=1)
    p.add_argument("--error-rate", type=float, default=0.02)
    p.add_argument("--trace-share", type=float, default=0.3)
    p.add_argument("--drain-s", type=float, default=3)
    p.add_argument("--samples")
    p.set_defaults(fn=cmd_latency)
    p = sub.add_parser("idle")
    p.add_argument("--qerrors", required=True)
    p.add_argument("--dir", required=True)
    p.add_argument("--files", type=int, default=1000)
    p.add_argument("--seconds", type=float, default=10)
    p.add_argument("--settle", type=float, default=2)
    p.add_argument("--backend")
    p.set_defaults(fn=cmd_idle)
    p = sub.add_parser("timeit")
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--prepare")
    p.add_argument("--pipe", action="store_true",
                   help="stdout into a pipe (grep stops early on /dev/null)")
    p.add_argument("cmd", nargs="+")
    p.set_defaults(fn=cmd_timeit)
    p = sub.add_parser("rss")
    p.add_argument("cmd", nargs="+")
    p.set_defaults(fn=cmd_rss)
    a = ap.parse_args()
    a.fn(a)


if __name__ == "__main__":
    main()
