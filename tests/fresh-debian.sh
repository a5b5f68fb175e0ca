#!/usr/bin/env bash
# tests/fresh-debian.sh - the README's two commands on a fresh Debian 12.
#
# Builds a minimal bookworm root (mmdebstrap --variant=minbase with only
# git, ca-certificates and make added), clones this checkout's current
# commit into /root/fabsim there, mounts /proc, /sys and /dev, and runs the
# commands of the README's "The two commands" block in it with chroot,
# exactly as written, as root, with an empty environment. Between them, it
# checks that a plain `make` names the packages fabbench still lacks.
# Prints each step's time; exits non-zero if any step failed. Mounts,
# processes and the root are cleaned up on every exit path.
#
# Needs root, and the network to reach the host's Debian mirror (the same
# sources and apt proxy settings as the host are used). Installs mmdebstrap
# (group "ci" of tests/packages.txt) if missing. Only committed work is
# tested: uncommitted changes are not in the clone.
#
# Env: FRESH_DIR (where the root goes, default /var/tmp), FRESH_TIMEOUT
# (seconds per step, default 1500), FRESH_SUITE (default bookworm),
# FRESH_TMPFS (auto: the root is a tmpfs when at least 14 GiB of memory are
# available, which halves package installation and makes cleanup instant;
# 1: always; 0: never).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
SUITE=${FRESH_SUITE:-bookworm}
STEP_TIMEOUT=${FRESH_TIMEOUT:-1500}
CHROOT_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
WORKDIR=/root/fabsim

ROOT=
T0=$SECONDS
TIMES=()
FAILED=0

log() { echo "fresh-debian: $*"; }
die() { echo "fresh-debian: error: $*" >&2; exit 1; }

# Mount points at or below $ROOT, deepest first.
mounts_under() {
	awk -v r="$ROOT" '$5 == r || index($5, r "/") == 1 { print $5 }' \
		/proc/self/mountinfo | sort -r
}

# Processes whose root directory is $ROOT: started by this script inside
# the chroot (a timed-out make, a qemu). They would keep mounts busy.
kill_chroot_procs() {
	local p r pids=()
	for p in /proc/[0-9]*; do
		r=$(readlink "$p/root" 2>/dev/null) || continue
		[ "$r" = "$ROOT" ] && pids+=("${p#/proc/}")
	done
	[ ${#pids[@]} -eq 0 ] && return 0
	log "killing ${#pids[@]} processes left in the root"
	kill -KILL "${pids[@]}" 2>/dev/null || true
	sleep 1
}

unmount_all() {
	local m
	for m in $(mounts_under); do
		umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null ||
			log "warning: cannot unmount $m"
	done
}

# shellcheck disable=SC2317 # invoked from the EXIT trap
cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	[ -n "$ROOT" ] && [ -d "$ROOT" ] || exit "$rc"
	local t=$SECONDS
	kill_chroot_procs
	unmount_all
	if [ -n "$(mounts_under)" ]; then
		# Deleting now would reach into the host's /dev or /proc.
		log "error: still mounted under $ROOT, not deleting it:"
		mounts_under >&2
		exit 1
	fi
	rm -rf --one-file-system "$ROOT"
	log "cleaned up in $((SECONDS - t)) s; exit $rc"
	exit "$rc"
}

# The host's enabled Debian sources for SUITE*, as one-line entries
# (deb822 and one-line files alike), so the root uses the same mirror.
host_sources() {
	local f
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		awk -v s="$SUITE" '$1 == "deb" {
			for (i = 2; i <= NF; i++) if ($i !~ /^\[/ && $i !~ /\]$/) break
			if (index($(i + 1), s) == 1) print }' "$f"
	done
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk -v s="$SUITE" '
		function flush(  n, m, u, su, i, j) {
			if (types ~ /(^| )deb( |$)/ && enabled != "no") {
				n = split(uris, u, " ")
				m = split(suites, su, " ")
				for (i = 1; i <= n; i++)
					for (j = 1; j <= m; j++)
						if (index(su[j], s) == 1)
							print "deb " u[i] " " su[j] " " comps
			}
			types = uris = suites = comps = enabled = ""
		}
		/^[ \t]*$/ { flush(); next }
		/^#/ { next }
		{ key = tolower($1); $1 = "" ; sub(/^ /, "") }
		key == "types:" { types = $0 }
		key == "uris:" { uris = $0 }
		key == "suites:" { suites = $0 }
		key == "components:" { comps = $0 }
		key == "enabled:" { enabled = tolower($0) }
		END { flush() }' "$f"
	done
}

