# SPDX-License-Identifier: MIT
# plots.gp - the growth curves of make bench-plots.
#   gnuplot -e "datadir='build/bench/data'; outdir='docs'" tests/bench/plots.gp
# Reads datadir/bench-timers.dat and bench-scheduler.dat ("n ns_per_op ...",
# written by tests/bench/run.py growth) and writes outdir/bench-*.png.
if (!exists("datadir")) datadir = 'build/bench/data'
if (!exists("outdir")) outdir = 'docs'

if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
    set terminal pngcairo size 800,500 font "sans,11"
} else {
    set terminal png size 800,500
}
set logscale x 10
set xrange [500:2000000]
set yrange [0:*]
set grid
set key top left
set xlabel "tasks alive (n)"
set format x "10^{%L}"

set output outdir.'/bench-timers.png'
set title "flowno timer heap: one sleep (insert + expire + wake + step) vs n sleepers"
set ylabel "ns per sleep"
# A c*log2(n) reference through the first point, to compare the shape with.
stats datadir.'/bench-timers.dat' using 2 every ::0::0 nooutput
c = STATS_min / (log(1000) / log(2))
plot datadir.'/bench-timers.dat' using 1:2 with linespoints lw 2 pt 7 title "measured", \
     c * log(x) / log(2) with lines dt 2 lc rgb "gray40" title "c log_2 n (through n = 1000)"

set output outdir.'/bench-scheduler.png'
set title "flowno scheduler: one yield vs n ready tasks (a ready ring of n)"
set ylabel "ns per yield"
plot datadir.'/bench-scheduler.dat' using 1:2 with linespoints lw 2 pt 7 title "measured"
