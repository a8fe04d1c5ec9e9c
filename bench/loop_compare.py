#!/usr/bin/env python3
"""loop_compare: tulip's loop_bench beside the same operations on CPython's asyncio.

Runs build/<preset>/bin/loop_bench (Google Benchmark, JSON), times the same code
written with asyncio in this process, and prints one table: the goal, tulip's
median, asyncio's median (ns per operation, CPU time, median of --reps runs) and
how many times faster tulip is. Bounded: about a minute for the whole set.

    python3 bench/loop_compare.py [--binary build/release/bin/loop_bench] [--reps 3]
"""
import argparse
import asyncio
import gc
import json
import os
import random
import statistics
import subprocess
import sys
import time

# name in the table, loop_bench run name, goal in ns (None: no goal set)
ROWS = [
    ("call_soon chain", "BM_call_soon_chain/100000/iterations:20", 20),
    ("call_soon batch", "BM_call_soon_batch/100000/iterations:20", 20),
    ("create_task batch of 1,000, then await each", "BM_create_task_batch/1000/iterations:1000", 100),
    ("create_task batch of 100,000, then await each", "BM_create_task_batch/100000/iterations:10", 100),
    ("create_task + await, one at a time", "BM_create_task_await_each/100000/iterations:10", 100),
    ("call_later + cancel, 0 pending", "BM_timer_add_cancel/pending:0/soonest:0/iterations:3000000", 50),
    ("call_later + cancel, 1 M pending", "BM_timer_add_cancel/pending:1000000/soonest:0/iterations:3000000", 50),
    ("call_later + cancel, 1 M pending, soonest",
     "BM_timer_add_cancel/pending:1000000/soonest:1/iterations:3000000", 50),
    ("sleep(0) round, one task", "BM_sleep0/100000/iterations:20", None),
    ("sleep(0) round, two tasks", "BM_sleep0_two_tasks/100000/iterations:20", None),
]


def cpu_ns_per_op(fn, ops):
    """Runs fn() once and returns its CPU nanoseconds per operation."""
    start = time.process_time_ns()
    fn()
    return (time.process_time_ns() - start) / ops


# ---- the asyncio side: the same operations as bench/loop_bench.cpp ----

def call_soon_chain(n):
    loop = asyncio.new_event_loop()
    left = [n]

    def step():
        left[0] -= 1
        if left[0] > 0:
            loop.call_soon(step)
        else:
            loop.stop()

    def go():
        loop.call_soon(step)
        loop.run_forever()

    try:
        return cpu_ns_per_op(go, n)
    finally:
        loop.close()


def call_soon_batch(n):
    loop = asyncio.new_event_loop()
    counter = [0]

    def bump():
        counter[0] += 1

    def go():
        for _ in range(n):
            loop.call_soon(bump)
        loop.call_soon(loop.stop)
        loop.run_forever()

    try:
        return cpu_ns_per_op(go, n)
    finally:
        loop.close()


async def noop():
    pass


async def spawn_batch(n):
    tasks = [asyncio.create_task(noop()) for _ in range(n)]
    for t in tasks:
        await t


async def spawn_await_each(n):
    for _ in range(n):
        await asyncio.create_task(noop())


async def yield_n(n):
    for _ in range(n):
        await asyncio.sleep(0)


async def yield_two_tasks(n):
    other = asyncio.create_task(yield_n(n // 2))
    await yield_n(n // 2)
    await other


def run_coro(make, n):
    loop = asyncio.new_event_loop()
    try:
        return cpu_ns_per_op(lambda: loop.run_until_complete(make(n)), n)
    finally:
        loop.close()


def batches(make, n, count):
    loop = asyncio.new_event_loop()

    def go():
        for _ in range(count):
            loop.run_until_complete(make(n))

    try:
        return cpu_ns_per_op(go, n * count)
    finally:
        loop.close()


def timer_add_cancel(pending, soonest, pairs):
    loop = asyncio.new_event_loop()
    rng = random.Random(1)
    keep = [loop.call_later(rng.uniform(3600, 7200), noop) for _ in range(pending)]
    low, high = (1, 2) if soonest else (3600, 7200)
    delays = [rng.uniform(low, high) for _ in range(4096)]
    # The million pending handles need no scanning by the cyclic GC while we time.
    gc.collect()
    gc.freeze()

    def go():
        call_later = loop.call_later
        for i in range(pairs):
            call_later(delays[i & 4095], noop).cancel()

    try:
        return cpu_ns_per_op(go, pairs)
    finally:
        gc.unfreeze()
        del keep
        loop.close()


ASYNCIO = {
    "call_soon chain": lambda: call_soon_chain(100_000),
    "call_soon batch": lambda: call_soon_batch(100_000),
    "create_task batch of 1,000, then await each": lambda: batches(spawn_batch, 1_000, 50),
    "create_task batch of 100,000, then await each": lambda: run_coro(spawn_batch, 100_000),
    "create_task + await, one at a time": lambda: run_coro(spawn_await_each, 50_000),
    "call_later + cancel, 0 pending": lambda: timer_add_cancel(0, False, 200_000),
    "call_later + cancel, 1 M pending": lambda: timer_add_cancel(1_000_000, False, 200_000),
    "call_later + cancel, 1 M pending, soonest": lambda: timer_add_cancel(1_000_000, True, 200_000),
    "sleep(0) round, one task": lambda: run_coro(yield_n, 100_000),
    "sleep(0) round, two tasks": lambda: run_coro(yield_two_tasks, 100_000),
}


def tulip_medians(binary, reps):
    out = subprocess.run([binary, f"--benchmark_repetitions={reps}", "--benchmark_format=json"],
                         check=True, capture_output=True, text=True).stdout
    medians = {}
    for b in json.loads(out)["benchmarks"]:
        if b.get("aggregate_name") == "median":
            medians[b["run_name"]] = b["ns_per_op"] * 1e9  # the counter is seconds per op
    return medians


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", default=os.path.join(here, "..", "build", "release", "bin", "loop_bench"))
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--no-asyncio", action="store_true", help="tulip's numbers only")
    args = parser.parse_args()

    ours = tulip_medians(args.binary, args.reps)
    theirs = {}
    if not args.no_asyncio:
        for name, _, _ in ROWS:
            theirs[name] = statistics.median(ASYNCIO[name]() for _ in range(args.reps))

    print(f"ns per operation, CPU time, median of {args.reps}; Python {sys.version.split()[0]}")
    print("| operation | goal | tulip | asyncio | asyncio / tulip |")
    print("|---|---:|---:|---:|---:|")
    for name, run_name, goal in ROWS:
        t = ours.get(run_name)
        a = theirs.get(name)
        cells = [name, f"<= {goal}" if goal else "-", f"{t:.1f}" if t else "?",
                 f"{a:.0f}" if a else "-", f"{a / t:.0f}x" if a and t else "-"]
        met = "" if not (goal and t) else (" (met)" if t <= goal else " (missed)")
        cells[2] += met
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
