# fabsim report: permutation on small-800g, 128 hosts, lb=ecmp cc=none rx=ddp: flow throughput, three figures.
# Draws flow-throughput.png and flow-throughput.svg: edit, then run 'gnuplot flow-throughput.gp' in this folder.

# effective (harmonic, FCT): x, mean, min, max, label (% of line rate)
$bar0 << EOD
0 36.3296 36.3296 36.3296 "36.3"
EOD

# all-active (all flows running): x, mean, min, max, label (% of line rate)
$bar1 << EOD
1 60.2547 60.2547 60.2547 "60.3"
EOD

# mean per flow (arithmetic): x, mean, min, max, label (% of line rate)
$bar2 << EOD
2 42.5497 42.5497 42.5497 "42.5"
EOD

do for [fmt in "png svg"] {
	reset
	if (fmt eq "png") {
		set terminal pngcairo size 960,600 noenhanced font 'Sans,11'
	} else {
		set terminal svg size 960,600 noenhanced font 'Sans,11' background rgb 'white'
	}
	set output 'flow-throughput.' . fmt
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
	set title 'permutation on small-800g, 128 hosts, lb=ecmp cc=none rx=ddp: flow throughput, three figures'
	set ylabel 'throughput (% of line rate)'
	set yrange [0:69.293]
	set xrange [-1:3]
	set grid noxtics ytics
	set boxwidth 0.85
	set style fill solid 0.85 border rgb 'black'
	set xtics scale 0 ('ecmp' 1)
	set key outside right top vertical Left reverse
	plot $bar0 using 1:2 with boxes lc 1 title 'effective (harmonic, FCT)', \
		$bar0 using 1:4:5 with labels offset 0,0.7 font ',10' notitle, \
		$bar1 using 1:2 with boxes lc 2 title 'all-active (all flows running)', \
		$bar1 using 1:4:5 with labels offset 0,0.7 font ',10' notitle, \
		$bar2 using 1:2 with boxes lc 3 title 'mean per flow (arithmetic)', \
		$bar2 using 1:4:5 with labels offset 0,0.7 font ',10' notitle
	unset output
}
