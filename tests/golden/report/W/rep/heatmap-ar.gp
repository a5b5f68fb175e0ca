# fabsim report: ar: leaf -> spine link utilization (busiest tier; mean 43.3%, max 50.9%).
# Draws heatmap-ar.png and heatmap-ar.svg: edit, then run 'gnuplot heatmap-ar.gp' in this folder.

# rows: source switch, columns: destination switch, NaN: no link
$heat << EOD
0.4879 0.4409 0.4726 0.4738 0.4476 0.4795 0.4738 0.4432 0.4778 0.4640 0.4796 0.4738 0.4203 0.4622 0.4617 0.4650
0.3632 0.3939 0.4185 0.3668 0.4186 0.4246 0.4203 0.3897 0.3800 0.4264 0.3668 0.4173 0.3821 0.4432 0.4050 0.4203
0.4127 0.4203 0.4034 0.3801 0.3668 0.4509 0.3897 0.3951 0.3723 0.3702 0.4084 0.3641 0.4090 0.3974 0.4336 0.4567
0.4356 0.4280 0.4425 0.4269 0.4167 0.4432 0.4344 0.4179 0.4112 0.4494 0.4891 0.4280 0.4336 0.4127 0.4263 0.4386
0.4770 0.4662 0.4494 0.4726 0.4640 0.4814 0.4509 0.4801 0.4203 0.4642 0.4648 0.4778 0.4662 0.4728 0.4608 0.4585
0.4280 0.4074 0.3592 0.3793 0.3821 0.3726 0.4097 0.3592 0.3974 0.3391 0.3570 0.2980 0.3491 0.3745 0.3592 0.3647
0.4891 0.4967 0.4891 0.4952 0.5086 0.4864 0.4967 0.5009 0.4955 0.5082 0.4891 0.5027 0.4891 0.4891 0.5032 0.4881
0.4127 0.4471 0.3948 0.4416 0.4585 0.4640 0.4034 0.4280 0.4483 0.4028 0.4263 0.4491 0.4432 0.4432 0.4419 0.4280
EOD

do for [fmt in "png svg"] {
	reset
	if (fmt eq "png") {
		set terminal pngcairo size 840,520 noenhanced font 'Sans,11'
	} else {
		set terminal svg size 840,520 noenhanced font 'Sans,11' background rgb 'white'
	}
	set output 'heatmap-ar.' . fmt
	set grid
	set linetype 1 lc rgb '#1f77b4'
	set linetype 2 lc rgb '#ff7f0e'
	set linetype 3 lc rgb '#2ca02c'
	set linetype 4 lc rgb '#d62728'
	set linetype 5 lc rgb '#9467bd'
	set linetype 6 lc rgb '#8c564b'
	set linetype 7 lc rgb '#e377c2'
	set linetype 8 lc rgb '#17becf'
	set linetype cycle 8
	unset grid
	set title 'ar: leaf -> spine link utilization (busiest tier; mean 43.3%, max 50.9%)'
	set xlabel 'destination spine'
	set ylabel 'source leaf'
	set xrange [-0.5:15.5]
	set yrange [7.5:-0.5]
	set xtics out ('spine0' 0, 'spine1' 1, 'spine2' 2, 'spine3' 3, 'spine4' 4, 'spine5' 5, 'spine6' 6, 'spine7' 7, 'spine8' 8, 'spine9' 9, 'spine10' 10, 'spine11' 11, 'spine12' 12, 'spine13' 13, 'spine14' 14, 'spine15' 15)
	set ytics out ('leaf0' 0, 'leaf1' 1, 'leaf2' 2, 'leaf3' 3, 'leaf4' 4, 'leaf5' 5, 'leaf6' 6, 'leaf7' 7)
	set xtics rotate by 60 right
	set cbrange [0:1]
	set cblabel 'utilization (fraction of line rate)'
	set palette defined (0 '#440154', 0.25 '#3b528b', 0.5 '#21918c', 0.75 '#5ec962', 1 '#fde725')
	plot $heat matrix with image notitle
	unset output
}
