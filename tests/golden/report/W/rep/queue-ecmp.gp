# fabsim report: ecmp: queue and PFC at port leaf0:spine0, the one trace.csv samples.
# Draws queue-ecmp.png and queue-ecmp.svg: edit, then run 'gnuplot queue-ecmp.gp' in this folder.

# time (us), data queue (KB), paused (0/1), cumulative: ECN marks, pauses received, pauses sent, drops
$trace << EOD
0.000 0.000 0 0 0 0 0
1.000 0.000 0 0 0 0 0
2.000 0.000 0 0 0 0 0
3.000 0.000 0 0 0 0 0
4.000 0.000 0 0 0 0 0
5.000 0.000 0 0 0 0 0
6.000 0.000 0 0 0 0 0
7.000 0.000 0 0 0 0 0
8.000 0.000 0 0 0 0 0
9.000 0.000 0 0 0 0 0
10.000 0.000 0 0 0 0 0
11.000 0.000 0 0 0 0 0
12.000 0.000 0 0 0 0 0
13.000 0.000 0 0 0 0 0
14.000 0.000 0 0 0 0 0
15.000 0.000 0 0 0 0 0
16.000 0.000 0 0 0 0 0
17.000 0.000 0 0 0 0 0
18.000 0.000 0 0 0 0 0
EOD

do for [fmt in "png svg"] {
	reset
	if (fmt eq "png") {
		set terminal pngcairo size 1100,700 noenhanced font 'Sans,11'
	} else {
		set terminal svg size 1100,700 noenhanced font 'Sans,11' background rgb 'white'
	}
	set output 'queue-ecmp.' . fmt
	set grid
	set linetype 1 lc rgb '#1f77b4'
	set linetype 2 lc rgb '#ff7f0e'
	set linetype 3 lc rgb '#2ca02c'
	set linetype 4 lc rgb '#d62728'
	set linetype 5 lc rgb '#9467bd'
	set linetype 6 lc rgb '#8c564b'
	set linetype 7 lc rgb '#e377c2'
	set linetype 8 lc rgb '#17becf'
	set linetype 9 lc rgb '#7f7f7f'
	set linetype 10 lc rgb '#bcbd22'
	set linetype cycle 10
	set multiplot title 'ecmp: queue and PFC at port leaf0:spine0, the one trace.csv samples' . "\n" . 'permutation on small-800g, 128 hosts, lb=ecmp cc=none rx=ddp' . "\n" . 'not traced: spine7:leaf0 (port 440, the busiest: max queue 806354 B in links.csv); rerun ''fabsim run'' with --trace-port spine7:leaf0'
	set lmargin 12
	set rmargin 34
	set origin 0,0.36
	set size 1,0.54
	set ylabel 'data queue (KB)'
	set yrange [0:1]
	set y2label 'PFC pause state'
	set y2range [0:1.05]
	set y2tics ('running' 0, 'paused' 1)
	set format x ''
	set key outside right top
	set label 1 'the queue stayed empty at this port' at graph 0.5, 0.5 center
	plot $trace using 1:3 axes x1y2 with fillsteps fs transparent solid 0.3 noborder lc rgb '#d62728' title 'paused by PFC', \
		$trace using 1:2 with lines lw 1.5 lc rgb '#1f77b4' title 'data queue'
	set origin 0,0
	set size 1,0.38
	unset y2tics
	unset y2label
	set format x '%g'
	set xlabel 'time (us)'
	set ylabel 'cumulative count'
	set yrange [0:1]
	unset label 1
	set label 1 'no ECN marks, PFC pauses or drops at this port' at graph 0.5, 0.5 center
	set key outside right center
	plot $trace using 1:4 with lines lw 2 title 'ECN marks (0)', \
		$trace using 1:5 with lines lw 2 title 'PFC pauses received (0)', \
		$trace using 1:6 with lines lw 2 dt 3 title 'PFC pauses sent (0)', \
		$trace using 1:7 with lines lw 2 title 'drops (0)'
	unset multiplot
	unset output
}
