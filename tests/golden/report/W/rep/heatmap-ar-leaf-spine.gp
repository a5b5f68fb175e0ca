# fabsim report: ar: leaf-spine link utilization, up and down.
# Draws heatmap-ar-leaf-spine.png and heatmap-ar-leaf-spine.svg: edit, then run 'gnuplot heatmap-ar-leaf-spine.gp' in this folder.

# up: column (upper node), row (lower node), utilization
$live0 << EOD
0 0 0.4430
1 0 0.4422
2 0 0.4356
3 0 0.4567
4 0 0.4548
5 0 0.4570
6 0 0.4278
7 0 0.4277
8 0 0.4129
9 0 0.4422
10 0 0.4492
11 0 0.4194
12 0 0.4565
13 0 0.4567
14 0 0.4500
15 0 0.4341
0 1 0.3826
1 1 0.3536
2 1 0.3895
3 1 0.3895
4 1 0.3898
5 1 0.4059
6 1 0.3535
7 1 0.3901
8 1 0.3823
9 1 0.3901
10 1 0.3606
11 1 0.3745
12 1 0.3900
13 1 0.3914
14 1 0.3697
15 1 0.3898
0 2 0.3895
1 2 0.3886
2 2 0.3624
3 2 0.3829
4 2 0.3479
5 2 0.3987
6 2 0.4048
7 2 0.3682
8 2 0.4182
9 2 0.3914
10 2 0.3966
11 2 0.3769
12 2 0.3969
13 2 0.3624
14 2 0.3842
15 2 0.3391
0 3 0.3987
1 3 0.4182
2 3 0.4494
3 3 0.3903
4 3 0.4409
5 3 0.4190
6 3 0.4259
7 3 0.4349
8 3 0.3830
9 3 0.4051
10 3 0.3975
11 3 0.3987
12 3 0.4262
13 3 0.3842
14 3 0.4049
15 3 0.4028
0 4 0.4557
1 4 0.4277
2 4 0.4669
3 4 0.4202
4 4 0.4419
5 4 0.4567
6 4 0.4261
7 4 0.4567
8 4 0.4418
9 4 0.4342
10 4 0.4349
11 4 0.4349
12 4 0.4277
13 4 0.4406
14 4 0.4473
15 4 0.4422
0 5 0.3672
1 5 0.3552
2 5 0.3668
3 5 0.3624
4 5 0.3388
5 5 0.3091
6 5 0.3536
7 5 0.2918
8 5 0.3117
9 5 0.3382
10 5 0.3624
11 5 0.3987
12 5 0.3387
13 5 0.3842
14 5 0.3911
15 5 0.3552
0 6 0.4639
1 6 0.4705
2 6 0.4845
3 6 0.4705
4 6 0.4708
5 6 0.4693
6 6 0.4705
7 6 0.4712
8 6 0.4712
9 6 0.4621
10 6 0.4632
11 6 0.4705
12 6 0.4770
13 6 0.4712
14 6 0.4712
15 6 0.4703
0 7 0.3829
1 7 0.3899
2 7 0.4406
3 7 0.4059
4 7 0.4494
5 7 0.4416
6 7 0.4191
7 7 0.4119
8 7 0.3608
9 7 0.4331
10 7 0.3842
11 7 0.4190
12 7 0.4277
13 7 0.4204
14 7 0.4035
15 7 0.3906
EOD

# down: column (upper node), row (lower node), utilization
$live1 << EOD
0 0 0.4261
1 0 0.3026
2 0 0.5156
3 0 0.4777
4 0 0.4277
5 0 0.5509
6 0 0.3980
7 0 0.4614
8 0 0.3678
9 0 0.4909
10 0 0.5575
11 0 0.3914
12 0 0.3755
13 0 0.4567
14 0 0.4629
15 0 0.3842
0 1 0.3895
1 1 0.4626
2 1 0.3334
3 1 0.4119
4 1 0.3100
5 1 0.3334
6 1 0.3327
7 1 0.3756
8 1 0.3461
9 1 0.3479
10 1 0.3262
11 1 0.3832
12 1 0.4492
13 1 0.4059
14 1 0.4204
15 1 0.4857
0 2 0.3914
1 2 0.3262
2 2 0.4567
3 2 0.3914
4 2 0.3407
5 2 0.3334
6 2 0.3770
7 2 0.4264
8 2 0.3914
9 2 0.3978
10 2 0.3552
11 2 0.4231
12 2 0.4755
13 2 0.3117
14 2 0.3351
15 2 0.3753
0 3 0.4170
1 3 0.4558
2 3 0.4131
3 3 0.4277
4 3 0.4349
5 3 0.3739
6 3 0.3697
7 3 0.4204
8 3 0.3697
9 3 0.3980
10 3 0.3552
11 3 0.3987
12 3 0.4422
13 3 0.4567
14 3 0.4535
15 3 0.3978
0 4 0.4430
1 4 0.4471
2 4 0.4494
3 4 0.4193
4 4 0.4765
5 4 0.4407
6 4 0.3739
7 4 0.3682
8 4 0.4059
9 4 0.4857
10 4 0.4492
11 4 0.4929
12 4 0.4675
13 4 0.4422
14 4 0.4061
15 4 0.4848
0 5 0.3842
1 5 0.4132
2 5 0.3531
3 5 0.3552
4 5 0.4626
5 5 0.4185
6 5 0.3679
7 5 0.2609
8 5 0.3759
9 5 0.3407
10 5 0.3084
11 5 0.2754
12 5 0.2972
13 5 0.3474
14 5 0.3914
15 5 0.2871
0 6 0.4481
1 6 0.4912
2 6 0.4560
3 6 0.3914
4 6 0.5074
5 6 0.4570
6 6 0.5058
7 6 0.4857
8 6 0.5639
9 6 0.4234
10 6 0.5273
11 6 0.4784
12 6 0.4277
13 6 0.5137
14 6 0.4546
15 6 0.3898
0 7 0.3842
1 7 0.3469
2 7 0.4185
3 7 0.4038
4 7 0.3746
5 7 0.4494
6 7 0.5562
7 7 0.4537
8 7 0.3611
9 7 0.4120
10 7 0.3697
11 7 0.4494
12 7 0.4059
13 7 0.3769
14 7 0.3977
15 7 0.4194
EOD

do for [fmt in "png svg"] {
	reset
	if (fmt eq "png") {
		set terminal pngcairo size 1572,560 noenhanced font 'Sans,11'
	} else {
		set terminal svg size 1572,560 noenhanced font 'Sans,11' background rgb 'white'
	}
	set output 'heatmap-ar-leaf-spine.' . fmt
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
	set multiplot layout 1,2 title 'ar: leaf-spine link utilization, up and down' . "\n" . 'permutation on small-800g, 128 hosts, lb=ar cc=none rx=ddp'
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
	set title 'up: leaf -> spine, mean 41.1%, max 48.4%'
	unset colorbox
	plot $live0 using 1:2:(0.5):(0.5):3 with boxxyerror fs solid 1.0 noborder lc palette notitle
	set title 'down: spine -> leaf, mean 41.1%, max 56.4%'
	set colorbox
	plot $live1 using 1:2:(0.5):(0.5):3 with boxxyerror fs solid 1.0 noborder lc palette notitle
	unset multiplot
	unset output
}
