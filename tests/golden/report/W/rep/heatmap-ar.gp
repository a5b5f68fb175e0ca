# fabsim report: ar: leaf -> spine link utilization (busiest tier; mean 41.1%, max 48.4%).
# Draws heatmap-ar.png and heatmap-ar.svg: edit, then run 'gnuplot heatmap-ar.gp' in this folder.

# rows: source switch, columns: destination switch, NaN: no link
$heat << EOD
0.4427 0.4422 0.4354 0.4567 0.4542 0.4567 0.4273 0.4277 0.4126 0.4422 0.4490 0.4193 0.4560 0.4567 0.4492 0.4338
0.3826 0.3536 0.3895 0.3895 0.3898 0.4059 0.3535 0.3901 0.3823 0.3901 0.3606 0.3745 0.3900 0.3914 0.3697 0.3898
0.3895 0.3886 0.3624 0.3829 0.3479 0.3987 0.4048 0.3682 0.4182 0.3914 0.3966 0.3769 0.3969 0.3624 0.3842 0.3391
0.3987 0.4182 0.4494 0.3903 0.4409 0.4190 0.4259 0.4349 0.3830 0.4051 0.3975 0.3987 0.4262 0.3842 0.4049 0.4027
0.4557 0.4277 0.4665 0.4202 0.4419 0.4567 0.4261 0.4567 0.4416 0.4342 0.4349 0.4349 0.4277 0.4406 0.4473 0.4422
0.3672 0.3552 0.3668 0.3624 0.3388 0.3091 0.3536 0.2918 0.3117 0.3382 0.3624 0.3987 0.3387 0.3842 0.3911 0.3552
0.4639 0.4703 0.4838 0.4703 0.4705 0.4689 0.4705 0.4712 0.4712 0.4618 0.4631 0.4702 0.4766 0.4712 0.4712 0.4703
0.3824 0.3899 0.4406 0.4059 0.4494 0.4415 0.4191 0.4116 0.3608 0.4330 0.3842 0.4190 0.4277 0.4204 0.4034 0.3906
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
	set title 'ar: leaf -> spine link utilization (busiest tier; mean 41.1%, max 48.4%)' . "\n" . 'permutation on small-800g, 128 hosts, lb=ar cc=none rx=ddp'
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
