# fabsim report: ar: spine -> leaf link utilization (busiest tier; mean 41.1%, max 56.4%).
# Draws heatmap-ar.png and heatmap-ar.svg: edit, then run 'gnuplot heatmap-ar.gp' in this folder.

# rows: source switch, columns: destination switch, NaN: no link
$heat << EOD
0.4261 0.3895 0.3914 0.4170 0.4430 0.3842 0.4481 0.3842
0.3026 0.4626 0.3262 0.4558 0.4471 0.4132 0.4912 0.3469
0.5156 0.3334 0.4567 0.4131 0.4494 0.3531 0.4560 0.4185
0.4777 0.4119 0.3914 0.4277 0.4193 0.3552 0.3914 0.4038
0.4277 0.3100 0.3407 0.4349 0.4765 0.4626 0.5074 0.3746
0.5509 0.3334 0.3334 0.3739 0.4407 0.4185 0.4570 0.4494
0.3980 0.3327 0.3770 0.3697 0.3739 0.3679 0.5058 0.5562
0.4614 0.3756 0.4264 0.4204 0.3682 0.2609 0.4857 0.4537
0.3678 0.3461 0.3914 0.3697 0.4059 0.3759 0.5639 0.3611
0.4909 0.3479 0.3978 0.3980 0.4857 0.3407 0.4234 0.4120
0.5575 0.3262 0.3552 0.3552 0.4492 0.3084 0.5273 0.3697
0.3914 0.3832 0.4231 0.3987 0.4929 0.2754 0.4784 0.4494
0.3755 0.4492 0.4755 0.4422 0.4675 0.2972 0.4277 0.4059
0.4567 0.4059 0.3117 0.4567 0.4422 0.3474 0.5137 0.3769
0.4629 0.4204 0.3351 0.4535 0.4061 0.3914 0.4546 0.3977
0.3842 0.4857 0.3753 0.3978 0.4848 0.2871 0.3898 0.4194
EOD

do for [fmt in "png svg"] {
	reset
	if (fmt eq "png") {
		set terminal pngcairo size 720,520 noenhanced font 'Sans,11'
	} else {
		set terminal svg size 720,520 noenhanced font 'Sans,11' background rgb 'white'
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
	set linetype 9 lc rgb '#7f7f7f'
	set linetype 10 lc rgb '#bcbd22'
	set linetype cycle 10
	unset grid
	set title 'ar: spine -> leaf link utilization (busiest tier; mean 41.1%, max 56.4%)' . "\n" . 'permutation on small-800g, 128 hosts, lb=ar cc=none rx=ddp'
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
