#!/usr/bin/env bash
# tests/vm/build.sh [OUTDIR] - builds the kernel and initramfs of the fabsim
# RDMA test VM (see run.sh). The host kernel has no RDMA; the guest boots
# Debian's own kernel, whose rdma_rxe module (Soft-RoCE) is a real RoCEv2
# stack, under qemu TCG.
#
# OUTDIR (default: <repo>/build/vm) receives:
#   kernel/<version>/      the unpacked linux-image package (cached: the
#                          .deb is downloaded once, never installed)
#   vmlinux | vmlinuz      kernel to boot; "kernel" names the one to use
#   initramfs.cpio.gz      busybox + modules + init.sh (/init) + stage2.sh
# Cheap when up to date, so run.sh calls it every time.
#
# Env: VM_KERNEL_PKG=linux-image-X-amd64 pins the kernel package (default:
# whatever linux-image-amd64 depends on; a cached kernel is reused as is).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
OUTDIR=${1:-$REPO/build/vm}

# Modules the guest needs; their dependencies are resolved via modules.dep.
# crc32: rdma_rxe asks the crypto API for "crc32" only when a link is added,
# so it is not a listed dependency. Optional ones may fail to load (pclmul
# needs CPU support, virtio_pci may be built in).
MODULES=(virtio_pci 9pnet_virtio 9p veth dummy rdma_rxe ib_uverbs rdma_ucm
	crc32_generic crc32-pclmul)
# Module parameters: no stray dummy0 device, we create what we need.
declare -A MODPARAMS=([dummy]="numdummies=0")

log() { echo "vm-build: $*" >&2; }
die() { log "error: $*"; exit 1; }

need() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 ||
			die "$c not found; run tests/vm/deps.sh (as root)"
	done
}

# The package linux-image-amd64 currently depends on, e.g.
# linux-image-6.1.0-56-amd64. Package lists may be absent in fresh
# containers, hence one apt-get update retry.
discover_kernel_pkg() {
	local pkg
	pkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-image-[0-9].*\)$/\1/p' | head -n1)
	if [ -z "$pkg" ] && [ "$(id -u)" -eq 0 ]; then
		apt-get update -qq >&2 || true
		pkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
			sed -n 's/^ *Depends: \(linux-image-[0-9].*\)$/\1/p' | head -n1)
	fi
	[ -n "$pkg" ] || die "cannot find the package linux-image-amd64 depends on"
	echo "$pkg"
}

