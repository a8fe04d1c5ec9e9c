#!/usr/bin/env python3
"""bench/run/bench.py: `make bench` (issue 5 §3). Runs every echo server (the
peers of bench/peers and tulip's echo-server / chat-server) under the native
load generator (bench/loadgen), scenario by scenario, and writes the tables,
the §4 target check and the charts.

Method: server pinned to CPU 0, load generator to CPU 1 (taskset); a fresh
server per run; implementations alternate run by run (A B C ... C A B ..., a
new order each round); medians of --runs runs. The load generator measures a fixed window after a
warm-up and reads the server's user+sys CPU (/proc/PID/stat) at both ends of
it, so "CPU us/msg" is the server's CPU time in the window / messages echoed.

    python3 bench/run/bench.py                  # full: ~12 min, writes docs/
    python3 bench/run/bench.py --quick          # smoke: 1 run, 3 scenarios, prints only
    python3 bench/run/bench.py --only c-epoll,tulip-protocol-epoll --scenarios c100
"""
import argparse
import datetime
import json
import os
import platform
import random
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import report  # noqa: E402  (tables, targets, charts)

ROOT = Path(__file__).resolve().parents[2]
PY = "/usr/bin/python3"  # Debian's python3: uvloop is python3-uvloop

# name, group ("peer" or "tulip"), style, command (PORT appended by argv "0"), env
def implementations(bindir):
    b = Path(bindir)
    py = [PY, str(ROOT / "bench/peers/py_echo.py")]
    impls = [
        ("c-epoll", "peer", "readiness limit", [b / "peer_epoll_echo", "0"], {}),
        ("c-uring", "peer", "completion limit", [b / "peer_uring_echo", "0"], {}),
        ("libuv", "peer", "callbacks", [b / "peer_uv_echo", "0"], {}),
        ("asio", "peer", "coroutines", [b / "peer_asio_echo", "0"], {}),
        ("asyncio-sock", "peer", "sock", py + ["--loop", "asyncio", "--style", "sock", "0"], {}),
        ("asyncio-protocol", "peer", "protocol", py + ["--loop", "asyncio", "--style", "protocol", "0"], {}),
        ("asyncio-streams", "peer", "streams", py + ["--loop", "asyncio", "--style", "streams", "0"], {}),
        ("uvloop-sock", "peer", "sock", py + ["--loop", "uvloop", "--style", "sock", "0"], {}),
        ("uvloop-protocol", "peer", "protocol", py + ["--loop", "uvloop", "--style", "protocol", "0"], {}),
        ("uvloop-streams", "peer", "streams", py + ["--loop", "uvloop", "--style", "streams", "0"], {}),
    ]
    for backend in ("epoll", "uring"):
        for model, style in (("coroutine", "sock"), ("protocol", "protocol"), ("streams", "streams")):
            impls.append((f"tulip-{model}-{backend}", "tulip", style,
                          [b / "echo-server", "--model", model, "--plain", "--port", "0"],
                          {"TULIP_BACKEND": backend}))
    return [dict(name=n, group=g, style=s, cmd=[str(x) for x in c], env=e) for n, g, s, c, e in impls]


def chat_implementations(bindir):
    b = Path(bindir)
    return [
        dict(name="c-epoll-chat", group="peer", style="readiness limit",
             cmd=[str(b / "peer_epoll_echo"), "0", "chat"], env={}),
        dict(name="tulip-chat-selectors", group="tulip", style="selectors",
             cmd=[str(b / "chat-server"), "--impl", "selectors", "--quiet", "--port", "0"], env={}),
    ] + [
        dict(name=f"tulip-chat-coroutine-{be}", group="tulip", style="streams",
             cmd=[str(b / "chat-server"), "--impl", "coroutine", "--quiet", "--port", "0"],
             env={"TULIP_BACKEND": be}) for be in ("epoll", "uring")
    ]


# key, title, loadgen arguments, what a "message" is
SCENARIOS = [
    ("pingpong", "1 connection, 64 B ping-pong", ["--mode", "echo", "--conns", "1", "--inflight", "1", "--size", "64"]),
    ("c100", "100 connections, 64 B, 1 in flight", ["--mode", "echo", "--conns", "100", "--inflight", "1", "--size", "64"]),
    ("c100x16", "100 connections, 64 B, 16 in flight", ["--mode", "echo", "--conns", "100", "--inflight", "16", "--size", "64"]),
    ("c10_16k", "10 connections, 16 KiB, 1 in flight", ["--mode", "echo", "--conns", "10", "--inflight", "1", "--size", "16384"]),
    ("c10k", "10,000 connections, 64 B, 1 in flight", ["--mode", "echo", "--conns", "10000", "--inflight", "1", "--size", "64"]),
    ("lines", "pipelined lines: 10 connections, 16 lines of 32 B in flight", ["--mode", "lines", "--conns", "10", "--inflight", "16"]),
    ("chat", "chat fan-out: 1 sender, 100 receivers, 1 line in flight", ["--mode", "chat", "--conns", "100", "--inflight", "1"]),
    ("idle", "idle memory: 10,000 connections (one echo each)", ["--mode", "idle", "--conns", "10000", "--size", "64"]),
]
QUICK = ("pingpong", "c100", "c100x16")


