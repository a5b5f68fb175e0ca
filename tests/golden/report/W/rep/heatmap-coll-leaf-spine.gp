# fabsim report: coll: leaf-spine link utilization, up and down, largest size.
# Draws heatmap-coll-leaf-spine.png and heatmap-coll-leaf-spine.svg: edit, then run 'gnuplot heatmap-coll-leaf-spine.gp' in this folder.

# up: column (upper node), row (lower node), utilization
$live0 << EOD
0 0 0.0000
1 0 0.0000
2 0 0.0000
3 0 0.0000
0 1 0.0000
1 1 0.0000
2 1 0.0000
3 1 0.0000
0 2 0.0000
1 2 0.0000
2 2 0.0000
3 2 0.0000
0 3 0.0000
1 3 0.0000
2 3 0.0000
3 3 0.0000
0 4 0.0000
1 4 0.0000
2 4 0.0000
3 4 0.0000
0 5 0.0000
1 5 0.0000
2 5 0.0000
3 5 0.0000
0 6 0.0000
1 6 0.0000
2 6 0.0000
3 6 0.0000
0 7 0.0000
1 7 0.0000
2 7 0.0000
3 7 0.0000
0 8 0.0000
1 8 0.0000
2 8 0.0000
3 8 0.0000
0 9 0.0000
1 9 0.0000
2 9 0.0000
3 9 0.0000
0 10 0.0000
1 10 0.0000
2 10 0.0000
3 10 0.0000
0 11 0.0000
1 11 0.0000
2 11 0.0000
3 11 0.0000
0 12 0.0000
1 12 0.0000
2 12 0.0000
3 12 0.0000
0 13 0.0000
1 13 0.0000
2 13 0.0000
3 13 0.0000
0 14 0.0000
1 14 0.0000
2 14 0.0000
3 14 0.0000
0 15 0.0000
1 15 0.0000
2 15 0.0000
3 15 0.0000
0 16 0.0000
1 16 0.0000
2 16 0.0000
3 16 0.0000
0 17 0.0000
1 17 0.0000
2 17 0.0000
3 17 0.0000
0 18 0.0000
1 18 0.0000
2 18 0.0000
3 18 0.0000
0 19 0.0000
1 19 0.0000
2 19 0.0000
3 19 0.0000
0 20 0.0000
1 20 0.0000
2 20 0.0000
3 20 0.0000
0 21 0.0000
1 21 0.0000
2 21 0.0000
3 21 0.0000
0 22 0.0000
1 22 0.0000
2 22 0.0000
3 22 0.0000
0 23 0.0000
1 23 0.0000
2 23 0.0000
3 23 0.0000
0 24 0.0000
1 24 0.0000
2 24 0.0000
3 24 0.0000
0 25 0.0000
1 25 0.0000
2 25 0.0000
3 25 0.0000
0 26 0.0000
1 26 0.0000
2 26 0.0000
3 26 0.0000
0 27 0.0000
1 27 0.0000
2 27 0.0000
3 27 0.0000
0 28 0.0000
1 28 0.0000
2 28 0.0000
3 28 0.0000
0 29 0.0000
1 29 0.0000
2 29 0.0000
3 29 0.0000
0 30 0.0000
1 30 0.0000
2 30 0.0000
3 30 0.0000
0 31 0.0000
1 31 0.0000
2 31 0.0000
3 31 0.0000
EOD

