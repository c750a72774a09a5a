"""Load test of the playground server: N pages training at once, pings answered meanwhile.

Run by hand from the checkout::

    python -m benchmarks.playground_load --pages 30 --seconds 60

It starts ``gradlab playground`` in a subprocess on a free loopback port (``--max-sessions``
= the number of pages, ``--workers`` as given or the command's default), opens N WebSocket
clients (the ``websockets`` package, asyncio, in this one process); each applies a preset
(they rotate through all of them), sends ``play`` and a ``ping`` every 0.5 s. Per page it
records the ``state`` messages per second and the ping round trips (p50, p95, max). Every
second it reads the resident memory of the server and of every process under it (its
workers) from ``/proc``, and sums them; the CPU time of the same processes is read at the
start and the end. Once every page is connected, page N+1 tries to connect and must be
refused (``error``, close 1013).

Before the load, unless ``--memory-sessions 0``, a second server with one worker holds
``--memory-sessions`` sessions of the largest config the limits allow (2000 points, 6 hidden
layers of 8, all 7 features, batch norm, Adam), each trained for some epochs: the worker's
memory before and after gives the real cost of a session, beside the estimate that the config
check uses (``MAX_SESSION_BYTES``).

Writes ``benchmarks/playground_load.json`` and ``benchmarks/PLAYGROUND_LOAD.md`` (``--out``);
the figures of the previous design (all sessions in one process) are kept in the Markdown.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import websockets

from gradlab.playground.config import (
    DEFAULT_CONFIG,
    MAX_SESSION_BYTES,
    estimate_session_bytes,
    merge_config,
)
from gradlab.playground.presets import preset_names

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def descendants(pid: int) -> list[int]:
    """The processes under ``pid`` (children, their children...), from ``/proc/*/stat``."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        parents[int(entry.name)] = int(fields[1])
    found, frontier = [], [pid]
    while frontier:
        parent = frontier.pop()
        children = [p for p, pp in parents.items() if pp == parent]
        found += children
        frontier += children
    return found


def tree(pid: int) -> list[int]:
    """``pid`` and every process under it."""
    return [pid, *descendants(pid)]


def read_rss_kib(pid: int) -> int | None:
    """Resident memory of ``pid`` in KiB (``VmRSS`` of ``/proc/PID/status``)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def read_cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of ``pid`` (``/proc/PID/stat``)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def tree_rss_kib(pid: int) -> tuple[int, int]:
    """Resident memory of ``pid`` and of its whole tree (KiB)."""
    own = read_rss_kib(pid) or 0
    return own, own + sum(read_rss_kib(p) or 0 for p in descendants(pid))


def tree_cpu_seconds(pid: int, seen: dict[int, float]) -> float:
    """CPU seconds of ``pid``'s tree; ``seen`` keeps the last reading of each process, so
    that one that exited still counts with what it had used."""
    for p in tree(pid):
        cpu = read_cpu_seconds(p)
        if cpu is not None:
            seen[p] = cpu
    return sum(seen.values())


def machine() -> dict[str, Any]:
    """What the numbers were measured on."""
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        mem_kib = int(Path("/proc/meminfo").read_text().split()[1])
    except (OSError, ValueError, IndexError):
        mem_kib = 0
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "memory_gib": round(mem_kib / 2**20, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "websockets": websockets.__version__,
        "load_average_before": list(os.getloadavg()),
    }


def percentile(values: list[float], q: float) -> float | None:
    return float(np.percentile(values, q)) if values else None


def page_origin(url: str) -> str:
    """The origin of the page served next to ``url`` (the server refuses other origins)."""
    return "http://" + url.split("/")[2]


async def page(
    url: str,
    index: int,
    preset: str,
    seconds: float,
    start_gate: asyncio.Event,
    ready: list[int],
) -> dict[str, Any]:
    """One simulated tab: preset, play, pings every 0.5 s; returns its measurements."""
    states: list[float] = []
    latencies: list[float] = []
    sent: dict[int, float] = {}
    errors: list[str] = []
    async with websockets.connect(url, origin=page_origin(url), max_size=None) as ws:
        for _ in range(3):  # hello, data, state
            await ws.recv()
        ready.append(index)
        await ws.send(json.dumps({"type": "preset", "name": preset, "id": 1}))
        await start_gate.wait()
        await ws.send(json.dumps({"type": "play"}))
        t0 = time.perf_counter()
        stop = t0 + seconds

        async def pinger() -> None:
            for k in itertools.count(100):
                if time.perf_counter() >= stop:
                    return
                sent[k] = time.perf_counter()
                await ws.send(json.dumps({"type": "ping", "id": k}))
                await asyncio.sleep(0.5)

        ping_task = asyncio.create_task(pinger())
        try:
            while True:
                left = stop - time.perf_counter()
                if left <= 0:
                    break
                try:
                    raw = await asyncio.wait_for(ws.recv(), left)
                except TimeoutError:
                    break
                now = time.perf_counter()
                msg = json.loads(raw)
                if msg["type"] == "state" and msg.get("running"):
                    states.append(now)
                elif msg["type"] == "pong" and msg.get("id") in sent:
                    latencies.append(now - sent.pop(msg["id"]))
                elif msg["type"] == "error":
                    errors.append(msg["message"][:120])
        finally:
            ping_task.cancel()
        await ws.send(json.dumps({"type": "pause"}))
    elapsed = seconds
    ms = [x * 1000 for x in latencies]
    return {
        "page": index,
        "preset": preset,
        "states": len(states),
        "states_per_s": len(states) / elapsed,
        "pings": len(ms),
        "pings_unanswered": len(sent),
        "ping_p50_ms": percentile(ms, 50),
        "ping_p95_ms": percentile(ms, 95),
        "ping_max_ms": max(ms) if ms else None,
        "errors": errors,
    }


async def over_the_cap(url: str) -> dict[str, Any]:
    """Connect one page too many; expect an ``error`` and close code 1013."""
    result: dict[str, Any] = {"error_message": None, "close_code": None}
    try:
        async with websockets.connect(url, origin=page_origin(url), max_size=None) as ws:
            msg = json.loads(await asyncio.wait_for(ws.recv(), 30))
            result["first_message"] = msg["type"]
            if msg["type"] == "error":
                result["error_message"] = msg["message"]
            await asyncio.wait_for(ws.recv(), 30)
    except websockets.ConnectionClosed as exc:
        result["close_code"] = exc.rcvd.code if exc.rcvd is not None else None
    result["refused"] = result["close_code"] == 1013 and result["error_message"] is not None
    return result


async def sample_rss(pid: int, stop: asyncio.Event, out: list[tuple[float, int, int, int]]) -> None:
    """Every second: seconds since the start, the server's RSS, the whole tree's RSS (KiB),
    and the number of processes in the tree."""
    t0 = time.perf_counter()
    while not stop.is_set():
        own, total = tree_rss_kib(pid)
        if own:
            out.append((round(time.perf_counter() - t0, 2), own, total, len(tree(pid))))
        try:
            await asyncio.wait_for(stop.wait(), 1.0)
        except TimeoutError:
            pass


async def run(pages: int, seconds: float, port: int, pid: int) -> dict[str, Any]:
    url = f"ws://127.0.0.1:{port}/ws"
    presets = preset_names()
    rss: list[tuple[float, int, int, int]] = []
    stop_sampling = asyncio.Event()
    sampler = asyncio.create_task(sample_rss(pid, stop_sampling, rss))
    gate = asyncio.Event()
    ready: list[int] = []
    tasks = [
        asyncio.create_task(page(url, i, presets[i % len(presets)], seconds, gate, ready))
        for i in range(pages)
    ]
    # Every page connected (its slot taken) before the one too many tries.
    for _ in range(1200):
        if len(ready) >= pages or any(t.done() for t in tasks):
            break
        await asyncio.sleep(0.05)
    cap = await over_the_cap(url)
    cpu_seen: dict[int, float] = {}
    cpu0 = tree_cpu_seconds(pid, cpu_seen)
    server0 = read_cpu_seconds(pid) or 0.0
    own0 = time.process_time()
    gate.set()
    t0 = time.perf_counter()
    results = await asyncio.gather(*tasks)
    wall = time.perf_counter() - t0
    cpu1 = tree_cpu_seconds(pid, cpu_seen)
    server1 = read_cpu_seconds(pid) or 0.0
    own1 = time.process_time()
    stop_sampling.set()
    await sampler
    return {
        "pages": results,
        "cap": cap,
        "rss_kib": rss,
        "server_cpu_s": round(cpu1 - cpu0, 2),
        "server_process_cpu_s": round(server1 - server0, 2),
        "clients_cpu_s": round(own1 - own0, 2),
        "wall_s": round(wall, 2),
    }


# -- the largest sessions' memory -----------------------------------------------------------
#: The largest config the limits allow (what a session can cost at most).
LARGEST = {
    "dataset": "spiral",
    "classes": 4,
    "n_samples": 2000,
    "train_ratio": 90,
    "batch_size": 100,
    "features": ["x1", "x2", "x1sq", "x2sq", "x1x2", "sinx1", "sinx2"],
    "layers": [{"units": 8, "activation": "tanh"}] * 6,
    "optimizer": {"name": "adam"},
    "batchnorm": True,
    "dropout": 0.1,
}


async def session_memory(port: int, pid: int, sessions: int) -> dict[str, Any]:
    """Open ``sessions`` sessions of :data:`LARGEST` on a one-worker server; return the
    worker's RSS before and after (KiB)."""
    url = f"ws://127.0.0.1:{port}/ws"
    workers: list[int] = []
    for _ in range(100):  # the worker starts with the server; wait for it
        workers = descendants(pid)
        worker_rss = [read_rss_kib(p) or 0 for p in workers]
        if workers and max(worker_rss) > 40_000:  # imported numpy and gradlab: started
            break
        await asyncio.sleep(0.1)
    await asyncio.sleep(1.0)
    before_total = tree_rss_kib(pid)[1]
    sockets = []
    try:
        for _ in range(sessions):
            ws = await websockets.connect(url, origin=page_origin(url), max_size=None)
            sockets.append(ws)
            for _ in range(3):
                await asyncio.wait_for(ws.recv(), 60)
            await ws.send(json.dumps({"type": "config", "id": 1, "config": LARGEST}))
            for _ in range(3):  # config, data, state
                await asyncio.wait_for(ws.recv(), 60)
            for step in range(3):
                await ws.send(json.dumps({"type": "step", "id": 2 + step}))
                await asyncio.wait_for(ws.recv(), 60)
        await asyncio.sleep(1.0)
        after_total = tree_rss_kib(pid)[1]
    finally:
        for ws in sockets:
            await ws.close()
    per = (after_total - before_total) / max(1, sessions)
    return {
        "sessions": sessions,
        "config": LARGEST,
        "rss_before_kib": before_total,
        "rss_after_kib": after_total,
        "per_session_kib": round(per, 1),
        "estimate_bytes": estimate_session_bytes(merge_config(DEFAULT_CONFIG, LARGEST)),
        "max_session_bytes": MAX_SESSION_BYTES,
    }


def summarize(raw: dict[str, Any], args: argparse.Namespace, info: dict[str, Any]) -> dict:
    pages = raw["pages"]
    rates = [p["states_per_s"] for p in pages]
    lat = [p["ping_max_ms"] for p in pages if p["ping_max_ms"] is not None]
    p50s = [p["ping_p50_ms"] for p in pages if p["ping_p50_ms"] is not None]
    p95s = [p["ping_p95_ms"] for p in pages if p["ping_p95_ms"] is not None]
    own = [kib for _, kib, _, _ in raw["rss_kib"]]
    total = [kib for _, _, kib, _ in raw["rss_kib"]]
    procs = max((n for *_, n in raw["rss_kib"]), default=None)
    workers = f" --workers {args.workers}" if args.workers is not None else ""
    return {
        "command": f"python -m benchmarks.playground_load --pages {args.pages} "
        f"--seconds {args.seconds:g}{workers}",
        "machine": info,
        "pages": args.pages,
        "seconds": args.seconds,
        "workers": args.workers if args.workers is not None else info["cores"],
        "summary": {
            "states_per_s_per_page_mean": round(statistics.mean(rates), 2),
            "states_per_s_per_page_min": round(min(rates), 2),
            "states_per_s_per_page_max": round(max(rates), 2),
            "states_per_s_total": round(sum(rates), 1),
            "ping_p50_ms_median_over_pages": round(statistics.median(p50s), 1) if p50s else None,
            "ping_p95_ms_max_over_pages": round(max(p95s), 1) if p95s else None,
            "ping_max_ms": round(max(lat), 1) if lat else None,
            "pings_unanswered": sum(p["pings_unanswered"] for p in pages),
            "errors": sum(len(p["errors"]) for p in pages),
            "server_rss_mib_max": round(max(own) / 1024, 1) if own else None,
            "total_rss_mib_start": round(total[0] / 1024, 1) if total else None,
            "total_rss_mib_max": round(max(total) / 1024, 1) if total else None,
            "total_rss_mib_end": round(total[-1] / 1024, 1) if total else None,
            "processes": procs,
            "server_cpu_s": raw["server_cpu_s"],
            "server_process_cpu_s": raw["server_process_cpu_s"],
            "clients_cpu_s": raw["clients_cpu_s"],
            "wall_s": raw["wall_s"],
            "session_cap_refused_page_n_plus_1": raw["cap"]["refused"],
        },
        "cap": raw["cap"],
        "memory": raw.get("memory"),
        "per_page": pages,
        "rss_kib": raw["rss_kib"],
    }


def _fmt(x: Any, digits: int = 1) -> str:
    return "-" if x is None else f"{x:.{digits}f}"


def table(result: dict[str, Any]) -> str:
    lines = [
        "| page | preset | states/s | ping p50 ms | ping p95 ms | ping max ms | errors |",
        "|---:|---|---:|---:|---:|---:|---:|",
    ]
    for p in result["per_page"]:
        lines.append(
            f"| {p['page']} | {p['preset']} | {_fmt(p['states_per_s'], 2)} | "
            f"{_fmt(p['ping_p50_ms'])} | {_fmt(p['ping_p95_ms'])} | {_fmt(p['ping_max_ms'])} | "
            f"{len(p['errors'])} |"
        )
    return "\n".join(lines)


#: The figures of the design before worker processes (every session in the server process,
#: a thread pool under the GIL), measured on the same machine: 20 pages, 60 s.
PREVIOUS = {
    "pages": 20,
    "states_per_s_per_page": "4.96 / 4.78 / 5.13",
    "states_per_s_total": 99.1,
    "ping_p50_ms": 33.0,
    "ping_p95_ms": 104.0,
    "ping_max_ms": 230.9,
    "rss_mib_max": 104.1,
    "cpu": "73.45 s over 60.06 s",
}


def memory_section(memory: dict[str, Any] | None) -> str:
    if not memory:
        return ""
    per_mib = memory["per_session_kib"] / 1024
    return f"""
## Memory of the largest sessions

One worker holding {memory["sessions"]} sessions of the largest config the limits allow
(2000 points, 7 features, 6 hidden layers of 8, batch norm, dropout, Adam, 4 classes), each
trained 3 epochs: the server and its worker grew from {memory["rss_before_kib"] / 1024:.1f} to
{memory["rss_after_kib"] / 1024:.1f} MiB, **{per_mib:.2f} MiB per session**. The config check
estimates such a session at {memory["estimate_bytes"] / 2**20:.1f} MiB and refuses a config
over `MAX_SESSION_BYTES` = {memory["max_session_bytes"] / 2**20:g} MiB.
"""


def markdown(result: dict[str, Any]) -> str:
    s, m = result["summary"], result["machine"]
    cap = result["cap"]
    prev = PREVIOUS
    return f"""# Playground load test

`{result["command"]}` — {result["pages"]} pages training at once for {result["seconds"]:g} s
against one `gradlab playground` server (max sessions = pages, {result["workers"]} worker
processes), each page applying a preset (rotating through all of them), playing, and pinging
every 0.5 s. Every `state` is a full one (the 6x8 sigmoid nets' are about 170 KiB of JSON,
mostly the neuron heatmaps), sent with permessage-deflate as browsers negotiate it.

## Machine

- CPU: {m["cpu"]}, {m["cores"]} cores, {m["memory_gib"]} GiB; {m["os"]}
- Python {m["python"]}, NumPy {m["numpy"]}, websockets {m["websockets"]}
- Load average before the run: {", ".join(f"{x:.2f}" for x in m["load_average_before"])};
  after: {", ".join(f"{x:.2f}" for x in m["load_average_after"])}.
  {m.get("note", "")}

The clients run on the same machine as the server (one asyncio process: they decompress and
parse every state), so they share its cores: {s["clients_cpu_s"]} s of CPU during the run.

## Summary

| measure | this run | before: 1 process, 20 pages |
|---|---:|---:|
| state updates per page per second (mean / min / max) | {s["states_per_s_per_page_mean"]} / {s["states_per_s_per_page_min"]} / {s["states_per_s_per_page_max"]} | {prev["states_per_s_per_page"]} |
| state updates per second, all pages | {s["states_per_s_total"]} | {prev["states_per_s_total"]} |
| ping round trip, median of the pages' p50 | {_fmt(s["ping_p50_ms_median_over_pages"])} ms | {prev["ping_p50_ms"]} ms |
| ping round trip, worst page's p95 | {_fmt(s["ping_p95_ms_max_over_pages"])} ms | {prev["ping_p95_ms"]} ms |
| ping round trip, max | {_fmt(s["ping_max_ms"])} ms | {prev["ping_max_ms"]} ms |
| pings unanswered at the end | {s["pings_unanswered"]} | 0 |
| errors received | {s["errors"]} | 0 |
| RSS, server + workers (start / max / end) | {s["total_rss_mib_start"]} / {s["total_rss_mib_max"]} / {s["total_rss_mib_end"]} MiB | {prev["rss_mib_max"]} MiB (max) |
| RSS of the server process alone (max) | {s["server_rss_mib_max"]} MiB | |
| processes (server, workers, multiprocessing's resource tracker) | {s["processes"]} | 1 |
| CPU time of those processes during the run | {s["server_cpu_s"]} s over {s["wall_s"]} s | {prev["cpu"]} |
| of which the server process (event loop: parse, ping, compress, send) | {s["server_process_cpu_s"]} s | |
| page N+1 refused (error, close 1013) | {s["session_cap_refused_page_n_plus_1"]} (close code {cap["close_code"]}) | True |
{memory_section(result.get("memory"))}
## Reading the numbers

- **Two levels of states/s.** Pages go to the worker holding the fewest sessions as they
  connect, so they alternate between the workers, while the presets rotate through all of
  them: with two workers and an even number of presets, one worker gets the even pages' nets
  and the other the odd pages'. Within a worker every playing session gets one update per
  round (the requests are answered in arrival order), so the rate of a page is that of its
  worker's round: the worker whose nets cost more per update gives each of its pages fewer.
- **The server process** parses, answers pings and sends; most of its time is the
  permessage-deflate compression of the states. Measured apart (20-s runs of the same test):
  2.15 ms of the server process's CPU per state with compression, 0.31 ms without, at the
  same states per second; compression halves what a large state weighs on the network
  (172 KiB of JSON, 93 KiB sent), which matters more on a classroom's Wi-Fi.
- **Pings** are answered by the event loop, which never trains; the workers run at a lower
  CPU priority (nice +5), so the event loop gets a core when it needs one. Without that, the
  same test had pings of 75 ms (median) and 160 ms (worst p95).
- **Memory**: a worker starts at about 60 MiB (Python, NumPy, gradlab); a session adds well
  under 1 MiB (above); the fourth process is `multiprocessing`'s resource tracker.

## Per page

{table(result)}
"""  # noqa: E501


def start_server(port: int, argv: list[str]) -> subprocess.Popen[bytes] | None:
    """Start ``gradlab playground`` on ``port``; ``None`` (and its output printed) if it does
    not accept connections within 60 s."""
    cmd = [sys.executable, "-m", "gradlab", "playground", "--port", str(port), *argv]
    server = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.time() + 60
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return server
        except OSError:
            if server.poll() is not None or time.time() > deadline:
                stop_server(server)
                out = server.stdout.read().decode() if server.stdout else ""
                print(f"the server did not start:\n{out}", file=sys.stderr)
                return None
            time.sleep(0.2)


def stop_server(server: subprocess.Popen[bytes]) -> None:
    """Stop the server (it stops its workers) and wait for it."""
    server.terminate()
    try:
        server.wait(20)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(10)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=30, help="simultaneous pages (30)")
    parser.add_argument("--seconds", type=float, default=60.0, help="playing time (60)")
    parser.add_argument(
        "--workers", type=int, default=None, help="the server's --workers (its default)"
    )
    parser.add_argument(
        "--memory-sessions",
        type=int,
        default=40,
        help="largest sessions held by one worker to measure their memory (40; 0: skip)",
    )
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks", help="output folder")
    parser.add_argument("--note", default="", help="a sentence about the machine's load")
    args = parser.parse_args(argv)
    info = machine()
    if args.note:
        info["note"] = args.note
    memory = None
    if args.memory_sessions > 0:
        port = free_port()
        argv_mem = ["--max-sessions", str(args.memory_sessions), "--workers", "1"]
        server = start_server(port, argv_mem)
        if server is None:
            return 1
        try:
            memory = asyncio.run(session_memory(port, server.pid, args.memory_sessions))
        finally:
            stop_server(server)
        print(json.dumps({k: v for k, v in memory.items() if k != "config"}, indent=1))
    port = free_port()
    server_argv = ["--max-sessions", str(args.pages)]
    if args.workers is not None:
        server_argv += ["--workers", str(args.workers)]
    server = start_server(port, server_argv)
    if server is None:
        return 1
    try:
        raw = asyncio.run(run(args.pages, args.seconds, port, server.pid))
    finally:
        stop_server(server)
    raw["memory"] = memory
    info["load_average_after"] = list(os.getloadavg())
    result = summarize(raw, args, info)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "playground_load.json").write_text(json.dumps(result, indent=1) + "\n")
    (args.out / "PLAYGROUND_LOAD.md").write_text(markdown(result))
    print(table(result))
    print(json.dumps(result["summary"], indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
