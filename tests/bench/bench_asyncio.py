# SPDX-License-Identifier: MIT
"""bench_asyncio.py - Python asyncio's side of the benchmark suite (make bench).

The same workloads, sizes and output as tests/bench/bench_flowno.c:

    python3 bench_asyncio.py yield  N REPS  two tasks, each awaits asyncio.sleep(0)
                                            N times (ops = 2N)
    python3 bench_asyncio.py spawn  N REPS  create_task of a coroutine that returns
                                            a value, await it, N times (ops = N)
    python3 bench_asyncio.py queue  N REPS  one producer, one consumer, N ints
                                            through asyncio.Queue(16); the end is
                                            marked by a sentinel (asyncio.Queue has
                                            no close before 3.13) (ops = N)
    python3 bench_asyncio.py timers N REPS  N tasks sleeping 1..50 ms (the same
                                            scatter), all fired; s = CPU time
    python3 bench_asyncio.py echo-server    asyncio.start_server echo on 127.0.0.1

Each repetition prints `ops=<n> s=<seconds>`, timing the work inside the
running loop (not the loop's creation).
"""
import asyncio
import sys
import time


async def yielder(n):
    for _ in range(n):
        await asyncio.sleep(0)


async def bench_yield(n):
    a = asyncio.create_task(yielder(n))
    b = asyncio.create_task(yielder(n))
    await a
    await b
    return 2 * n


async def child(arg):
    return arg + 1


async def bench_spawn(n):
    total = 0
    for i in range(n):
        total += await asyncio.create_task(child(i))
    assert total == n * (n + 1) // 2
    return n


async def producer(q, n):
    for i in range(n):
        await q.put(i)
    await q.put(None)  # the close


async def consumer(q):
    count = total = 0
    while True:
        item = await q.get()
        if item is None:
            return count, total
        count += 1
        total += item


async def bench_queue(n):
    q = asyncio.Queue(16)
    c = asyncio.create_task(consumer(q))
    p = asyncio.create_task(producer(q, n))
    await p
    count, total = await c
    assert count == n and total == n * (n - 1) // 2
    return n


def spread_ms(i):
    return 1 + (i * 2654435761) % 50


async def bench_timers(n):
    fired = [0]

    async def sleeper(seconds):
        await asyncio.sleep(seconds)
        fired[0] += 1

    tasks = [asyncio.create_task(sleeper(spread_ms(i) / 1000.0)) for i in range(n)]
    for t in tasks:
        await t
    assert fired[0] == n
    return n


async def echo(reader, writer):
    try:
        while True:
            data = await reader.read(4096)
            if not data:
                break
            writer.write(data)
            await writer.drain()
    except ConnectionError:
        pass
    finally:
        writer.close()


async def echo_server():
    server = await asyncio.start_server(echo, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    print("port=%d" % port, flush=True)
    async with server:
        await server.serve_forever()


WORKLOADS = {"yield": bench_yield, "spawn": bench_spawn, "queue": bench_queue,
             "timers": bench_timers}


async def timed(fn, n, clock):
    t0 = clock()
    ops = await fn(n)
    return ops, clock() - t0


def main():
    mode = sys.argv[1] if len(sys.argv) > 1 else ""
    if mode == "echo-server":
        asyncio.run(echo_server())
        return 0
    if mode not in WORKLOADS or len(sys.argv) < 3:
        print("usage: bench_asyncio.py yield|spawn|queue|timers N REPS | echo-server",
              file=sys.stderr)
        return 2
    n = int(sys.argv[2])
    reps = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    clock = time.process_time if mode == "timers" else time.perf_counter
    for _ in range(reps):
        ops, s = asyncio.run(timed(WORKLOADS[mode], n, clock))
        print("ops=%d s=%.6f" % (ops, s), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
