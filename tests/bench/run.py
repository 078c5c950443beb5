# SPDX-License-Identifier: MIT
"""run.py - run the benchmark suite and print its figures (make bench, make bench-instr,
make bench-plots).

    python3 tests/bench/run.py bench BIN_DIR
        every workload in flowno, asyncio, libuv and libevent (median of
        REPS runs), ratios, the echo servers (below), the same workloads in
        instructions an operation (flowno, libuv, libevent), then the
        instruction rows (below); exits 1 when a row is above its budget
    python3 tests/bench/run.py instr BIN_DIR
        the instruction rows alone: instructions per operation under
        callgrind and bytes per sleeping task, each against its budget
        (INSTR_ROWS); exits 1 when a row is above its budget
    python3 tests/bench/run.py echo BIN_DIR
        the echo servers alone: flowno's echo example on each port beside
        libuv's and libevent's, at 1..10 000 connections, 64-byte and 4 KB
        messages: messages/s, server CPU a message, system calls a message
        (perf)
    python3 tests/bench/run.py growth BIN_DIR DATA_DIR
        the growth curves (timer heap, scheduler) at 1k..1M tasks and the
        memory per task and per connection; writes DATA_DIR/*.dat

BIN_DIR holds the programs tests/bench/bench.mk builds: flowno (small
FL_MAX_TASKS), flowno_big (room for the timers workload), flowno_g<n> (the
growth curves, FL_MAX_TASKS = n + 1), echo (docs/examples/echo.c), uv,
event (libevent), echo_client.
"""
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPS = 5
# asyncio is two orders of magnitude slower and takes seconds a workload:
# three repetitions give its ratio well enough.
REPS_OF = {"asyncio": 3}

# Same work, same sizes in every system.
WORKLOADS = [
    # name, argument N, flowno binary
    ("yield", 200000, "flowno"),      # ops = 2N yields
    ("spawn", 100000, "flowno"),      # ops = N spawn+join
    ("queue", 200000, "flowno"),      # ops = N items
    ("timers", 50000, "flowno_big"),  # ops = N timers fired (CPU seconds)
]
ECHO_CONNS = [1, 100, 1000, 10000]
ECHO_SIZES = [64, 4096]
ECHO_PORTS = ["select", "poll", "epoll"]
ECHO_REPS = 3