# apt proxy and snapshot settings of the host, for the bootstrap and the
# root's own apt (mmdebstrap keeps --aptopt in the root).
host_aptopts() {
	apt-config dump 2>/dev/null |
		grep -Ei '^Acquire::((https?|ftp)::)?Proxy|^Acquire::Check-(Valid-Until|Date) ' |
		sed 's/;$//' || true
}

# Commands of the README's "The two commands" block, comments stripped.
readme_commands() {
	awk '/^## The two commands/ { sec = 1; next }
	     sec && /^## / { exit }
	     sec && /^```/ { if (blk) exit; blk = 1; next }
	     blk { sub(/[ \t]*#.*/, ""); if ($0 != "") print }' "$REPO/README.md"
}

# The root on a tmpfs? The VM inside needs 2.5 GiB besides; the root
# itself grows to about 2.1 GiB (packages, build, the VM's kernel).
TMPFS_GIB=8
use_tmpfs() {
	local avail_kb
	case "${FRESH_TMPFS:-auto}" in
	0) return 1 ;;
	1) return 0 ;;
	esac
	avail_kb=$(awk '/^MemAvailable:/ { print $2 }' /proc/meminfo)
	[ "${avail_kb:-0}" -ge $((14 * 1024 * 1024)) ]
}

root_usage() {
	mountpoint -q "$ROOT" || return 0
	echo ", a tmpfs, $(df -h --output=used "$ROOT" | tail -n 1 | xargs) used"
}

# step NAME CMD...: run, time and record a step; a failure is remembered.
step() {
	local name=$1 t=$SECONDS rc=0
	shift
	log "---- $name"
	"$@" || rc=$?
	TIMES+=("$(printf '%6d s  %-44s %s' $((SECONDS - t)) "$name" \
		"$([ $rc -eq 0 ] && echo ok || echo "FAILED (exit $rc)")")")
	[ $rc -eq 0 ] || FAILED=1
	return $rc
}

# in_root CMD: a login-less root shell in the clone, empty environment
# (but the host's proxy variables), bounded by STEP_TIMEOUT.
in_root() {
	local env=(HOME=/root "PATH=$CHROOT_PATH" "TERM=${TERM:-dumb}") v
	for v in http_proxy https_proxy no_proxy HTTP_PROXY HTTPS_PROXY NO_PROXY; do
		[ -n "${!v:-}" ] && env+=("$v=${!v}")
	done
	# --foreground: stay in our process group, so that a Ctrl-C or an outer
	# timeout reaches the whole step; leftovers are killed afterwards.
	timeout --foreground -k 10 "$STEP_TIMEOUT" chroot "$ROOT" \
		/usr/bin/env -i "${env[@]}" /bin/bash -c "cd $WORKDIR && $1" || {
		local rc=$?
		if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
			kill_chroot_procs
		fi
		return $rc
	}
}

bootstrap() {
	# force-unsafe-io: no fsync per unpacked file (as Debian's container
	# images do); a root that lives for minutes needs no crash safety.
	# shellcheck disable=SC2054 # the comma-separated list is one argument
	local args=(--variant=minbase --include=git,ca-certificates,make
		--dpkgopt=force-unsafe-io) o
	local -a mirrors opts
	mapfile -t mirrors < <(host_sources)
	mapfile -t opts < <(host_aptopts)
	for o in "${opts[@]}"; do args+=("--aptopt=$o"); done
	log "mirrors: ${mirrors[*]:-none found, mmdebstrap default}"
	mmdebstrap "${args[@]}" "$SUITE" "$ROOT" "${mirrors[@]}"
}

setup_root() {
	# A host resolver behind a symlink (systemd-resolved) may dangle inside.
	rm -f "$ROOT/etc/resolv.conf"
	cp -L /etc/resolv.conf "$ROOT/etc/resolv.conf"
	# An installed Debian names itself in /etc/hosts; minbase has none, and
	# MPI_Init then waits 5 s on DNS for the host's name (every mpirun).
	cp -L /etc/hosts "$ROOT/etc/hosts"
	git clone -q --no-hardlinks "$REPO" "$ROOT$WORKDIR"
	git -C "$ROOT$WORKDIR" checkout -q --detach "$COMMIT"
	mount -t proc proc "$ROOT/proc"
	mount -t sysfs sysfs "$ROOT/sys"
	# /dev with /dev/pts and /dev/shm (Open MPI), kept from propagating
	# unmounts back to the host.
	mount --rbind /dev "$ROOT/dev"
	mount --make-rslave "$ROOT/dev"
}

# After `make demo` only group "sim" is installed: a plain `make` must stop
# before the compiler and name the fabbench packages; `make fabsim` works.
check_plain_make() {
	local out rc=0
	# shellcheck disable=SC2016 # expanded by the shell inside the root
	if in_root 'dpkg-query -W -f="\${Status}" libopenmpi-dev 2>/dev/null' |
		grep -q 'install ok installed'; then
		log "(skipped: the fabbench packages are installed already)"
		return 0
	fi
	out=$(in_root 'make 2>&1') || rc=$?
	printf '%s\n' "$out" | tail -n 4
	[ $rc -ne 0 ] || { log "plain make succeeded without MPI?"; return 1; }
	grep -q 'libopenmpi-dev' <<<"$out" || { log "no package named"; return 1; }
	! grep -q 'fatal error' <<<"$out" || { log "a compiler error instead"; return 1; }
	in_root 'make fabsim >/dev/null && test -x build/fabsim'
}

main() {
	local cmds c n=0 line
	[ "$(id -u)" -eq 0 ] || die "needs root (mmdebstrap, mount, chroot)"
	COMMIT=$(git -C "$REPO" rev-parse HEAD)
	mapfile -t cmds < <(readme_commands)
	[ ${#cmds[@]} -gt 0 ] || die "no commands found under '## The two commands' in README.md"
	log "commit $COMMIT ($(git -C "$REPO" log -1 --format=%s))"
	[ -z "$(git -C "$REPO" status --porcelain --untracked-files=no)" ] ||
		log "note: uncommitted changes in $REPO are not tested"
	log "README commands: $(printf '[%s] ' "${cmds[@]}")"
	step "install mmdebstrap (group ci)" bash "$REPO/tests/install-deps.sh" ci ||
		die "cannot install mmdebstrap"

	mkdir -p "${FRESH_DIR:-/var/tmp}"
	ROOT=$(mktemp -d "${FRESH_DIR:-/var/tmp}/fresh-debian.XXXXXX")
	ROOT=$(cd "$ROOT" && pwd -P)
	trap cleanup EXIT
	trap 'exit 130' INT TERM
	use_tmpfs && mount -t tmpfs -o size=$((TMPFS_GIB))G,mode=0755 fresh-debian "$ROOT"
	step "mmdebstrap minbase $SUITE (+git, make)" bootstrap || die "bootstrap failed"
	step "clone $(git -C "$REPO" rev-parse --short HEAD), mount /proc /sys /dev" setup_root ||
		die "cannot set up the root"
	for c in "${cmds[@]}"; do
		step "$c" in_root "$c" || true
		n=$((n + 1))
		[ $n -eq 1 ] && { step "(extra) plain make names missing packages" \
			check_plain_make || true; }
	done
	log "---- summary ($SUITE root in $ROOT$(root_usage), removed on exit)"
	for line in "${TIMES[@]}"; do echo "fresh-debian: $line"; done
	log "total $((SECONDS - T0)) s: $([ $FAILED -eq 0 ] && echo PASSED || echo FAILED)"
	[ $FAILED -eq 0 ]
}

main "$@"
