# fabsim report: ecmp: leaf-spine link utilization, up and down.
# Draws heatmap-ecmp-leaf-spine.png and heatmap-ecmp-leaf-spine.svg: edit, then run 'gnuplot heatmap-ecmp-leaf-spine.gp' in this folder.

# up: column (upper node), row (lower node), utilization
$live0 << EOD
0 0 0.1476
1 0 0.2936
2 0 0.2945
3 0 0.0000
4 0 0.1483
5 0 0.1476
6 0 0.1484
7 0 0.0000
8 0 0.1478
9 0 0.0000
10 0 0.4413
11 0 0.0008
12 0 0.0015
13 0 0.0000
14 0 0.2954
15 0 0.1477
0 1 0.2944
1 1 0.1478
2 1 0.0008
3 1 0.0008
4 1 0.0008
5 1 0.2936
6 1 0.0008
7 1 0.2944
8 1 0.1476
9 1 0.1476
10 1 0.0008
11 1 0.1478
12 1 0.1476
13 1 0.1468
14 1 0.1468
15 1 0.0010
0 2 0.1485
1 2 0.0015
2 2 0.0000
3 2 0.0008
4 2 0.0000
5 2 0.0000
6 2 0.0008
7 2 0.2944
8 2 0.2951
9 2 0.1468
10 2 0.2953
11 2 0.0000
12 2 0.0010
13 2 0.2936
14 2 0.2936
15 2 0.1476
0 3 0.1468
1 3 0.1484
2 3 0.1468
3 3 0.1476
4 3 0.0008
5 3 0.1476
6 3 0.1476
7 3 0.4404
8 3 0.0008
9 3 0.0008
10 3 0.0008
11 3 0.1468
12 3 0.2944
13 3 0.1468
14 3 0.0008
15 3 0.1491
0 4 0.1476
1 4 0.1468
2 4 0.1499
3 4 0.1476
4 4 0.1476
5 4 0.0000
6 4 0.2951
7 4 0.4404
8 4 0.0008
9 4 0.0008
10 4 0.1468
11 4 0.0000
12 4 0.1468
13 4 0.2951
14 4 0.1483
15 4 0.0000
0 5 0.0008
1 5 0.0000
2 5 0.0008
3 5 0.1468
4 5 0.2944
5 5 0.0008
6 5 0.1476
7 5 0.1484
8 5 0.1468
9 5 0.2944
10 5 0.0000
11 5 0.2936
12 5 0.0008
13 5 0.0000
14 5 0.2959
15 5 0.0000
0 6 0.1468
1 6 0.0010
2 6 0.1494
3 6 0.1477
4 6 0.1478
5 6 0.0016
6 6 0.2944
7 6 0.2936
8 6 0.1468
9 6 0.0016
10 6 0.2945
11 6 0.2944
12 6 0.2951
13 6 0.1468
14 6 0.0000
15 6 0.0009
0 7 0.4412
1 7 0.1483
2 7 0.1476
3 7 0.0000
4 7 0.1468
5 7 0.0008
6 7 0.1476
7 7 0.1476
8 7 0.0008
9 7 0.1483
10 7 0.1468
11 7 0.0008
12 7 0.2936
13 7 0.0000
14 7 0.2951
15 7 0.0008
EOD

