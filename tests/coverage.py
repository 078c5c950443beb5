#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""coverage.py DIR [--missing]: line and branch coverage of flowno/ and gen/
from every .gcda file under DIR, one line a file.

The same source is built in several configurations (the suites, the
minimal profile, the model tester's ten), and a configuration compiles
some lines the others do not, so the counts are merged by source line: a
line is executable if any build compiled it and covered if any build ran
it; a line's branches are merged by their index.  gcov (--json-format)
reads the data; gcovr 5 cannot merge a function that #if places at two
different lines.  --missing lists the lines and branches never taken.
"""
import json
import os
import subprocess
import sys

ROOTS = ("flowno/", "gen/")


def gcda_files(top):
    for dirpath, _, names in os.walk(top):
        for name in names:
            if name.endswith(".gcda"):
                yield os.path.join(dirpath, name)


def merge(top):
    files = {}  # path -> {line: [count, [branch counts]]}
    for gcda in sorted(gcda_files(top)):
        out = subprocess.run(["gcov", "--json-format", "--stdout", "--branch-probabilities", gcda],
                             capture_output=True, text=True, check=True).stdout
        for doc in out.splitlines():
            if not doc.strip():
                continue
            for f in json.loads(doc)["files"]:
                path = os.path.normpath(f["file"])
                if not path.startswith(ROOTS):
                    continue
                lines = files.setdefault(path, {})
                for ln in f["lines"]:
                    entry = lines.setdefault(ln["line_number"], [0, []])
                    entry[0] += ln["count"]
                    for i, br in enumerate(ln.get("branches", [])):
                        if i == len(entry[1]):
                            entry[1].append(0)
                        entry[1][i] += br["count"]
    return files


def pct(part, whole):
    return 100.0 * part / whole if whole else 100.0


def main():
    top = sys.argv[1]
    missing = "--missing" in sys.argv[2:]
    files = merge(top)
    groups = {}
    print(f"{'file':<28} {'lines':>15} {'branches':>17}")
    for path in sorted(files):
        lines = files[path]
        n = len(lines)
        hit = sum(1 for c, _ in lines.values() if c > 0)
        nb = sum(len(b) for _, b in lines.values())
        hb = sum(1 for _, b in lines.values() for c in b if c > 0)
        print(f"{path:<28} {hit:>5}/{n:<5} {pct(hit, n):5.1f}% {hb:>5}/{nb:<5} {pct(hb, nb):5.1f}%")
        group = os.path.dirname(path)
        g = groups.setdefault(group, [0, 0, 0, 0])
        g[0] += hit; g[1] += n; g[2] += hb; g[3] += nb
        if missing:
            for ln in sorted(lines):
                c, b = lines[ln]
                untaken = [i for i, bc in enumerate(b) if bc == 0]
                if c == 0:
                    print(f"    {path}:{ln}: never run")
                elif untaken:
                    print(f"    {path}:{ln}: branch {untaken} of {len(b)} never taken")
    for group in sorted(groups):
        hit, n, hb, nb = groups[group]
        print(f"{group + '/ (all)':<28} {hit:>5}/{n:<5} {pct(hit, n):5.1f}% {hb:>5}/{nb:<5} {pct(hb, nb):5.1f}%")


if __name__ == "__main__":
    main()
