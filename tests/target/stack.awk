# SPDX-License-Identifier: MIT
# stack.awk - how much of the one stack the loop needs, from GCC's call
# graphs (-fcallgraph-info=su, VCG text) of every file of the library at
# once; for make stack (tests/target/size.sh --stack).  Tasks have no stack
# of their own, but the loop, the task being stepped and what it calls
# share the caller's.  Prints
#
#   stack <cpu> run=<bytes> poll=<bytes> at_task=<bytes> api=<bytes>
#
#   run, poll  the deepest chain of frames below fl_run_until_complete /
#              fl_loop_poll, a call through a pointer counting 0
#   at_task    the loop's frames in use when it calls a task's function or
#              the port (the deepest chain that ends in a call by pointer)
#   api        the deepest chain below any other public function, which a
#              task may call
#
# So a firmware's stack needs at most at_task + its deepest task function
# (or port hook) + api when that function calls the library, plus what
# its interrupts take.  memcpy (the queue's copy) counts as 0.

function quoted(line, key,    rest) {
    rest = substr(line, index(line, key ": \"") + length(key) + 3)
    return substr(rest, 1, index(rest, "\"") - 1)
}

# The deepest chain of frames from f down, a call by pointer counting 0.
function depth(f,    i, c, d, best) {
    if (f in memo)
        return memo[f]
    if (f in busy) {
        cycle = cycle " " f
        return 0
    }
    busy[f] = 1
    best = 0
    for (i = 1; i <= ncalls[f]; i++) {
        c = callee[f, i]
        d = (c == "__indirect_call") ? 0 : depth(c)
        if (d > best)
            best = d
    }
    delete busy[f]
    memo[f] = frame[f] + best
    return memo[f]
}

# The deepest chain from f that ends in a call by pointer; -1 if none.
function at_call(f,    i, c, d, best) {
    if (f in memo_at)
        return memo_at[f]
    memo_at[f] = -1 # a cycle ends here
    best = -1
    for (i = 1; i <= ncalls[f]; i++) {
        c = callee[f, i]
        d = (c == "__indirect_call") ? 0 : at_call(c)
        if (d > best)
            best = d
    }
    memo_at[f] = best < 0 ? -1 : frame[f] + best
    return memo_at[f]
}

/^node:/ {
    name = quoted($0, "title")
    label = quoted($0, "label")
    if (match(label, /[0-9]+ bytes \([a-z,]+\)/)) {
        usage = substr(label, RSTART, RLENGTH)
        split(usage, part, " ")
        frame[name] = part[1] + 0
        if (usage ~ /dynamic/ && usage !~ /bounded/)
            unbounded = unbounded " " name
    }
}

/^edge:/ {
    from = quoted($0, "sourcename")
    to = quoted($0, "targetname")
    callee[from, ++ncalls[from]] = to
}

END {
    if (!("fl_run_until_complete" in frame) || !("fl_loop_poll" in frame)) {
        print "stack: no call graph for the loop's entry points" > "/dev/stderr"
        exit 1
    }
    api = 0
    for (f in frame) {
        # Public: not static (no "file:" in the name), not internal (_).
        if (f ~ /:/ || f ~ /_$/ || f == "fl_run_until_complete" || f == "fl_loop_poll")
            continue
        if (depth(f) > api)
            api = depth(f)
    }
    printf "stack %s run=%d poll=%d at_task=%d api=%d\n", cpu,
           depth("fl_run_until_complete"), depth("fl_loop_poll"),
           at_call("fl_run_until_complete"), api
    if (cycle != "" || unbounded != "") {
        print "stack: recursion (" cycle " ) or unbounded frames (" unbounded " )" > "/dev/stderr"
        exit 1
    }
}