# down: column (upper node), row (lower node), utilization
$live1 << EOD
0 0 0.1476
1 0 0.0008
2 0 0.1498
3 0 0.0009
4 0 0.0000
5 0 0.1468
6 0 0.0008
7 0 0.8817
8 0 0.1476
9 0 0.0015
10 0 0.2945
11 0 0.0000
12 0 0.1476
13 0 0.1468
14 0 0.1476
15 0 0.0000
0 1 0.1485
1 1 0.2944
2 1 0.2936
3 1 0.1476
4 1 0.1486
5 1 0.0000
6 1 0.1476
7 1 0.4412
8 1 0.0018
9 1 0.0000
10 1 0.0000
11 1 0.0008
12 1 0.0015
13 1 0.0000
14 1 0.2936
15 1 0.0000
0 2 0.2936
1 2 0.0000
2 2 0.0000
3 2 0.0000
4 2 0.1468
5 2 0.1468
6 2 0.1484
7 2 0.2944
8 2 0.1468
9 2 0.0008
10 2 0.0000
11 2 0.0026
12 2 0.1483
13 2 0.4404
14 2 0.1483
15 2 0.0017
0 3 0.0015
1 3 0.1476
2 3 0.0027
3 3 0.0000
4 3 0.0000
5 3 0.0015
6 3 0.1468
7 3 0.1468
8 3 0.0000
9 3 0.1476
10 3 0.4404
11 3 0.2936
12 3 0.2936
13 3 0.1468
14 3 0.2968
15 3 0.0009
0 4 0.2944
1 4 0.1487
2 4 0.1468
3 4 0.1476
4 4 0.2944
5 4 0.0008
6 4 0.1483
7 4 0.0008
8 4 0.1468
9 4 0.1468
10 4 0.1477
11 4 0.1468
12 4 0.1493
13 4 0.0000
14 4 0.1477
15 4 0.1476
0 5 0.0000
1 5 0.1468
2 5 0.0015
3 5 0.2936
4 5 0.0008
5 5 0.1484
6 5 0.1476
7 5 0.1468
8 5 0.1476
9 5 0.2936
10 5 0.1483
11 5 0.1468
12 5 0.0000
13 5 0.0008
14 5 0.0000
15 5 0.1483
0 6 0.4412
1 6 0.0016
2 6 0.2944
3 6 0.0000
4 6 0.1468
5 6 0.0008
6 6 0.4412
7 6 0.0000
8 6 0.1484
9 6 0.0023
10 6 0.2953
11 6 0.1468
12 6 0.0000
13 6 0.1476
14 6 0.1476
15 6 0.1478
0 7 0.1468
1 7 0.1476
2 7 0.0008
3 7 0.0015
4 7 0.1492
5 7 0.1468
6 7 0.0015
7 7 0.1476
8 7 0.1476
9 7 0.1476
10 7 0.0000
11 7 0.1468
12 7 0.4404
13 7 0.1468
14 7 0.2944
15 7 0.0008
EOD

do for [fmt in "png svg"] {
	reset
	if (fmt eq "png") {
		set terminal pngcairo size 1572,560 noenhanced font 'Sans,11'
	} else {
		set terminal svg size 1572,560 noenhanced font 'Sans,11' background rgb 'white'
	}
	set output 'heatmap-ecmp-leaf-spine.' . fmt
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
	set multiplot layout 1,2 title 'ecmp: leaf-spine link utilization, up and down' . "\n" . 'permutation on small-800g, 128 hosts, lb=ecmp cc=none rx=ddp'
	set xlabel 'spine'
	set ylabel 'leaf'
	set xrange [-0.5:15.5]
	set yrange [7.5:-0.5]
	set xtics out ('spine0' 0, 'spine1' 1, 'spine2' 2, 'spine3' 3, 'spine4' 4, 'spine5' 5, 'spine6' 6, 'spine7' 7, 'spine8' 8, 'spine9' 9, 'spine10' 10, 'spine11' 11, 'spine12' 12, 'spine13' 13, 'spine14' 14, 'spine15' 15)
	set ytics out ('leaf0' 0, 'leaf1' 1, 'leaf2' 2, 'leaf3' 3, 'leaf4' 4, 'leaf5' 5, 'leaf6' 6, 'leaf7' 7)
	set xtics rotate by 60 right
	set cbrange [0:1]
	set cblabel 'utilization (fraction of line rate)'
	set palette defined (0 '#440154', 0.25 '#3b528b', 0.5 '#21918c', 0.75 '#5ec962', 1 '#fde725')
	set title 'up: leaf -> spine, mean 12.9%, max 44.1%'
	unset colorbox
	plot $live0 using 1:2:(0.5):(0.5):3 with boxxyerror fs solid 1.0 noborder lc palette notitle
	set title 'down: spine -> leaf, mean 12.9%, max 88.2%'
	set colorbox
	plot $live1 using 1:2:(0.5):(0.5):3 with boxxyerror fs solid 1.0 noborder lc palette notitle
	unset multiplot
	unset output
}
