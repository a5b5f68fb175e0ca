# fabsim report: coll: leaf -> spine link utilization (busiest tier; mean 0.0%, max 0.0%), largest size.
# Draws heatmap-coll.png and heatmap-coll.svg: edit, then run 'gnuplot heatmap-coll.gp' in this folder.

# rows: source switch, columns: destination switch, NaN: no link
$heat << EOD
0.0000 0.0000 0.0000 0.0000
0.0000 0.0000 0.0000 0.0000
0.0000 0.0000 0.0000 0.0000
0.0000 0.0000 0.0000 0.0000
0.0000 0.0000 0.0000 0.0000
0.0000 0.0000 0.0000 0.0000
0.0000 0.0000 0.0000 0.0000
0.0000 0.0000 0.0000 0.0000
0.0000 0.0000 0.0000 0.0000
0.0000 0.0000 0.0000 0.0000
0.0000 0.0000 0.0000 0.0000
0.0000 0.0000 0.0000 0.0000
0.0000 0.0000 0.0000 0.0000
0.0000 0.0000 0.0000 0.0000
0.0000 0.0000 0.0000 0.0000
0.0000 0.0000 0.0000 0.0000
0.0000 0.0000 0.0000 0.0000
0.0000 0.0000 0.0000 0.0000
0.0000 0.0000 0.0000 0.0000
0.0000 0.0000 0.0000 0.0000
0.0000 0.0000 0.0000 0.0000
0.0000 0.0000 0.0000 0.0000
0.0000 0.0000 0.0000 0.0000
0.0000 0.0000 0.0000 0.0000
0.0000 0.0000 0.0000 0.0000
0.0000 0.0000 0.0000 0.0000
0.0000 0.0000 0.0000 0.0000
0.0000 0.0000 0.0000 0.0000
0.0000 0.0000 0.0000 0.0000
0.0000 0.0000 0.0000 0.0000
0.0000 0.0000 0.0000 0.0000
0.0000 0.0000 0.0000 0.0000
EOD

do for [fmt in "png svg"] {
	reset
	if (fmt eq "png") {
		set terminal pngcairo size 720,732 noenhanced font 'Sans,11'
	} else {
		set terminal svg size 720,732 noenhanced font 'Sans,11' background rgb 'white'
	}
	set output 'heatmap-coll.' . fmt
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
	unset grid
	set title 'coll: leaf -> spine link utilization (busiest tier; mean 0.0%, max 0.0%), largest size' . "\n" . 'allreduce ring on railopt-demo, 16 ranks, lb=ar cc=telemetry rx=ddp'
	set xlabel 'destination spine'
	set ylabel 'source leaf'
	set xrange [-0.5:3.5]
	set yrange [31.5:-0.5]
	set xtics out ('spine0' 0, 'spine1' 1, 'spine2' 2, 'spine3' 3)
	set ytics out ('rail0-leaf0' 0, 'rail0-leaf1' 1, 'rail0-leaf2' 2, 'rail0-leaf3' 3, 'rail1-leaf0' 4, 'rail1-leaf1' 5, 'rail1-leaf2' 6, 'rail1-leaf3' 7, 'rail2-leaf0' 8, 'rail2-leaf1' 9, 'rail2-leaf2' 10, 'rail2-leaf3' 11, 'rail3-leaf0' 12, 'rail3-leaf1' 13, 'rail3-leaf2' 14, 'rail3-leaf3' 15, 'rail4-leaf0' 16, 'rail4-leaf1' 17, 'rail4-leaf2' 18, 'rail4-leaf3' 19, 'rail5-leaf0' 20, 'rail5-leaf1' 21, 'rail5-leaf2' 22, 'rail5-leaf3' 23, 'rail6-leaf0' 24, 'rail6-leaf1' 25, 'rail6-leaf2' 26, 'rail6-leaf3' 27, 'rail7-leaf0' 28, 'rail7-leaf1' 29, 'rail7-leaf2' 30, 'rail7-leaf3' 31)
	set cbrange [0:1]
	set cblabel 'utilization (fraction of line rate)'
	set palette defined (0 '#440154', 0.25 '#3b528b', 0.5 '#21918c', 0.75 '#5ec962', 1 '#fde725')
	plot $heat matrix with image notitle
	unset output
}
