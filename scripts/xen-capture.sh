#!/usr/bin/env bash
# Real xl output from a real Xen: Debian 12's Xen 4.17 hypervisor and toolstack, booted under QEMU (software
# emulation, no KVM needed) with a Debian 6.1 kernel as dom0, runs a tiny PV guest and records what xl prints.
#
#   bash scripts/xen-capture.sh [OUT_DIR]      (root not needed; apt-get download needs the Debian mirror)
#   XEN_MODE=serve XEN_SSH_PORT=2622 bash scripts/xen-capture.sh
#       instead of recording, leave the Xen host running with OpenSSH on 127.0.0.1:2622 (root, the key in
#       $XEN_CAPTURE_WORK/keys/id_ed25519; host key $XEN_CAPTURE_WORK/keys/ssh_host_ed25519_key.pub) and the PV guest
#       "capture" running, for Ferry to manage as it would any Xen host (e2e/lab/xen.spec.ts; npm run xen:up / xen:down). Stop it: kill $(cat …/qemu.pid)
#   XEN_MODE=serve XEN_NODE=2 XEN_CAPTURE_WORK=/tmp/ferry-xen-b XEN_SSH_PORT=2623 bash scripts/xen-capture.sh
#       a second Xen host, "xen417b", without a guest (e2e/lab/xen-move.spec.ts). Each served host has a second NIC on
#       a link of their own (QEMU's UDP socket network on loopback: node 1 is 192.168.77.1, node 2 192.168.77.2) and
#       root's key and known_hosts for the other, as xl migrate and a move's copy need (ssh host to host, BatchMode).
#       The client key is node 1's (XEN_PEER_WORK's for node 2); each host key stays its own.
#
# Each capture is OUT_DIR/<name>.stdout, .stderr and .rc (exit status). The commands are the ones Ferry runs
# (xl info / list / list -l / uptime / save / restore / migrate) plus the refusals a client meets. What came from
# here into lib/toolstacks/xl/fixtures is listed in its SOURCES ("xen417-qemu").
#
# Nothing here needs a Xen machine: QEMU's -kernel loads Xen (a multiboot image); the dom0 kernel and an
# initramfs holding busybox, xl, xenstored and their libraries are its modules.
set -euo pipefail
W=${XEN_CAPTURE_WORK:-/tmp/ferry-xen}
OUT=$(realpath -m "${1:-$W/out}")
MODE=${XEN_MODE:-capture}
PORT=${XEN_SSH_PORT:-2622}
TIMEOUT=${XEN_CAPTURE_TIMEOUT:-1200}
NODE=${XEN_NODE:-1}
case $NODE in
  1) PEER=${XEN_PEER_WORK:-$W-b}; NAME=xen417; OTHER=2 ;;
  2) PEER=${XEN_PEER_WORK:-/tmp/ferry-xen}; NAME=xen417b; OTHER=1 ;;
  *) echo "XEN_NODE is 1 or 2" >&2; exit 2 ;;
