# fabsim report: allreduce ring on railopt-demo, 16 ranks, lb=ar cc=telemetry rx=ddp: effective throughput vs message size.
# Draws effective-vs-size.png and effective-vs-size.svg: edit, then run 'gnuplot effective-vs-size.gp' in this folder.

# coll: message size (bytes), mean, min, max over 1 seed
$c0 << EOD
65536 8.4769 8.4769 8.4769
262144 33.611 33.611 33.611
EOD

do for [fmt in "png svg"] {
	reset
	if (fmt eq "png") {
		set terminal pngcairo size 1100,600 noenhanced font 'Sans,11'
	} else {
		set terminal svg size 1100,600 noenhanced font 'Sans,11' background rgb 'white'
	}
	set output 'effective-vs-size.' . fmt
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
	set logscale x 2
	set xrange [46811.4:367002]
	set xtics ('64K' 65536, '128K' 131072, '256K' 262144)
	set xlabel 'message size (bytes; 1K = 1024)'
	set title 'allreduce ring on railopt-demo, 16 ranks, lb=ar cc=telemetry rx=ddp: effective throughput vs message size'
	set ylabel 'effective throughput (busbw / NIC line rate, %)'
	set yrange [0:*]
	set offsets 0, 0, graph 0.08, 0
	set key outside right top vertical Left reverse
	plot $c0 using 1:2 with linespoints lw 2 pt 7 ps 0.8 lc 1 title 'coll', \
		100 with lines dt 2 lw 1.5 lc rgb 'black' title 'NIC line rate (100%)'
	unset output
}
