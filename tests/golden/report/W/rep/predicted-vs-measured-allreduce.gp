# fabsim report: allreduce: predicted vs measured bus bandwidth.
# Draws predicted-vs-measured-allreduce.png and predicted-vs-measured-allreduce.svg: edit, then run 'gnuplot predicted-vs-measured-allreduce.gp' in this folder.

# pred allreduce ring, 4 ranks: size (bytes), measured and predicted busbw (GB/s)
$p3000 << EOD
65536 0.109227 0.173707
262144 0.16384 0.247418
1048576 0.191813 0.27678
EOD

do for [fmt in "png svg"] {
	reset
	if (fmt eq "png") {
		set terminal pngcairo size 960,600 noenhanced font 'Sans,11'
	} else {
		set terminal svg size 960,600 noenhanced font 'Sans,11' background rgb 'white'
	}
	set output 'predicted-vs-measured-allreduce.' . fmt
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
	set xrange [46811.4:1.46801e+06]
	set xtics ('64K' 65536, '128K' 131072, '256K' 262144, '512K' 524288, '1M' 1048576)
	set xlabel 'message size (bytes; 1K = 1024)'
	set title 'allreduce: predicted vs measured bus bandwidth'
	set ylabel 'bus bandwidth (GB/s)'
	set yrange [0:*]
	set offsets 0, 0, graph 0.08, 0
	set key outside right top vertical Left reverse
	plot $p3000 using 1:2 with linespoints lw 2 pt 7 lc 1 title 'pred: ring, 4 ranks'. ', measured', \
		$p3000 using 1:3 with lines lw 2 dt 4 lc 1 title 'pred: ring, 4 ranks'. ', predicted', \
		0.3 with lines dt 2 lw 1.5 lc rgb 'black' title 'NIC line rate (2.4 Gb/s = 0.3 GB/s)'
	unset output
}