esac
log() { printf '[xen-capture %5ss] %s\n' "$SECONDS" "$*" >&2; }
mkdir -p "$W/debs" "$OUT"
# a second node takes the packages the first one downloaded, when it has them
[ "$NODE" = 2 ] && [ -d "$PEER/debs" ] && cp -n "$PEER"/debs/*.deb "$W/debs/" 2>/dev/null || true

# ---------------------------------------------------------------- 1. Debian's packages, unpacked (not installed)
KPKG=$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-[0-9]/{print $2; exit}')
PKGS="xen-hypervisor-4.17-amd64 xen-utils-4.17 xen-utils-common xenstore-utils libxenmisc4.17 libxencall1
  libxendevicemodel1 libxenevtchn1 libxenforeignmemory1 libxengnttab1 libxenhypfs1 libxenstore4 libxentoolcore1
  libxentoollog1 libyajl2 $KPKG"
( cd "$W/debs"
  for p in $PKGS; do ls "${p}"_*.deb >/dev/null 2>&1 || apt-get download -qq "$p" 2>/dev/null || apt-get download -qq "$p"; done )
X=$W/x; rm -rf "$X"; mkdir -p "$X"
for d in "$W"/debs/*.deb; do
  case $d in
    *linux-image*) dpkg-deb --fsys-tarfile "$d" | tar -x -C "$X" --wildcards './boot/vmlinuz-*' './lib/modules/*/kernel/drivers/xen/*' \
      './lib/modules/*/kernel/drivers/net/ethernet/intel/e1000/*' './lib/modules/*/kernel/drivers/block/loop.ko' \
      './lib/modules/*/kernel/drivers/block/xen-blkfront.ko' './lib/modules/*/kernel/drivers/block/xen-blkback/*' ;;
    *) dpkg -x "$d" "$X" ;;
  esac
done
XENVER=$(ls "$X"/usr/lib | sed -n 's/^xen-\([0-9.]*\)$/\1/p' | head -1)
KVER=$(ls "$X"/lib/modules | head -1)
log "Xen $XENVER, dom0 kernel $KVER"
zcat "$X"/boot/xen-*-amd64.gz > "$W/xen.elf"
cp "$X"/boot/vmlinuz-"$KVER" "$W/vmlinuz"

# ---------------------------------------------------------------- 2. the guest: busybox and the lab's memory checker
# (e2e/lab/guest/labvm-verify.c, as in the libvirt lab's guest): it keeps rewriting and verifying 4 MiB and prints its
# heartbeat to hvc0, which xenconsoled logs in dom0 (/var/log/xen/console/guest-capture.log, read by xen.spec.ts)
G=$W/guest; rm -rf "$G"; mkdir -p "$G"/{bin,proc,sys,dev,lib/modules}
cp /bin/busybox "$G/bin/busybox"
cp "$X"/lib/modules/*/kernel/drivers/block/xen-blkfront.ko "$G/lib/modules/"
gcc -O2 -static -Wall -Werror -o "$G/bin/labvm-verify" "$(dirname "$0")/../e2e/lab/guest/labvm-verify.c"
cat > "$G/init" <<'EOF'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc; mount -t devtmpfs devtmpfs /dev
echo "capture-guest: booted $(uname -r)"
# a disk, when the host gave it one (the served node 1's guest: a move copies it): its checker writes and reads back
# its first 4 MiB all the time (labvm-verify with DEVICE), as the lab guest's does
insmod /lib/modules/xen-blkfront.ko 2>/dev/null
i=0; while [ ! -b /dev/xvda ] && [ $i -lt 5 ]; do sleep 1; i=$((i+1)); done
if [ -b /dev/xvda ]; then echo "capture-disk: booted"; /bin/labvm-verify capture-disk 4 0 5 /dev/xvda & fi
exec /bin/labvm-verify capture-guest 4 200000
EOF
chmod +x "$G/init"

# ---------------------------------------------------------------- 3. dom0's initramfs
R=$W/root; rm -rf "$R"; mkdir -p "$R"/{bin,proc,sys,dev,tmp,run,out,guest,lib/modules,etc/xen,var/lib/xen,var/log/xen,var/run/xen}
cp /bin/busybox "$R/bin/busybox"
cp "$X"/lib/modules/"$KVER"/kernel/drivers/xen/{xen-privcmd,xen-evtchn,xen-gntdev,xen-gntalloc}.ko "$X"/lib/modules/"$KVER"/kernel/drivers/xen/xenfs/xenfs.ko "$R/lib/modules/"
mkdir -p "$R/usr/lib/xen-$XENVER" "$R/usr/lib/x86_64-linux-gnu" "$R/lib64"
cp -a "$X/usr/lib/xen-$XENVER/bin" "$R/usr/lib/xen-$XENVER/"
cp -a "$X"/usr/lib/x86_64-linux-gnu/. "$R/usr/lib/x86_64-linux-gnu/"
cp -a "$X"/etc/xen/. "$R/etc/xen/"
# the C libraries the binaries need, from this (Debian 12) machine
LIBS=$(LD_LIBRARY_PATH="$X/usr/lib/x86_64-linux-gnu" ldd "$X/usr/lib/xen-$XENVER/bin/"{xl,xenstored,xenconsoled,libxl-save-helper,xen-init-dom0} \
  | awk '/=> \//{print $3} /^\t\/lib64/{print $1}' | sort -u; ls /lib/x86_64-linux-gnu/libgcc_s.so.1)   # dlopen()ed by pthread_cancel
