"""Load test of the playground server: N pages training at once, pings answered meanwhile.

Run by hand from the checkout::

    python -m benchmarks.playground_load --pages 20 --seconds 60

It starts ``gradlab playground`` in a subprocess on a free loopback port (``--max-sessions``
= the number of pages), opens N WebSocket clients (the ``websockets`` package, asyncio); each
applies a preset (they rotate through all of them), sends ``play`` and a ``ping`` every 0.5 s.
Per page it records the ``state`` messages per second and the ping round trips (p50, p95,
max); the server's resident memory is read from ``/proc/PID/status`` every second. Once every
page is connected, page N+1 tries to connect and must be refused (``error``, close 1013).

Writes ``benchmarks/playground_load.json`` and ``benchmarks/PLAYGROUND_LOAD.md`` (``--out``).
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

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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


async def sample_rss(pid: int, stop: asyncio.Event, out: list[tuple[float, int]]) -> None:
    t0 = time.perf_counter()
    while not stop.is_set():
        rss = read_rss_kib(pid)
        if rss is not None:
            out.append((round(time.perf_counter() - t0, 2), rss))
        try:
            await asyncio.wait_for(stop.wait(), 1.0)
        except TimeoutError:
            pass


async def run(pages: int, seconds: float, port: int, pid: int) -> dict[str, Any]:
    url = f"ws://127.0.0.1:{port}/ws"
    presets = [
        "vanishing_sigmoid",
        "dying_relu",
        "xor_no_hidden",
        "xor_hidden",
        "batchnorm_off",
        "batchnorm_on",
        "spiral_multiclass",
    ]
    rss: list[tuple[float, int]] = []
    stop_sampling = asyncio.Event()
    sampler = asyncio.create_task(sample_rss(pid, stop_sampling, rss))
    gate = asyncio.Event()
    cpu0 = read_cpu_seconds(pid)
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
    gate.set()
    t0 = time.perf_counter()
    results = await asyncio.gather(*tasks)
    wall = time.perf_counter() - t0
    cpu1 = read_cpu_seconds(pid)
    stop_sampling.set()
    await sampler
    return {
        "pages": results,
        "cap": cap,
        "rss_kib": rss,
        "server_cpu_s": None if cpu0 is None or cpu1 is None else round(cpu1 - cpu0, 2),
        "wall_s": round(wall, 2),
    }


def summarize(raw: dict[str, Any], args: argparse.Namespace, info: dict[str, Any]) -> dict:
    pages = raw["pages"]
    rates = [p["states_per_s"] for p in pages]
    lat = [p["ping_max_ms"] for p in pages if p["ping_max_ms"] is not None]
    p50s = [p["ping_p50_ms"] for p in pages if p["ping_p50_ms"] is not None]
    p95s = [p["ping_p95_ms"] for p in pages if p["ping_p95_ms"] is not None]
    rss = [kib for _, kib in raw["rss_kib"]]
    return {
        "command": f"python -m benchmarks.playground_load --pages {args.pages} "
        f"--seconds {args.seconds:g}",
        "machine": info,
        "pages": args.pages,
        "seconds": args.seconds,
        "summary": {
            "states_per_s_per_page_mean": round(statistics.mean(rates), 2),
            "states_per_s_per_page_min": round(min(rates), 2),
            "states_per_s_per_page_max": round(max(rates), 2),
            "states_per_s_total": round(sum(rates), 1),
            "ping_p50_ms_median_over_pages": round(statistics.median(p50s), 1) if p50s else None,
            "ping_p95_ms_max_over_pages": round(max(p95s), 1) if p95s else None,
            "ping_max_ms": round(max(lat), 1) if lat else None,
            "pings_unanswered": sum(p["pings_unanswered"] for p in pages),
            "rss_mib_start": round(rss[0] / 1024, 1) if rss else None,
            "rss_mib_max": round(max(rss) / 1024, 1) if rss else None,
            "rss_mib_end": round(rss[-1] / 1024, 1) if rss else None,
            "server_cpu_s": raw["server_cpu_s"],
            "wall_s": raw["wall_s"],
            "session_cap_refused_page_n_plus_1": raw["cap"]["refused"],
        },
        "cap": raw["cap"],
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


def markdown(result: dict[str, Any]) -> str:
    s, m = result["summary"], result["machine"]
    cap = result["cap"]
    return f"""# Playground load test

`{result["command"]}` — {result["pages"]} pages training at once for {result["seconds"]:g} s
against one `gradlab playground` server (max sessions = pages), each page applying a preset
(rotating through all seven), playing, and pinging every 0.5 s.

## Machine

- CPU: {m["cpu"]}, {m["cores"]} cores, {m["memory_gib"]} GiB; {m["os"]}
- Python {m["python"]}, NumPy {m["numpy"]}, websockets {m["websockets"]}
- Load average before the run: {", ".join(f"{x:.2f}" for x in m["load_average_before"])};
  after: {", ".join(f"{x:.2f}" for x in m["load_average_after"])}.
  {m.get("note", "")}

The clients run in the same machine as the server (one asyncio process), so they share its
cores.

## Summary

| measure | value |
|---|---:|
| state updates per page per second (mean / min / max) | {s["states_per_s_per_page_mean"]} / {s["states_per_s_per_page_min"]} / {s["states_per_s_per_page_max"]} |
| state updates per second, all pages | {s["states_per_s_total"]} |
| ping round trip, median of the pages' p50 | {_fmt(s["ping_p50_ms_median_over_pages"])} ms |
| ping round trip, worst page's p95 | {_fmt(s["ping_p95_ms_max_over_pages"])} ms |
| ping round trip, max | {_fmt(s["ping_max_ms"])} ms |
| pings unanswered at the end | {s["pings_unanswered"]} |
| server RSS start / max / end | {s["rss_mib_start"]} / {s["rss_mib_max"]} / {s["rss_mib_end"]} MiB |
| server CPU time during the run | {s["server_cpu_s"]} s over {s["wall_s"]} s |
| page N+1 refused (error, close 1013) | {s["session_cap_refused_page_n_plus_1"]} (close code {cap["close_code"]}) |

## Per page

{table(result)}
"""  # noqa: E501


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=20, help="simultaneous pages (20)")
    parser.add_argument("--seconds", type=float, default=60.0, help="playing time (60)")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks", help="output folder")
    parser.add_argument("--note", default="", help="a sentence about the machine's load")
    args = parser.parse_args(argv)
    info = machine()
    if args.note:
        info["note"] = args.note
    port = free_port()
    cmd = [sys.executable, "-m", "gradlab", "playground", "--port", str(port),
           "--max-sessions", str(args.pages)]  # fmt: skip
    server = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if server.poll() is not None or time.time() > deadline:
                    out = server.stdout.read().decode() if server.stdout else ""
                    print(f"the server did not start:\n{out}", file=sys.stderr)
                    return 1
                time.sleep(0.2)
        raw = asyncio.run(run(args.pages, args.seconds, port, server.pid))
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
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