# Sets KVER and KROOT (unpacked tree), downloading only when not cached.
fetch_kernel() {
	local pkg dir deb
	if [ -n "${VM_KERNEL_PKG:-}" ]; then
		pkg=$VM_KERNEL_PKG
	elif [ -s "$OUTDIR/kernel/current" ]; then
		pkg=$(cat "$OUTDIR/kernel/current")
	else
		pkg=$(discover_kernel_pkg)
	fi
	KVER=${pkg#linux-image-}
	dir=$OUTDIR/kernel/$KVER
	KROOT=$dir/root
	if [ ! -f "$dir/.unpacked" ]; then
		log "downloading $pkg (once; cached in $dir)"
		rm -rf "$dir"
		mkdir -p "$dir"
		local sandbox=()
		# apt drops privileges to _apt, which cannot write into a
		# root-owned build dir; as root, just download as root.
		[ "$(id -u)" -eq 0 ] && sandbox=(-o APT::Sandbox::User=root)
		(cd "$dir" && apt-get download -q "${sandbox[@]}" "$pkg" >&2) ||
			die "apt-get download $pkg failed"
		deb=$(ls "$dir"/*.deb)
		dpkg-deb -x "$deb" "$KROOT"
		rm -f "$deb" # 70 MB; the unpacked tree is all we need
		# Debian's package lacks modules.dep (postinst makes it).
		depmod -b "$KROOT" "$KVER"
		touch "$dir/.unpacked"
	fi
	# Rewrite only on change: its mtime invalidates the initramfs.
	[ "$(cat "$OUTDIR/kernel/current" 2>/dev/null)" = "$pkg" ] ||
		echo "$pkg" > "$OUTDIR/kernel/current"
	[ -f "$KROOT/boot/vmlinuz-$KVER" ] || die "no vmlinuz in $KROOT/boot"
}

# The uncompressed ELF vmlinux boots ~4 s faster under TCG than vmlinuz
# (no self-decompression in emulated code). qemu boots it through its PVH
# entry note, which needs CONFIG_PVH. Falls back to vmlinuz otherwise.
make_kernel_image() {
	local vmlinuz=$KROOT/boot/vmlinuz-$KVER off
	if [ -s "$OUTDIR/kernel.img" ] && [ -f "$OUTDIR/$(cat "$OUTDIR/kernel.img")" ] &&
		[ "$OUTDIR/$(cat "$OUTDIR/kernel.img")" -nt "$vmlinuz" ]; then
		return 0
	fi
	rm -f "$OUTDIR/vmlinux" "$OUTDIR/vmlinuz"
	if grep -q '^CONFIG_PVH=y' "$KROOT/boot/config-$KVER" 2>/dev/null; then
		# The bzImage embeds an xz stream: find its magic and inflate
		# that one stream (trailing data follows it).
		off=$(LC_ALL=C grep -obUaP '\xfd7zXZ\x00' "$vmlinuz" |
			head -n1 | cut -d: -f1 || true)
		if [ -n "$off" ] &&
			# (process substitution: xz stops reading early, and
			# tail's SIGPIPE would fail a pipeline under pipefail)
			xz -dc --single-stream < <(tail -c +"$((off + 1))" "$vmlinuz") \
				> "$OUTDIR/vmlinux.tmp" 2>/dev/null &&
			[ "$(head -c4 "$OUTDIR/vmlinux.tmp" | od -An -c | tr -d ' ')" = '177ELF' ]; then
			mv "$OUTDIR/vmlinux.tmp" "$OUTDIR/vmlinux"
			echo vmlinux > "$OUTDIR/kernel.img"
			return 0
		fi
		rm -f "$OUTDIR/vmlinux.tmp"
		log "could not extract vmlinux; booting vmlinuz (slower)"
	fi
	cp "$vmlinuz" "$OUTDIR/vmlinuz"
	echo vmlinuz > "$OUTDIR/kernel.img"
}

# Copies MODULES plus dependencies into STAGE and writes the insmod order
# to STAGE/etc/fabvm/modules. busybox insmod cannot read compressed
# modules, so .ko.xz/.ko.zst/.ko.gz are stored decompressed.
stage_modules() {
	local stage=$1 m line path rel dst params list=()
	declare -A seen=()
	for m in "${MODULES[@]}"; do
		# -C /dev/null: ignore the host's modprobe.d options.
		while read -r line; do
			case "$line" in
			insmod\ *) ;;
			builtin\ *) continue ;;
			*) continue ;;
			esac
			read -r _ path _ <<<"$line"
			rel=${path#"$KROOT"}
			rel=${rel%.xz}; rel=${rel%.zst}; rel=${rel%.gz}
			[ -n "${seen[$rel]:-}" ] && continue
			seen[$rel]=1
			dst=$stage$rel
			mkdir -p "$(dirname "$dst")"
			case "$path" in
			*.xz) xz -dc "$path" > "$dst" ;;
			*.zst) need zstd; zstd -qdc "$path" > "$dst" ;;
			*.gz) gzip -dc "$path" > "$dst" ;;
			*) cp "$path" "$dst" ;;
			esac
			params=${MODPARAMS[$(basename "$rel" .ko)]:-}
			list+=("$rel${params:+ $params}")
		done < <(modprobe -C /dev/null -d "$KROOT" -S "$KVER" \
			--show-depends "$m" 2>/dev/null || log "note: module $m not found")
	done
	[ ${#list[@]} -gt 0 ] || die "no modules staged"
	printf '%s\n' "${list[@]}" > "$stage/etc/fabvm/modules"
}

stage_busybox() {
	local stage=$1 bb a
	bb=$(command -v busybox)
	# A dynamically linked busybox would need its libraries in the image.
	! ldd "$bb" >/dev/null 2>&1 ||
		die "$bb is not static; install busybox-static"
	mkdir -p "$stage/bin" "$stage/sbin"
	cp "$bb" "$stage/bin/busybox"
	for a in $("$bb" --list); do
		[ "$a" = busybox ] || ln -sf busybox "$stage/bin/$a"
	done
}

make_initramfs() {
	local img=$OUTDIR/initramfs.cpio.gz stage f stale=0
	# Rebuild when any input is newer than the image.
	if [ -f "$img" ]; then
		for f in "$HERE/build.sh" "$HERE/init.sh" "$HERE/stage2.sh" \
			"$KROOT/lib/modules/$KVER/modules.dep" "$OUTDIR/kernel/current"; do
			[ "$f" -nt "$img" ] && stale=1
		done
		grep -qx "$KVER" "$OUTDIR/initramfs.kver" 2>/dev/null || stale=1
		[ $stale -eq 0 ] && return 0
	fi
	log "building initramfs for $KVER"
	stage=$(mktemp -d "$OUTDIR/stage.XXXXXX")
	# shellcheck disable=SC2064 # expand now: stage is local
	trap "rm -rf '$stage'" RETURN
	mkdir -p "$stage"/{etc/fabvm,proc,sys,dev,tmp,newroot}
	stage_busybox "$stage"
	stage_modules "$stage"
	install -m 0755 "$HERE/init.sh" "$stage/init"
	install -m 0644 "$HERE/stage2.sh" "$stage/etc/fabvm/stage2.sh"
	(cd "$stage" && find . -print0 | LC_ALL=C sort -z |
		cpio --null -o -H newc --quiet -R 0:0) | gzip -1 > "$img.tmp"
	mv "$img.tmp" "$img"
	echo "$KVER" > "$OUTDIR/initramfs.kver"
}

main() {
	need apt-get dpkg-deb depmod modprobe busybox cpio xz gzip od flock
	mkdir -p "$OUTDIR/kernel"
	OUTDIR=$(cd "$OUTDIR" && pwd)
	# Concurrent run.sh calls (make -j) must not build over each other.
	exec 9> "$OUTDIR/.lock"
	flock 9
	fetch_kernel
	make_kernel_image
	make_initramfs
}

main "$@"