# down: column (upper node), row (lower node), utilization
$live1 << EOD
0 0 0.0000
1 0 0.0000
2 0 0.0000
3 0 0.0000
0 1 0.0000
1 1 0.0000
2 1 0.0000
3 1 0.0000
0 2 0.0000
1 2 0.0000
2 2 0.0000
3 2 0.0000
0 3 0.0000
1 3 0.0000
2 3 0.0000
3 3 0.0000
0 4 0.0000
1 4 0.0000
2 4 0.0000
3 4 0.0000
0 5 0.0000
1 5 0.0000
2 5 0.0000
3 5 0.0000
0 6 0.0000
1 6 0.0000
2 6 0.0000
3 6 0.0000
0 7 0.0000
1 7 0.0000
2 7 0.0000
3 7 0.0000
0 8 0.0000
1 8 0.0000
2 8 0.0000
3 8 0.0000
0 9 0.0000
1 9 0.0000
2 9 0.0000
3 9 0.0000
0 10 0.0000
1 10 0.0000
2 10 0.0000
3 10 0.0000
0 11 0.0000
1 11 0.0000
2 11 0.0000
3 11 0.0000
0 12 0.0000
1 12 0.0000
2 12 0.0000
3 12 0.0000
0 13 0.0000
1 13 0.0000
2 13 0.0000
3 13 0.0000
0 14 0.0000
1 14 0.0000
2 14 0.0000
3 14 0.0000
0 15 0.0000
1 15 0.0000
2 15 0.0000
3 15 0.0000
0 16 0.0000
1 16 0.0000
2 16 0.0000
3 16 0.0000
0 17 0.0000
1 17 0.0000
2 17 0.0000
3 17 0.0000
0 18 0.0000
1 18 0.0000
2 18 0.0000
3 18 0.0000
0 19 0.0000
1 19 0.0000
2 19 0.0000
3 19 0.0000
0 20 0.0000
1 20 0.0000
2 20 0.0000
3 20 0.0000
0 21 0.0000
1 21 0.0000
2 21 0.0000
3 21 0.0000
0 22 0.0000
1 22 0.0000
2 22 0.0000
3 22 0.0000
0 23 0.0000
1 23 0.0000
2 23 0.0000
3 23 0.0000
0 24 0.0000
1 24 0.0000
2 24 0.0000
3 24 0.0000
0 25 0.0000
1 25 0.0000
2 25 0.0000
3 25 0.0000
0 26 0.0000
1 26 0.0000
2 26 0.0000
3 26 0.0000
0 27 0.0000
1 27 0.0000
2 27 0.0000
3 27 0.0000
0 28 0.0000
1 28 0.0000
2 28 0.0000
3 28 0.0000
0 29 0.0000
1 29 0.0000
2 29 0.0000
3 29 0.0000
0 30 0.0000
1 30 0.0000
2 30 0.0000
3 30 0.0000
0 31 0.0000
1 31 0.0000
2 31 0.0000
3 31 0.0000
EOD

do for [fmt in "png svg"] {
	reset
	if (fmt eq "png") {
		set terminal pngcairo size 1140,836 noenhanced font 'Sans,11'
	} else {
		set terminal svg size 1140,836 noenhanced font 'Sans,11' background rgb 'white'
	}
	set output 'heatmap-coll-leaf-spine.' . fmt
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
	set multiplot layout 1,2 title 'coll: leaf-spine link utilization, up and down, largest size' . "\n" . 'allreduce ring on railopt-demo, 16 ranks, lb=ar cc=telemetry rx=ddp'
	set xlabel 'spine'
	set ylabel 'leaf'
	set xrange [-0.5:3.5]
	set yrange [31.5:-0.5]
	set xtics out ('spine0' 0, 'spine1' 1, 'spine2' 2, 'spine3' 3)
	set ytics out ('rail0-leaf0' 0, 'rail0-leaf1' 1, 'rail0-leaf2' 2, 'rail0-leaf3' 3, 'rail1-leaf0' 4, 'rail1-leaf1' 5, 'rail1-leaf2' 6, 'rail1-leaf3' 7, 'rail2-leaf0' 8, 'rail2-leaf1' 9, 'rail2-leaf2' 10, 'rail2-leaf3' 11, 'rail3-leaf0' 12, 'rail3-leaf1' 13, 'rail3-leaf2' 14, 'rail3-leaf3' 15, 'rail4-leaf0' 16, 'rail4-leaf1' 17, 'rail4-leaf2' 18, 'rail4-leaf3' 19, 'rail5-leaf0' 20, 'rail5-leaf1' 21, 'rail5-leaf2' 22, 'rail5-leaf3' 23, 'rail6-leaf0' 24, 'rail6-leaf1' 25, 'rail6-leaf2' 26, 'rail6-leaf3' 27, 'rail7-leaf0' 28, 'rail7-leaf1' 29, 'rail7-leaf2' 30, 'rail7-leaf3' 31)
	set cbrange [0:1]
	set cblabel 'utilization (fraction of line rate)'
	set palette defined (0 '#440154', 0.25 '#3b528b', 0.5 '#21918c', 0.75 '#5ec962', 1 '#fde725')
	set title 'up: leaf -> spine, mean 0.0%, max 0.0%'
	unset colorbox
	plot $live0 using 1:2:(0.5):(0.5):3 with boxxyerror fs solid 1.0 noborder lc palette notitle
	set title 'down: spine -> leaf, mean 0.0%, max 0.0%'
	set colorbox
	plot $live1 using 1:2:(0.5):(0.5):3 with boxxyerror fs solid 1.0 noborder lc palette notitle
	unset multiplot
	unset output
}
