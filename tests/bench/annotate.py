# SPDX-License-Identifier: MIT
"""annotate.py - where the instructions of an operation go (make bench-annotate).

    python3 tests/bench/annotate.py BIN_DIR [--lines] [ROW...]

For each instruction row of run.py (INSTR_ROWS; all of them when no ROW is
named), the instructions an operation costs in each source function:
callgrind's self cost of every source line at the row's two sizes, the
difference over the difference in operations (so fixed costs cancel, as in
the row's own figure), summed by the function whose body holds the line.
A function that gcc inlined is still counted as itself, not as its caller
(callgrind_annotate counts it in the caller): the line table of the -g
build says which source line an instruction came from.  Code without
lines in this tree (libc) is counted by its symbol.  --lines adds every
line of this tree that costs at least LINE_MIN instructions an operation.
"""
import os
import re
import sys

import run

ROOT = os.path.normpath(os.path.join(run.HERE, "..", ".."))
SHOW_MIN = 0.5  # instructions an operation; the rest is summed as "other"
LINE_MIN = 1.0


def self_costs(text):
    """Self Ir by (file, line, symbol) from a callgrind output file whose
    positions are lines.  Calls' inclusive costs are skipped."""
    names = {"fl": {}, "fn": {}}
    costs = {}
    path = symbol = None
    line = 0
    in_call = False

    def name(kind, spec):
        m = re.match(r"\((\d+)\)\s*(.*)", spec)
        if not m:
            return spec
        if m.group(2):
            names[kind][m.group(1)] = m.group(2)
        return names[kind].get(m.group(1), "???")

    for raw in text.splitlines():
        head = raw[:1]
        if head.isdigit() or head in ("+", "-", "*"):
            pos, _, rest = raw.partition(" ")
            if pos == "*":
                pass
            elif head in "+-":
                line += int(pos)
            else:
                line = int(pos)
            if in_call:
                in_call = False  # the cost of the call, counted in the callee
                continue
            key = (path, line, symbol)
            costs[key] = costs.get(key, 0) + int(rest.split()[0])
        elif raw.startswith(("fl=", "fi=", "fe=")):
            path = name("fl", raw[3:])
        elif raw.startswith("fn="):
            symbol = name("fn", raw[3:])
        elif raw.startswith(("cfi=", "cfl=")):
            name("fl", raw[4:])
        elif raw.startswith("cfn="):
            name("fn", raw[4:])
        elif raw.startswith("calls="):
            in_call = True
    return costs


_functions = {}


def function_of(path, line):
    """The function of this tree whose body holds path:line, as
    "name (file)", or None when path is not in the tree.  Functions are
    found as the tree writes them: the signature starts in column 0 and its
    body is "{" ... "}" in column 0."""
    full = os.path.normpath(os.path.join(ROOT, path)) if path else ""
    if not full.startswith(ROOT + os.sep) or not os.path.isfile(full):
        return None
    if full not in _functions:
        spans, signature, start = [], None, None
        with open(full) as f:
            for n, text in enumerate(f, 1):
                if text.startswith("{") and signature:
                    start = True
                elif text.startswith("}") and start:
                    spans.append(signature + (n,))
                    start = None
                elif not start and text[:1].isalpha() and "(" in text:
                    signature = (re.findall(r"\w+", text.split("(")[0])[-1], n)
        _functions[full] = spans
    rel = os.path.relpath(full, ROOT)
    for fn, first, last in _functions[full]:
        if first <= line <= last:
            return "%s (%s)" % (fn, rel)
    return "%s:%d" % (rel, line)


def where(key):
    path, line, symbol = key
    return function_of(path, line) or symbol or "???"


def point(exe, workload, size):
    cmd = [exe, workload, str(size[0]), str(size[1])]
    ir, out, text = run.callgrind(cmd)
    return run.parse(out)[0][0], ir, self_costs(text)


def annotate(bindir, rows, lines):
    for name, budget, label, prog, workload, small, large in run.INSTR_ROWS:
        if rows and name not in rows:
            continue
        exe = os.path.join(bindir, prog)
        (o1, i1, c1), (o2, i2, c2) = point(exe, workload, small), point(exe, workload, large)
        ops = float(o2 - o1)
        per_key = {k: (c2.get(k, 0) - c1.get(k, 0)) / ops for k in set(c1) | set(c2)}
        by_fn = {}
        for k, v in per_key.items():
            by_fn[where(k)] = by_fn.get(where(k), 0.0) + v
        print("annotate %s per-op=%.2f budget=%d (%s)" % (name, (i2 - i1) / ops, budget, label))
        other = 0.0
        for fn, v in sorted(by_fn.items(), key=lambda kv: (-round(kv[1], 1), kv[0])):
            if abs(v) >= SHOW_MIN:
                print("  %7.1f  %s" % (v, fn))
            else:
                other += v
        print("  %7.1f  (other, each under %.1f)" % (round(other, 1) or 0.0, SHOW_MIN))
        if lines:
            by_line = {}
            for (path, line, _), v in per_key.items():
                fn = function_of(path, line)
                if fn is not None:
                    key = (os.path.relpath(os.path.normpath(os.path.join(ROOT, path)), ROOT), line)
                    by_line[key] = (by_line.get(key, (0.0, fn))[0] + v, fn)
            for (path, line), (v, fn) in sorted(by_line.items(),
                                                key=lambda kv: (-round(kv[1][0], 1), kv[0])):
                if v >= LINE_MIN:
                    print("    line %7.1f  %s:%d  %s" % (v, path, line, fn.split(" ")[0]))
        sys.stdout.flush()


def main():
    args = sys.argv[1:]
    if not args:
        print(__doc__, file=sys.stderr)
        return 2
    lines = "--lines" in args
    args = [a for a in args if a != "--lines"]
    annotate(args[0], set(args[1:]), lines)
    return 0


if __name__ == "__main__":
    sys.exit(main())
