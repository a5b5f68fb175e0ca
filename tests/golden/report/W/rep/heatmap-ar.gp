# fabsim report: ar: leaf -> spine link utilization (busiest tier; mean 43.6%, max 50.7%).
# Draws heatmap-ar.png and heatmap-ar.svg: edit, then run 'gnuplot heatmap-ar.gp' in this folder.

# rows: source switch, columns: destination switch, NaN: no link
$heat << EOD
0.4905 0.4388 0.4750 0.4773 0.4499 0.4753 0.4739 0.4388 0.4681 0.4850 0.4755 0.4830 0.4417 0.4850 0.4584 0.4594
0.3906 0.3828 0.3911 0.3905 0.4296 0.4234 0.4455 0.3834 0.3828 0.4363 0.3598 0.4222 0.3909 0.4388 0.4080 0.4065
0.4276 0.4193 0.4234 0.3903 0.3695 0.4465 0.3752 0.4136 0.3736 0.3541 0.4039 0.3695 0.4062 0.3926 0.4542 0.4590
0.4388 0.4433 0.4234 0.4222 0.4294 0.4378 0.4293 0.4234 0.4296 0.4533 0.4833 0.4311 0.4453 0.4388 0.4224 0.4336
0.4679 0.4619 0.4708 0.4759 0.4528 0.4850 0.4661 0.4773 0.4371 0.4681 0.4696 0.4773 0.4696 0.4818 0.4651 0.4542
0.4137 0.4003 0.3606 0.3387 0.3906 0.3677 0.3975 0.3803 0.3849 0.3523 0.3387 0.3079 0.3975 0.4003 0.4014 0.3464
0.5004 0.4990 0.5042 0.4910 0.5069 0.4893 0.4915 0.5004 0.5004 0.5059 0.4990 0.5063 0.4977 0.4927 0.5004 0.4986
0.4140 0.4515 0.4144 0.4388 0.4388 0.4604 0.4291 0.4370 0.4298 0.4196 0.4388 0.4530 0.4311 0.4542 0.4430 0.4294
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
	set linetype 9 lc rgb '#7f7f7f'
	set linetype 10 lc rgb '#bcbd22'
	set linetype cycle 10
	unset grid
	set title 'ar: leaf -> spine link utilization (busiest tier; mean 43.6%, max 50.7%)' . "\n" . 'permutation on small-800g, 128 hosts, lb=ar cc=none rx=ddp'
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
