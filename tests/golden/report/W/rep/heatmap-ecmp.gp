# fabsim report: ecmp: spine -> leaf link utilization (busiest tier; mean 12.9%, max 88.2%).
# Draws heatmap-ecmp.png and heatmap-ecmp.svg: edit, then run 'gnuplot heatmap-ecmp.gp' in this folder.

# rows: source switch, columns: destination switch, NaN: no link
$heat << EOD
0.1476 0.1485 0.2936 0.0015 0.2944 0.0000 0.4412 0.1468
0.0008 0.2944 0.0000 0.1476 0.1487 0.1468 0.0016 0.1476
0.1498 0.2936 0.0000 0.0027 0.1468 0.0015 0.2944 0.0008
0.0009 0.1476 0.0000 0.0000 0.1476 0.2936 0.0000 0.0015
0.0000 0.1486 0.1468 0.0000 0.2944 0.0008 0.1468 0.1492
0.1468 0.0000 0.1468 0.0015 0.0008 0.1484 0.0008 0.1468
0.0008 0.1476 0.1484 0.1468 0.1483 0.1476 0.4412 0.0015
0.8817 0.4412 0.2944 0.1468 0.0008 0.1468 0.0000 0.1476
0.1476 0.0018 0.1468 0.0000 0.1468 0.1476 0.1484 0.1476
0.0015 0.0000 0.0008 0.1476 0.1468 0.2936 0.0023 0.1476
0.2945 0.0000 0.0000 0.4404 0.1477 0.1483 0.2953 0.0000
0.0000 0.0008 0.0026 0.2936 0.1468 0.1468 0.1468 0.1468
0.1476 0.0015 0.1483 0.2936 0.1493 0.0000 0.0000 0.4404
0.1468 0.0000 0.4404 0.1468 0.0000 0.0008 0.1476 0.1468
0.1476 0.2936 0.1483 0.2968 0.1477 0.0000 0.1476 0.2944
0.0000 0.0000 0.0017 0.0009 0.1476 0.1483 0.1478 0.0008
EOD

do for [fmt in "png svg"] {
	reset
	if (fmt eq "png") {
		set terminal pngcairo size 720,520 noenhanced font 'Sans,11'
	} else {
		set terminal svg size 720,520 noenhanced font 'Sans,11' background rgb 'white'
	}
	set output 'heatmap-ecmp.' . fmt
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
	set title 'ecmp: spine -> leaf link utilization (busiest tier; mean 12.9%, max 88.2%)' . "\n" . 'permutation on small-800g, 128 hosts, lb=ecmp cc=none rx=ddp'
	set xlabel 'destination leaf'
	set ylabel 'source spine'
	set xrange [-0.5:7.5]
	set yrange [15.5:-0.5]
	set xtics out ('leaf0' 0, 'leaf1' 1, 'leaf2' 2, 'leaf3' 3, 'leaf4' 4, 'leaf5' 5, 'leaf6' 6, 'leaf7' 7)
	set ytics out ('spine0' 0, 'spine1' 1, 'spine2' 2, 'spine3' 3, 'spine4' 4, 'spine5' 5, 'spine6' 6, 'spine7' 7, 'spine8' 8, 'spine9' 9, 'spine10' 10, 'spine11' 11, 'spine12' 12, 'spine13' 13, 'spine14' 14, 'spine15' 15)
	set cbrange [0:1]
	set cblabel 'utilization (fraction of line rate)'
	set palette defined (0 '#440154', 0.25 '#3b528b', 0.5 '#21918c', 0.75 '#5ec962', 1 '#fde725')
	plot $heat matrix with image notitle
	unset output
}