def echo_msgs(conns):
    """Messages a connection in one run: some tens of thousands in all,
    and at least 20 each (the first and last of a connection cost more)."""
    return max(20, 20000 // conns)
GROWTH_SIZES = [1000, 10000, 100000, 1000000]
GROWTH_OPS = 4000000  # operations per growth point (rounds = ops / n)

LINE = re.compile(r"ops=(\d+) s=([0-9.]+)")


def parse(out):
    runs = [(int(m.group(1)), float(m.group(2))) for m in LINE.finditer(out)]
    if not runs:
        raise RuntimeError("no ops= line in output: %r" % out)
    return runs


def median_run(runs):
    """The run with the median rate (its s is the median s when ops agree)."""
    ranked = sorted(runs, key=lambda r: r[0] / r[1] if r[1] > 0 else float("inf"))
    return ranked[len(ranked) // 2]


def run(cmd, timeout=120):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       universal_newlines=True, timeout=timeout)
    if p.returncode != 0:
        raise RuntimeError("%s failed (%d): %s" % (" ".join(cmd), p.returncode, p.stderr))
    return p.stdout


def systems(bindir, flowno_bin):
    return [
        ("flowno", [os.path.join(bindir, flowno_bin)]),
        ("asyncio", [sys.executable, os.path.join(HERE, "bench_asyncio.py")]),
        ("libuv", [os.path.join(bindir, "uv")]),
        ("libevent", [os.path.join(bindir, "event")]),
    ]


def show(workload, system, ops, s):
    rate = ops / s if s > 0 else float("inf")
    print("%s %s ops=%d s=%.6f ops/s=%.0f" % (workload, system, ops, s, rate), flush=True)
    return rate


OTHERS = ("asyncio", "libuv", "libevent")


def show_ratios(workload, rates):
    f = rates["flowno"]
    print("ratio %s %s" % (workload, " ".join("flowno/%s=%.2f" % (other, f / rates[other])
                                              for other in OTHERS)), flush=True)


def pinned(cmd, cpu):
    """Run on one CPU when taskset is there: on a 2-core machine the server
    under test gets one core and the client the other, every time."""
    if shutil.which("taskset") and (os.cpu_count() or 1) >= 2:
        return ["taskset", "-c", str(cpu)] + cmd
    return cmd


def echo_server(cmd):
    """Start a server that says its port (port=<n>, or flowno's "port <n>:");
    returns (process, port)."""
    p = subprocess.Popen(pinned(cmd, 0), stdout=subprocess.PIPE, universal_newlines=True)
    line = p.stdout.readline()
    m = re.match(r"port=(\d+)", line) or re.search(r" port (\d+):", line)
    if not m:
        p.kill()
        p.wait()
        raise RuntimeError("%s did not say its port: %r" % (" ".join(cmd), line))
    return p, int(m.group(1))


# The echo servers flowno's are compared with: bench_uv's and bench_event's.
ECHO_PEERS = [("libuv", "uv"), ("libevent", "event")]


def echo_servers(bindir):
    """flowno's echo example on each port, beside libuv's and libevent's
    echo servers."""
    echo = os.path.join(bindir, "echo")
    return [("flowno-%s" % port, [echo, "server", "-p", "0", "-b", port], port)
            for port in ECHO_PORTS] + [(peer, [os.path.join(bindir, exe), "echo-server"], "")
                                       for peer, exe in ECHO_PEERS]


ECHO_LINE = re.compile(r"ops=(\d+) s=([0-9.]+) msgs=(\d+)(?: cpu=([0-9.]+))?")
SYSCALL = re.compile(r"sc_(\w+)=(\d+)")


def cpu_seconds(pid):
    with open("/proc/%d/schedstat" % pid) as f:
        return int(f.read().split()[0]) * 1e-9


def settle(pid):
    """Wait until the server has closed the last run's connections: less
    than 1 ms of CPU in 100 ms (at most 20 s), so that no run pays for the
    one before it (nor finds it still holding the connection limit)."""
    last = cpu_seconds(pid)
    for _ in range(200):
        time.sleep(0.1)
        now = cpu_seconds(pid)
        if now - last < 0.001:
            return
        last = now


def echo_run(client, proc, port, conns, size):
    """One client run against a server, after every connection has had a
    first echo: (messages, seconds, server CPU s, {syscall: count}) of
    echo_msgs(conns) messages on each connection."""
    cmd = [client, "-P", str(proc.pid), "-S", "-n", str(echo_msgs(conns)), str(port),
           str(conns), "120", str(size)]
    out = run(pinned(cmd, 1), timeout=300)
    settle(proc.pid)
    m = ECHO_LINE.search(out)
    if not m:
        raise RuntimeError("echo_client said nothing")
    calls = {k: int(v) for k, v in SYSCALL.findall(out)}
    return int(m.group(3)), float(m.group(2)), float(m.group(4) or 0), calls


def can_serve(port, conns):
    """select() watches fds below FD_SETSIZE (1024): not 10 000 connections."""
    return port != "select" or conns <= 1000


def median_by(runs, key):
    return statistics.median(key(r) for r in runs)


def bench_echo(bindir):
    """Every server runs side by side (an idle one costs nothing) and the
    client visits them in turn, repetition by repetition, so that a slow
    spell of the machine is shared out rather than landing on one.  For
    each point, medians of ECHO_REPS runs: messages/s, the server's CPU
    time a message, and its system calls a message (the client counts
    them through perf events; none printed where the kernel refuses)."""
    client = os.path.join(bindir, "echo_client")
    servers = {}
    try:
        for name, cmd, port in echo_servers(bindir):
            servers[name] = echo_server(cmd) + (port,)
        for size in ECHO_SIZES:
            for conns in ECHO_CONNS:
                point = "echo conns=%d bytes=%d" % (conns, size)
                results = {}
                runs = {name: [] for name in servers}
                for _ in range(ECHO_REPS):
                    for name, (proc, tcp, port) in servers.items():
                        if can_serve(port, conns):
                            runs[name].append(echo_run(client, proc, tcp, conns, size))
                for name in servers:
                    if not runs[name]:
                        print("%s %s n/a (select: fds stop at FD_SETSIZE)" % (point, name),
                              flush=True)
                        continue
                    rate = median_by(runs[name], lambda r: r[0] / r[1])
                    cpu = median_by(runs[name], lambda r: r[2] / r[0] * 1e6)
                    calls = median_by(runs[name], lambda r: r[3].get("all", 0) / r[0])
                    names = sorted({k for r in runs[name] for k in r[3] if k != "all"})
                    detail = " ".join("%s=%.3f" % (k, median_by(runs[name],
                                                                  lambda r: r[3].get(k, 0) / r[0]))
                                      for k in names)
                    results[name] = (rate, cpu)
                    print("%s %s msgs/s=%.0f cpu_us/msg=%.3f syscalls/msg=%.3f %s"
                          % (point, name, rate, cpu, calls, detail), flush=True)
                for name, (rate, cpu) in results.items():
                    for peer, _ in ECHO_PEERS:
                        if name.startswith("flowno") and peer in results:
                            print("ratio %s %s/%s msgs/s=%.2f cpu/msg=%.2f"
                                  % (point, name, peer, rate / results[peer][0],
                                     cpu / results[peer][1]), flush=True)
    finally:
        for proc, _, _ in servers.values():
            proc.terminate()
            proc.wait()


def callgrind(cmd):
    """Run cmd under callgrind: (instructions executed (Ir), its stdout,
    the text of the callgrind output file)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "callgrind.out")
        stdout = run(["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out] + cmd,
                     timeout=300)
        with open(out) as f:
            text = f.read()
    m = re.search(r"^(?:summary|totals): (\d+)", text, re.M)
    if not m:
        raise RuntimeError("no totals in callgrind output")
    return int(m.group(1)), stdout, text


def callgrind_instructions(cmd):
    """Instructions the program executed, by callgrind (Ir)."""
    return callgrind(cmd)[0]


# The instruction rows and their budgets, in instructions an operation
# (callgrind, gcc -O2, default features, hooks compiled in and none
# attached), but the last, in bytes.  Each operation runs at two sizes, and
# the difference in instructions over the difference in operations cancels
# start-up and other fixed costs.
#   name, budget, label, program, workload, (argument, rounds) small, large
INSTR_ROWS = [
    ("yield", 45, "yield between two tasks",
     "flowno", "yield", (20000, 1), (40000, 1)),
    ("yield-10k", 45, "yield round-robin over 10 000 tasks",
     "flowno_big", "grow-sched", (10000, 5), (10000, 10)),
    ("spawn", 220, "spawn + join of a trivial child",
     "flowno", "spawn", (20000, 1), (40000, 1)),
    ("spawn-crowd", 220, "spawn + join with 1000 children alive",
     "flowno_big", "spawn-crowd", (20000, 1), (40000, 1)),
    ("queue", 170, "an 8-byte item through a 16-slot queue, 1 producer 1 consumer",
     "flowno", "queue", (20000, 1), (40000, 1)),
    ("timer-100k", 550, "a timer inserted and fired, 100 000 timers",
     "flowno_big", "grow-timers", (100000, 2), (100000, 4)),
]
# Bytes a sleeping task costs on this host: sizeof(fl_task) and what one
# more task adds to the loop's table, at the width of flowno_big's slots
# (the build of the 100 000 timers): the difference of sizeof(fl_loop)
# between it and a build with twice the tasks, over the difference in tasks.
BYTES_ROW = ("task-bytes", 64, "bytes a sleeping task on x86-64 (struct + table)",
             "flowno_big", "flowno_g262143")


# The timed workloads again, counted in instructions in flowno, libuv and
# libevent (asyncio's would count the interpreter): the comparison that the
# machine's noise does not move.  Not the timers: on the real clock, under
# valgrind's slowness, how many fire a pass changes from run to run, and
# so does the count.  name, (argument, repetitions) small, large.
PEER_ROWS = [
    ("yield", (20000, 1), (40000, 1)),
    ("spawn", (20000, 1), (40000, 1)),
    ("queue", (20000, 1), (40000, 1)),
]


def instr_point(exe, workload, size):
    """(operations, instructions) of one run of workload at size."""
    cmd = [exe, workload, str(size[0]), str(size[1])]
    ir, out, _ = callgrind(cmd)
    return parse(out)[0][0], ir


_per_op = {}


def per_op(exe, workload, small, large):
    """Instructions an operation: two sizes, so fixed costs cancel.  Counted
    once a run of run.py (the peers' lines and the rows share flowno's)."""
    key = (exe, workload, small, large)
    if key not in _per_op:
        (o1, i1), (o2, i2) = instr_point(exe, workload, small), instr_point(exe, workload, large)
        _per_op[key] = (i2 - i1) / float(o2 - o1)
    return _per_op[key]


def peer_instr(bindir):
    for workload, small, large in PEER_ROWS:
        flowno_bin = dict((w, b) for w, _, b in WORKLOADS)[workload]
        counts = [(system, per_op(cmd[0], workload, small, large))
                  for system, cmd in systems(bindir, flowno_bin) if system != "asyncio"]
        print("peer-instr %s %s" % (workload, " ".join("%s=%.1f" % c for c in counts)),
              flush=True)


def show_instr(name, value, budget):
    """Print the row; returns whether it is within its budget.  Two
    decimals: the counts move by under 0.01 from run to run."""
    print("instr %s per-op=%.2f budget=%d" % (name, value, budget), flush=True)
    return value <= budget


def instr(bindir):
    """Every instruction row, then the rows above their budgets.
    Returns the number of rows above their budgets."""
    over = []
    for name, budget, label, prog, workload, small, large in INSTR_ROWS:
        value = per_op(os.path.join(bindir, prog), workload, small, large)
        if not show_instr(name, value, budget):
            over.append((name, label, value, budget))
    name, budget, label, prog, prog2 = BYTES_ROW
    sz, sz2 = sizes(os.path.join(bindir, prog)), sizes(os.path.join(bindir, prog2))
    value = sz["task"] + (sz2["loop"] - sz["loop"]) / float(sz2["max_tasks"] - sz["max_tasks"])
    if not show_instr(name, value, budget):
        over.append((name, label, value, budget))
    rows = len(INSTR_ROWS) + 1
    if not over:
        print("instr: all %d rows within their budgets" % rows, flush=True)
    for name, label, value, budget in over:
        print("instr: OVER BUDGET %s (%s): %.2f > %d, by %.2f (%.1f %%)"
              % (name, label, value, budget, value - budget, 100.0 * (value - budget) / budget),
              flush=True)
    if over:
        print("instr: %d of %d rows above their budgets" % (len(over), rows), flush=True)
    return len(over)


def bench(bindir):
    bench_workloads(bindir)
    bench_echo(bindir)
    peer_instr(bindir)
    return instr(bindir)


def bench_workloads(bindir):
    for workload, n, flowno_bin in WORKLOADS:
        rates = {}
        for system, cmd in systems(bindir, flowno_bin):
            # One more run than REPS: the first warms caches and is dropped.
            reps = REPS_OF.get(system, REPS)
            ops, s = median_run(parse(run(cmd + [workload, str(n), str(reps + 1)]))[1:])
            rates[system] = show(workload, system, ops, s)
        show_ratios(workload, rates)


def sizes(exe):
    out = run([exe, "sizes"])
    return {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", out)}


def growth(bindir, datadir):
    os.makedirs(datadir, exist_ok=True)
    for kind, file in (("timers", "timers"), ("sched", "scheduler")):
        path = os.path.join(datadir, "bench-%s.dat" % file)
        with open(path, "w") as f:
            f.write("# n  ns_per_op  ops  seconds   (median of 3; simulated clock)\n")
            for n in GROWTH_SIZES:
                exe = os.path.join(bindir, "flowno_g%d" % n)
                rounds = max(2, GROWTH_OPS // n)
                runs = []
                for _ in range(3):
                    runs += parse(run([exe, "grow-" + kind, str(n), str(rounds)], timeout=300))
                ops, s = median_run(runs)
                ns = s * 1e9 / ops
                f.write("%d %.2f %d %.6f\n" % (n, ns, ops, s))
                print("growth %s n=%d ops=%d s=%.6f ns/op=%.2f" % (kind, n, ops, s, ns), flush=True)
    # Instructions per sleep (callgrind, two sizes so fixed costs cancel):
    # the work of the heap, free of cache effects; 1M is left out (slow).
    for n in GROWTH_SIZES[:3]:
        exe = os.path.join(bindir, "flowno_g%d" % n)
        r1, r2 = max(1, 200000 // n), max(2, 400000 // n)
        i1 = callgrind_instructions([exe, "grow-timers", str(n), str(r1)])
        i2 = callgrind_instructions([exe, "grow-timers", str(n), str(r2)])
        print("growth-instr timers n=%d per-op=%.1f" % (n, (i2 - i1) / float(n * (r2 - r1))),
              flush=True)
    # Memory: a task is its fl_task plus one slot of the loop's arrays.
    sz = {n: sizes(os.path.join(bindir, "flowno_g%d" % n)) for n in GROWTH_SIZES}
    with open(os.path.join(datadir, "bench-memory.dat"), "w") as f:
        f.write("# from to  sizeof(fl_task)  loop_bytes_per_slot  bytes_per_task\n")
        for a, b in ((1000, 10000), (100000, 1000000)):
            per_slot = (sz[b]["loop"] - sz[a]["loop"]) / float(sz[b]["max_tasks"] - sz[a]["max_tasks"])
            task = sz[b]["task"]
            f.write("%d %d %d %.2f %.2f\n" % (a, b, task, per_slot, task + per_slot))
            print("memory tasks %d..%d: sizeof(fl_task)=%d loop/slot=%.2f bytes/task=%.2f"
                  % (a, b, task, per_slot, task + per_slot), flush=True)
        small = sizes(os.path.join(bindir, "flowno"))
        print("memory echo connection (FL_MAX_TASKS=%d): struct conn=%d (4096 of it the buffer)"
              " + loop slot %d = %d bytes; without the buffer %d"
              % (small["max_tasks"], small["conn"], small["slot"], small["conn"] + small["slot"],
                 small["conn"] - 4096 + small["slot"]), flush=True)

def main():
    if len(sys.argv) >= 3 and sys.argv[1] == "bench":
        return 1 if bench(sys.argv[2]) else 0
    if len(sys.argv) >= 3 and sys.argv[1] == "instr":
        return 1 if instr(sys.argv[2]) else 0
    if len(sys.argv) >= 3 and sys.argv[1] == "echo":
        bench_echo(sys.argv[2])
        return 0
    if len(sys.argv) >= 4 and sys.argv[1] == "growth":
        growth(sys.argv[2], sys.argv[3])
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