class Server:
    """A server process pinned to CPU 0; ready when it prints 'Listening on ...:PORT'."""

    def __init__(self, impl, timeout=8.0):
        env = dict(os.environ, **impl["env"])
        self.err_path = f"/tmp/bench-server-{os.getpid()}.err"
        self.err = open(self.err_path, "w+")
        self.proc = subprocess.Popen(["taskset", "-c", "0"] + impl["cmd"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=self.err, env=env, text=True)
        self.port = None
        line_box = []
        reader = threading.Thread(target=self._read_ready, args=(line_box,), daemon=True)
        reader.start()
        reader.join(timeout)
        if not line_box:
            self.proc.kill()
            self.proc.wait()
            why = self.stderr_tail()
            self.stop()
            raise RuntimeError(f"did not print its ready line in {timeout} s: {why}")
        self.port = line_box[0]
        # drain what it prints later (chat-server logs joins) so it never blocks on a pipe
        threading.Thread(target=lambda: [None for _ in self.proc.stdout], daemon=True).start()

    def _read_ready(self, box):
        for line in self.proc.stdout:
            m = re.search(r"Listening on [\d.]+:(\d+)", line)
            if m:
                box.append(int(m.group(1)))
                return

    def stderr_text(self):
        self.err.flush()
        self.err.seek(0)
        return self.err.read()

    def stderr_tail(self):
        return (self.stderr_text().strip().splitlines() or [f"exit {self.proc.poll()}"])[-1]

    def stop(self):
        if self.err.closed:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(3)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.err.close()
        os.unlink(self.err_path)


def run_one(impl, scenario_args, loadgen, duration, warmup):
    server = Server(impl)
    try:
        cmd = ["taskset", "-c", "1", loadgen, "--port", str(server.port), "--server-pid", str(server.proc.pid),
               "--duration", str(duration), "--warmup", str(warmup)] + scenario_args
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + warmup + 60)
        if r.returncode != 0:
            raise RuntimeError(f"loadgen: {r.stderr.strip()[-300:]} (server: {server.stderr_tail()})")
        if server.proc.poll() is not None:
            raise RuntimeError(f"server exited during the run: {server.stderr_tail()}")
        return json.loads(r.stdout.strip().splitlines()[-1])
    finally:
        server.stop()