for l in $LIBS; do case $l in "$X"/*) ;; *) mkdir -p "$R$(dirname "$l")"; cp -L "$l" "$R$l" ;; esac; done
cp "$W/vmlinuz" "$R/guest/vmlinuz"
( cd "$G" && find . | cpio -o -H newc --quiet | gzip -1 ) > "$R/guest/initrd.img"
cat > "$R/etc/xen/capture.cfg" <<'EOF'
name = "capture"
type = "pv"
kernel = "/guest/vmlinuz"
ramdisk = "/guest/initrd.img"
extra = "console=hvc0 quiet"
memory = 160
vcpus = 1
on_crash = "preserve"
EOF
if [ "$MODE" = serve ]; then
  # an OpenSSH server and the plain Linux tools Ferry runs on a host (this machine's Debian 12 binaries)
  mkdir -p "$W/keys" "$PEER/keys" "$R"/{etc/ssh,root/.ssh,run/sshd,var/lib/xen/images,usr/sbin,usr/bin,usr/lib/openssh}
  CLIENT=$W/keys; [ "$NODE" = 2 ] && CLIENT=$PEER/keys
  [ -s "$CLIENT/id_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C ferry-xen -f "$CLIENT/id_ed25519"
  [ "$CLIENT" = "$W/keys" ] || cp "$CLIENT/id_ed25519" "$CLIENT/id_ed25519.pub" "$W/keys/"
  for k in "$W" "$PEER"; do
    [ -s "$k/keys/ssh_host_ed25519_key" ] || ssh-keygen -q -t ed25519 -N '' -C xen-host -f "$k/keys/ssh_host_ed25519_key"
  done
  cp "$W/keys/ssh_host_ed25519_key" "$W/keys/ssh_host_ed25519_key.pub" "$R/etc/ssh/"
  cp "$W/keys/id_ed25519.pub" "$R/root/.ssh/authorized_keys"
  # host to host: the shared client key, and each host's key under its link address
  cp "$W/keys/id_ed25519" "$R/root/.ssh/id_ed25519"
  { echo "192.168.77.$NODE $(cut -d' ' -f1,2 "$W/keys/ssh_host_ed25519_key.pub")"
    echo "192.168.77.$OTHER $(cut -d' ' -f1,2 "$PEER/keys/ssh_host_ed25519_key.pub")"; } > "$R/root/.ssh/known_hosts"
  cp "$X"/lib/modules/"$KVER"/kernel/drivers/net/ethernet/intel/e1000/e1000.ko "$R/lib/modules/"
  # a guest's disk: blkback and loop devices, and the hotplug scripts' tools (bash, xenstore-*, flock)
  cp "$X"/lib/modules/"$KVER"/kernel/drivers/block/loop.ko "$X"/lib/modules/"$KVER"/kernel/drivers/block/xen-blkback/xen-blkback.ko "$R/lib/modules/"
  cp -a "$X"/usr/bin/xenstore* "$R/usr/bin/"
  TOOLS="/usr/sbin/sshd /bin/dash /usr/bin/stat /usr/bin/sha256sum /usr/bin/df /usr/bin/head /usr/bin/base64
    /usr/bin/chmod /usr/bin/rm /usr/bin/cat /usr/bin/find /bin/ip /usr/bin/ls /usr/bin/mkdir /usr/bin/sleep
    /usr/bin/ssh /usr/bin/scp /usr/lib/openssh/sftp-server /usr/bin/tar /usr/bin/ps /usr/bin/wc /bin/bash /usr/bin/flock"
  for t in $TOOLS; do mkdir -p "$R$(dirname "$t")"; cp -L "$t" "$R$t"; done
  ln -s "/usr/lib/xen-$XENVER/bin/xl" "$R/usr/sbin/xl"   # on the PATH of an SSH session, as Debian's package puts it
  for l in $(ldd $TOOLS 2>/dev/null | awk '/=> \//{print $3} /^\t\/lib64/{print $1}' | sort -u); do
    [ -e "$R$l" ] || { mkdir -p "$R$(dirname "$l")"; cp -L "$l" "$R$l"; }
  done
  printf 'root:x:0:0:root:/root:/bin/dash\nsshd:x:100:65534::/run/sshd:/bin/false\n' > "$R/etc/passwd"
  printf 'root:*:19000:0:99999:7:::\nsshd:*:19000:0:99999:7:::\n' > "$R/etc/shadow"
  printf 'root:x:0:\nnogroup:x:65534:\n' > "$R/etc/group"
  cat > "$R/etc/ssh/sshd_config" <<'CFG'
Port 22
HostKey /etc/ssh/ssh_host_ed25519_key
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
UsePAM no
StrictModes no
PidFile /run/sshd.pid
MaxSessions 10
Subsystem sftp /usr/lib/openssh/sftp-server
CFG
  head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$R/etc/machine-id"; echo >> "$R/etc/machine-id"
  # node 1 runs the guest, its disk on this host's own storage: a sparse 16 MiB raw file (its checker writes 4 MiB)
  GUEST_START=""
  if [ "${XEN_GUEST:-$([ "$NODE" = 1 ] && echo 1 || echo 0)}" = 1 ]; then
    GUEST_START="truncate -s 16M /var/lib/xen/disks/capture.img
echo \"disk = [ 'format=raw, vdev=xvda, access=rw, target=/var/lib/xen/disks/capture.img' ]\" >> /etc/xen/capture.cfg
xl create /etc/xen/capture.cfg"
  fi
  # eth0: the link between the Xen hosts (first, so that it is the address a host names the other by); eth1: QEMU's
  # user network, through which Ferry reaches sshd (127.0.0.1:$PORT)
  cat > "$R/serve.sh" <<SRV
# /bin/sh is dash, as on Debian: busybox's sh runs its own applets first (its tar, which has no -S, for a move's copy)
ln -sf /bin/dash /bin/sh
insmod /lib/modules/e1000.ko
ip link set lo up; ip link set eth0 up; ip link set eth1 up
ip addr add 192.168.77.$NODE/24 dev eth0
ip addr add 10.0.2.15/24 dev eth1; ip route add default via 10.0.2.2
hostname $NAME
mount -t tmpfs -o size=512m,mode=700 images /var/lib/xen/images   # the image directory, with a size df can tell
insmod /lib/modules/loop.ko; insmod /lib/modules/xen-blkback.ko
mkdir -p /var/lib/xen/disks; mount -t tmpfs -o size=64m disks /var/lib/xen/disks   # the guests' disks: each host its own
/usr/sbin/sshd -E /var/log/sshd.log
$GUEST_START
echo "xen-host: ready"
while :; do sleep 3600; done
SRV
fi
cat > "$R/init" <<EOF
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/usr/lib/xen-$XENVER/bin:/usr/sbin:/usr/bin:/bin LC_ALL=C
mount -t proc proc /proc; mount -t sysfs sysfs /sys; mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts; mount -t devpts devpts /dev/pts
# what udev would make: the hotplug scripts' lock (locking.sh) stats /dev/stdin, and waits forever without it
ln -s /proc/self/fd /dev/fd; ln -s /proc/self/fd/0 /dev/stdin; ln -s /proc/self/fd/1 /dev/stdout; ln -s /proc/self/fd/2 /dev/stderr
step() { echo "capture: \$*"; timeout 120 "\$@" || echo "capture: \$1 ended \$?"; }
for m in xen-privcmd xenfs xen-evtchn xen-gntdev xen-gntalloc; do insmod /lib/modules/\$m.ko; done
mount -t xenfs xenfs /proc/xen
step xenstored --pid-file /var/run/xenstored.pid
step xen-init-dom0
mkdir -p /var/log/xen/console
step xenconsoled --pid-file /var/run/xenconsoled.pid --log=guest --log-dir=/var/log/xen/console
[ -f /serve.sh ] && exec sh /serve.sh
sh /capture.sh
cd /out && tar -cz . | base64 > /tmp/out.b64
echo "@@@CAPTURES-BEGIN@@@"; cat /tmp/out.b64; echo "@@@CAPTURES-END@@@"
poweroff -f
EOF
chmod +x "$R/init"
cat > "$R/capture.sh" <<'EOF'
# run NAME ARGV... → /out/NAME.{stdout,stderr,rc}
run() { n=$1; shift; timeout 300 "$@" >/out/$n.stdout 2>/out/$n.stderr; echo $? >/out/$n.rc; echo "capture: $n -> $(cat /out/$n.rc)"; [ "$(cat /out/$n.rc)" = 0 ] || head -5 /out/$n.stderr | sed 's/^/capture:   /'; }
wait_state() { i=0; while [ $i -lt 120 ]; do xl list "$1" >/dev/null 2>&1 && return 0; sleep 1; i=$((i+1)); done; return 1; }
run noargs xl
run info xl info
run list-dom0 xl list
run list-long-dom0 xl list -l
run uptime-dom0 xl uptime
run list-abbrev xl li
run list-bogus-long xl list --bogus
run list-bogus-short xl list -Z
run list-unknown-name xl list nosuch
run list-unknown-id xl list 42
run help-list xl help list
run unknown-command xl frobnicate
run global-bogus xl -Z list
run save-noargs xl save
run migrate-noargs xl migrate
run create xl create /etc/xen/capture.cfg
wait_state capture
sleep 20
run list-guest xl list
run list-verbose xl list -v
run list-long xl list -l
run list-long-guest xl list -l capture
run uptime xl uptime
run uptime-guest xl uptime capture
run save-unknown xl save nosuch /tmp/x.save
run save-no-dir xl save capture /nonexistent/dir/capture.save
run list-after-save-no-dir xl list
run save xl save capture /tmp/capture.save
run list-after-save xl list
run restore xl restore /tmp/capture.save
run list-after-restore xl list
run restore-name-taken xl restore /tmp/capture.save
run restore-missing xl restore /tmp/nosuch.save
head -c 65536 /dev/urandom > /tmp/garbage.save
run restore-garbage xl restore /tmp/garbage.save
xl destroy capture
head -c 300000 /tmp/capture.save > /tmp/truncated.save
run restore-truncated xl restore /tmp/truncated.save
run list-after-truncated xl list
rm -f /tmp/garbage.save /tmp/truncated.save
xl restore /tmp/capture.save 2>/dev/null; rm -f /tmp/capture.save
run save-verbose xl -v save capture /tmp/capture2.save
run restore-verbose xl -v restore /tmp/capture2.save
rm -f /tmp/capture2.save
sleep 5
run uptime-after-restore xl uptime
# live migration to this same host: xl's -s '' runs the "host" argument instead of ssh <host> xl migrate-receive
( sleep 3; xl list >/out/list-during-migrate.stdout 2>/out/list-during-migrate.stderr ) &
run migrate-local xl migrate -s '' capture 'xl migrate-receive'
wait
run list-after-migrate xl list
run migrate-target-fails xl migrate -s '' capture 'false'
run list-after-migrate-fail xl list
run migrate-unknown xl migrate -s '' nosuch 'xl migrate-receive'
run destroy xl destroy capture
# Debian builds Xen without shadow paging, so a PV guest cannot be live-migrated (log-dirty needs it); a PVH
# guest's log-dirty uses the hardware's nested paging, which QEMU emulates (SVM with NPT)
sed -e 's/^name = .*/name = "capture-pvh"/' -e 's/^type = .*/type = "pvh"/' /etc/xen/capture.cfg > /etc/xen/pvh.cfg
run create-pvh xl create /etc/xen/pvh.cfg
wait_state capture-pvh
sleep 20
run list-pvh xl list
run list-long-pvh xl list -l capture-pvh
( sleep 3; xl list >/out/list-during-migrate-pvh.stdout 2>/out/list-during-migrate-pvh.stderr ) &
run migrate-local-pvh xl migrate -s '' capture-pvh 'xl migrate-receive'
wait
run list-after-migrate-pvh xl list
run migrate-target-fails-pvh xl migrate -s '' capture-pvh 'false'
run list-after-migrate-fail-pvh xl list
run save-pvh xl save capture-pvh /tmp/pvh.save
run restore-pvh xl restore /tmp/pvh.save
rm -f /tmp/pvh.save
sleep 3
run uptime-end xl uptime
run list-end xl list
EOF

