#!/bin/sh
# tests/vm/init.sh - stage 1 of the fabsim RDMA test VM; becomes /init of the
# initramfs that tests/vm/build.sh packs. Runs under busybox sh as PID 1.
#
# It loads the kernel modules build.sh listed (in dependency order), mounts
# the host's / (read-only 9p, tag "rootfs") at /newroot, lays tmpfs/proc/sys/
# dev over it, mounts the writable shares (tag "share" at the host's path of
# the shared folder, tag "fabvm" = per-run job/result folder at /run/fabvm),
# then chroots and hands over to stage2.sh (bash, host userland), which sets
# up veth + rxe and runs the job. Finally it records failures, syncs and
# powers the VM off. qemu's exit status cannot carry the job's status, so
# stage2 writes it to /run/fabvm/status; a missing file means "VM failed".
#
# Kernel command line parameters (all optional):
#   fabvm.share=PATH  absolute host path of the writable share (mounted there)
#   fabvm.script=PATH run this script when there is no job file (manual use)
#   fabvm.mtu=N       veth MTU (default 9000 -> rxe active MTU 4096)
#   fabvm.shell=1     drop to a busybox shell on the console instead of poweroff
export PATH=/bin:/sbin

NEWROOT=/newroot
OUT=$NEWROOT/run/fabvm

log() { echo "fabvm-init: $*" > /dev/console; }

# Never return from PID 1 (that panics); power off instead, leaving any
# status file the job wrote. A shell is offered for debugging on request.
finish() {
	if grep -q 'fabvm.shell=1' /proc/cmdline 2>/dev/null; then
		setsid cttyhack sh
	fi
	sync
	umount "$OUT" 2>/dev/null
	poweroff -f
	echo o > /proc/sysrq-trigger
	sleep 5
}

die() {
	log "FATAL: $*"
	# If the result share is up, explain why there is no job status.
	[ -d "$OUT" ] && echo "init: $*" >> "$OUT/init-error" 2>/dev/null
	finish
}

cmdline_arg() { # NAME -> value of NAME=value on the kernel command line
	# shellcheck disable=SC2013 # the command line is a list of words
	for kv in $(cat /proc/cmdline); do
		case "$kv" in "$1"=*) echo "${kv#*=}"; return 0 ;; esac
	done
	return 1
}

load_modules() {
	# /etc/fabvm/modules: "path [params...]" lines, dependencies first.
	# crc32-pclmul needs CPU support; crc32_generic is the fallback, so
	# failures of optional modules are only logged.
	while read -r path params; do
		[ -n "$path" ] || continue
		# shellcheck disable=SC2086 # params are word lists by design
		insmod "$path" $params 2>/tmp/insmod.err ||
			grep -q 'File exists' /tmp/insmod.err ||
			log "insmod $path failed: $(cat /tmp/insmod.err)"
	done < /etc/fabvm/modules
}

mount_9p() { # TAG DIR OPTIONS
	# msize: 9p's default (8 KiB) makes every read a round trip; 512 KiB
	# is the largest the virtio transport accepts here.
	mount -t 9p -o "trans=virtio,version=9p2000.L,msize=512000,$3" "$1" "$2"
}

setup_root() {
	mkdir -p "$NEWROOT"
	# cache=loose: the host root is read-only for the run, so caching
	# metadata and pages in the guest is safe and cuts exec latency a lot.
	mount_9p rootfs "$NEWROOT" ro,cache=loose || die "cannot mount 9p root"
	mount -t proc proc "$NEWROOT/proc" || die "mount proc"
	mount -t sysfs sysfs "$NEWROOT/sys" || die "mount sysfs"
	mount -t devtmpfs devtmpfs "$NEWROOT/dev" || die "mount devtmpfs"
	mkdir -p "$NEWROOT/dev/pts" "$NEWROOT/dev/shm"
	# udev normally makes these; bash process substitution needs /dev/fd.
	ln -sf /proc/self/fd "$NEWROOT/dev/fd"
	ln -sf /proc/self/fd/0 "$NEWROOT/dev/stdin"
	ln -sf /proc/self/fd/1 "$NEWROOT/dev/stdout"
	ln -sf /proc/self/fd/2 "$NEWROOT/dev/stderr"
	mount -t devpts -o newinstance,ptmxmode=0666 devpts "$NEWROOT/dev/pts"
	# Open MPI's shared-memory transport (vader) needs a writable /dev/shm.
	mount -t tmpfs -o mode=1777 tmpfs "$NEWROOT/dev/shm"
	for d in tmp run root var/tmp; do
		[ -d "$NEWROOT/$d" ] || continue
		mount -t tmpfs -o mode=1777 tmpfs "$NEWROOT/$d" || die "tmpfs $d"
	done
	chmod 0700 "$NEWROOT/root"
	chmod 0755 "$NEWROOT/run"
}

setup_shares() {
	mkdir -p "$OUT"
	mount_9p fabvm "$OUT" rw,cache=none || die "cannot mount result share"
	share=$(cmdline_arg fabvm.share) || return 0
	# The path exists on the host's / (it is the host folder), unless it
	# lives under a tmpfs we just mounted; create the mount point then.
	mkdir -p "$NEWROOT$share" 2>/dev/null
	# cache=mmap: writable and coherent with the host, yet supports the
	# shared mmap()s that compilers, MPI and test programs may do.
	mount_9p share "$NEWROOT$share" rw,cache=mmap ||
		die "cannot mount share at $share"
}

main() {
	mount -t proc proc /proc
	mount -t sysfs sysfs /sys
	mount -t devtmpfs devtmpfs /dev
	exec < /dev/console > /dev/console 2>&1
	log "booted in $(cut -d' ' -f1 /proc/uptime)s, loading modules"
	load_modules
	setup_root
	setup_shares
	cp /etc/fabvm/stage2.sh "$NEWROOT/run/fabvm-stage2.sh"
	log "root ready at $(cut -d' ' -f1 /proc/uptime)s, entering stage 2"
	chroot "$NEWROOT" /bin/bash /run/fabvm-stage2.sh ||
		log "stage 2 exited with status $?"
	finish
}

main "$@"