def machine():
    model = "?"
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break

    def out(*cmd):
        try:
            return subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT).stdout.strip()
        except OSError:
            return "?"

    dirty = " + uncommitted changes" if out("git", "status", "--porcelain", "--untracked-files=no") else ""
    return dict(
        cpus=os.cpu_count(), cpu_model=model, kernel=platform.release(),
        date=datetime.datetime.now().strftime("%Y-%m-%d %H:%M"),
        commit=out("git", "rev-parse", "--short", "HEAD") + dirty,
        python=out(PY, "-c", "import sys, uvloop; print(sys.version.split()[0], 'uvloop', uvloop.__version__)"),
        libuv=out("pkg-config", "--modversion", "libuv"), liburing=out("pkg-config", "--modversion", "liburing"),
        loadavg=open("/proc/loadavg").read().split()[:3],
    )


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default=str(ROOT / "build/release/bin"), help="where loadgen, the peers and echo-server are")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--duration", type=float, default=1.0, help="measured seconds per run")
    ap.add_argument("--warmup", type=float, default=0.25)
    ap.add_argument("--quick", action="store_true", help="1 run of 0.5 s, scenarios " + ",".join(QUICK) + "; writes nothing")
    ap.add_argument("--only", help="comma-separated implementation names")
    ap.add_argument("--scenarios", help="comma-separated scenario keys: " + ",".join(s[0] for s in SCENARIOS))
    ap.add_argument("--docs", default=str(ROOT / "docs"), help="where benchmarks.md and bench/*.png are written")
    ap.add_argument("--readme", default=str(ROOT / "README.md"),
                    help="whose make-bench-summary markers get the summary ('' : none)")
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()
    if args.quick:
        args.runs, args.duration, args.no_write = 1, 0.5, True
        args.scenarios = args.scenarios or ",".join(QUICK)
    loadgen = str(Path(args.bin) / "loadgen")
    if not os.access(loadgen, os.X_OK):
        sys.exit(f"bench: {loadgen} missing: build the release preset first (make bench does)")

    only = set(args.only.split(",")) if args.only else None
    wanted = set(args.scenarios.split(",")) if args.scenarios else None
    echo_impls = [i for i in implementations(args.bin) if not only or i["name"] in only]
    chat_impls = [i for i in chat_implementations(args.bin) if not only or i["name"] in only]
    skipped = {}

    def usable(impl):
        exe = impl["cmd"][0]
        if not os.access(exe, os.X_OK):
            skipped[impl["name"]] = f"{exe} not built"
            return False
        try:  # a server that cannot start (no uvloop, say) is skipped, with its reason
            server = Server(impl)
        except RuntimeError as e:
            skipped[impl["name"]] = str(e)
            return False
        # Where io_uring is unavailable a uring loop runs on epoll and says so:
        # its row would measure epoll under the uring name.
        said = server.stderr_text()
        server.stop()
        if impl["env"].get("TULIP_BACKEND") == "uring" and "io_uring unavailable" in said:
            skipped[impl["name"]] = said.strip().splitlines()[-1]
            return False
        return True

    echo_impls = [i for i in echo_impls if usable(i)]
    # chat-server does not say which backend it runs on: its uring row counts
    # only when echo-server proved TULIP_BACKEND=uring works
    if "tulip-protocol-uring" not in {i["name"] for i in echo_impls}:
        for i in chat_impls:
            if i["env"].get("TULIP_BACKEND") == "uring":
                skipped[i["name"]] = "io_uring is not usable here (see tulip-protocol-uring)"
    chat_impls = [i for i in chat_impls if i["name"] not in skipped and usable(i)]
    for name, why in skipped.items():
        print(f"bench: skipping {name}: {why}", file=sys.stderr)

    info = machine()
    results = {}  # scenario -> impl -> list of loadgen results
    errors = {}
    t_start = time.monotonic()
    for key, title, sargs in SCENARIOS:
        if wanted and key not in wanted:
            continue
        impls = chat_impls if key == "chat" else echo_impls
        runs = 1 if key == "idle" else args.runs  # RSS does not vary run to run; one is enough
        results[key] = {i["name"]: [] for i in impls}
        print(f"== {title}", file=sys.stderr)
        for run in range(runs):
            # Alternate, in a new order each round (a fixed shuffle per round): a
            # drift of the machine within a round (this VM's host load changes over
            # minutes) then lands on different implementations each time instead
            # of always on the last ones, and the median sees through it.
            order = list(impls)
            if run > 0:
                random.Random(run).shuffle(order)
            for impl in order:
                name = impl["name"]
                if (key, name) in errors:
                    continue
                try:
                    r = run_one(impl, sargs, loadgen, args.duration, args.warmup)
                except (RuntimeError, subprocess.TimeoutExpired) as e:
                    errors[(key, name)] = str(e)
                    print(f"   {name}: FAILED: {e}", file=sys.stderr)
                    continue
                results[key][name].append(r)
                shown = (f"{r['bytes_per_conn']:.0f} B/conn" if key == "idle" else
                         f"{r['msgs_per_s']:>10.0f} msg/s {r['cpu_us_per_msg']:6.2f} us/msg"
                         + (f"  p50 {r['p50_us']:.1f} p99 {r['p99_us']:.1f} us" if key == "pingpong" else ""))
                print(f"   run {run + 1} {name:<24} {shown}", file=sys.stderr)
    elapsed = time.monotonic() - t_start

    meta = {i["name"]: {"group": i["group"], "style": i["style"]} for i in echo_impls + chat_impls}
    summary = report.summarize(results, meta)
    text = report.markdown(summary, SCENARIOS, info, args, elapsed, skipped,
                           {f"{k}/{n}": e for (k, n), e in errors.items()})
    print(text)
    if not args.no_write:
        docs = Path(args.docs)
        (docs / "bench").mkdir(parents=True, exist_ok=True)
        (docs / "bench/results.json").write_text(json.dumps(
            {"machine": info, "runs": results, "skipped": skipped,
             "errors": {f"{k}/{n}": e for (k, n), e in errors.items()}}, indent=1))
        report.charts(summary, SCENARIOS, docs / "bench")
        report.splice(docs / "benchmarks.md", text)
        if args.readme:
            report.splice(Path(args.readme), report.readme_summary(summary, SCENARIOS, info, args),
                          report.SUMMARY_BEGIN, report.SUMMARY_END)
        print(f"bench: wrote {docs / 'benchmarks.md'}, {docs / 'bench'}/*.png in {elapsed:.0f} s", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