( cd "$R" && find . | cpio -o -H newc --quiet | gzip -1 ) > "$W/dom0.img"
log "dom0 initramfs $(du -h "$W/dom0.img" | cut -f1); booting Xen under QEMU (software emulation; minutes)"

# ---------------------------------------------------------------- 4. boot, collect
CONSOLE=$W/console.log
XEN_ARGS="dom0_mem=768M,max:768M console=com1 com1=115200,8n1 loglvl=warning noreboot smap=0 smep=0"
if [ "$MODE" = serve ]; then
  [ -s "$W/qemu.pid" ] && kill "$(cat "$W/qemu.pid")" 2>/dev/null || true
  rm -f "$W/serve.env"
  : > "$CONSOLE"
  # no AVX: under emulation the vector state of dom0's processes is not kept whole across switches (sshd died with
  # "error in libcrypto" and xl segfaulted in libc's AVX2 code); glibc and OpenSSL take their SSE paths instead
  # a plain CPU model: under -cpu max, dom0's processes saw their memory change under them once several ran at
  # once (sshd: "insane first_unused", "message authentication code incorrect"; xl segfaulting in libc); under
  # Nehalem 250 rounds of five parallel commands ran clean. (The capture below keeps -cpu max: its PVH guest needs SVM.)
  qemu-system-x86_64 -machine q35 -cpu "${XEN_QEMU_CPU:-Nehalem}" -smp 2 -m 1536 -display none -no-reboot -daemonize -pidfile "$W/qemu.pid" \
    -kernel "$W/xen.elf" -append "$XEN_ARGS" -initrd "$W/vmlinuz console=hvc0 earlyprintk=xen,$W/dom0.img" \
    -netdev "socket,id=n1,udp=127.0.0.1:$((2720 + OTHER)),localaddr=127.0.0.1:$((2720 + NODE))" \
    -device "e1000,netdev=n1,mac=52:54:00:77:00:0$NODE" \
    -netdev "user,id=n0,hostfwd=tcp:127.0.0.1:$PORT-:22" -device e1000,netdev=n0 \
    -serial "file:$CONSOLE" -monitor none
  for _ in $(seq 1 "$TIMEOUT"); do
    if grep -q "xen-host: ready" "$CONSOLE"; then
      printf 'XEN_SSH_PORT=%s\nXEN_SSH_KEY=%s\nXEN_HOST_KEY=%s\n' "$PORT" "$W/keys/id_ed25519" "$W/keys/ssh_host_ed25519_key.pub" > "$W/serve.env"
      log "Xen host up: ssh -i $W/keys/id_ed25519 -p $PORT root@127.0.0.1"; exit 0
    fi
    kill -0 "$(cat "$W/qemu.pid")" 2>/dev/null || { log "QEMU ended (console: $CONSOLE)"; exit 1; }
    sleep 1
  done
  log "the Xen host did not come up in $TIMEOUT s (console: $CONSOLE)"; exit 1
fi
timeout "$TIMEOUT" qemu-system-x86_64 -machine q35 -cpu max -smp 2 -m 1536 -nographic -no-reboot \
  -kernel "$W/xen.elf" -append "$XEN_ARGS" \
  -initrd "$W/vmlinuz console=hvc0 earlyprintk=xen,$W/dom0.img" \
  -serial "file:$CONSOLE" -monitor none -display none </dev/null || { log "QEMU ended with $? (console: $CONSOLE)"; }
sed -n '/@@@CAPTURES-BEGIN@@@/,/@@@CAPTURES-END@@@/p' "$CONSOLE" | sed '1d;$d' | tr -d '\r' | base64 -d | tar -xz -C "$OUT"
log "captures in $OUT: $(ls "$OUT" | wc -l) files"
