#!/bin/bash
# e2e/lab/up.sh - Ferry's real-host lab on one machine (Debian 12, root, no KVM needed); idempotent.
# Derived from the team's recipe (shared/lab). Used by `npm run lab:up` and the real-host suite (e2e/lab/*.spec.ts).
#
#   hosts  = network namespaces (hostB, hostC) on bridge labbr0 (10.77.0.0/24), each with its own
#            mount+UTS namespace: own hostname, own /etc /var /root (overlayfs, upper dirs under
#            $LAB/hosts/<h>/ovl) and own tmpfs /run  ->  real OpenSSH sshd + real libvirtd per host
#   VMs    = qemu-system-x86_64 under TCG, Debian cloud kernel + busybox initramfs whose memory checker keeps
#            rewriting and verifying N MiB (e2e/lab/guest/: lab.dirty_mb=N MiB, lab.dirty_delay_us=N between passes)
#   shared = $LAB/shared (same path on every host: kernel/initrd, XML, console logs, save files)
#
# Env knobs: LAB (default /tmp/ferry-lab)  LAB_SKIP_APT=1  LAB_HOSTS="hostB:10.77.0.12 hostC:10.77.0.13"
#            LAB_VMS="labvm1:128:32:0"  (name:mem_mib:dirty_mb:dirty_delay_us; defined on first host)
set -euo pipefail
LAB=${LAB:-/tmp/ferry-lab}
LAB_HOSTS=${LAB_HOSTS:-"hostB:10.77.0.12 hostC:10.77.0.13"}
LAB_VMS=${LAB_VMS-"labvm1:128:32:0"}
BR=labbr0; GW=10.77.0.1; PFX=24
PKGS="gcc libc6-dev openssh-server openssh-client qemu-system-x86 qemu-utils busybox-static cpio libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients"
T0=$(date +%s.%N)
log() { printf '[lab-up %5.1fs] %s\n' "$(awk -v a="$(date +%s.%N)" -v b="$T0" 'BEGIN{print a-b}')" "$*"; }
[ "$(id -u)" = 0 ] || { echo "must run as root" >&2; exit 1; }

# ---------------------------------------------------------------- 0. packages
if [ "${LAB_SKIP_APT:-0}" != 1 ]; then
  missing=""
  for p in $PKGS; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing="$missing $p"; done
  if [ -n "$missing" ]; then
    log "apt-get install:$missing"
    apt-get -o DPkg::Lock::Timeout=300 update -qq
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends $missing >/dev/null
  fi
fi

mkdir -p $LAB/{bin,keys,logs,run/ns,run/pids,hosts,shared/images,shared/xml,shared/console,shared/saves,cache}
chmod 700 $LAB/shared/saves   # saved images are unencrypted guest memory: private to root (the guide's warning)

# ---------------------------------------------------------------- 1. guest kernel + initramfs
# The initramfs holds busybox, the guest's init and its memory checker (e2e/lab/guest/); it is built again whenever
# those files change (their checksum is kept beside it), so a lab built before a change to the guest gets the new one
# at the guest's next boot.
IMG=$LAB/shared/images
GUEST_SRC=$(cd "$(dirname "$0")/guest" && pwd)
GUEST_SUM=$(cat "$GUEST_SRC"/init "$GUEST_SRC"/poweroff "$GUEST_SRC"/labvm-verify.c | sha256sum | cut -d' ' -f1)
if [ ! -s $IMG/vmlinuz ] || [ ! -s $IMG/initrd.img ] || [ "$(cat $IMG/initrd.sum 2>/dev/null)" != "$GUEST_SUM" ]; then
  log "building guest kernel+initramfs"
  KPKG=$(apt-cache depends linux-image-cloud-amd64 | awk '/Depends: linux-image-[0-9]/{print $2; exit}')
  ( cd $LAB/cache && ls ${KPKG}_*.deb >/dev/null 2>&1 || apt-get download -qq "$KPKG" 2>/dev/null )
  KDEB=$(ls $LAB/cache/${KPKG}_*.deb | head -1)
  G=$LAB/cache/guest; rm -rf $G; mkdir -p $G/root/{bin,lib/modules,etc/acpi/PWRF/00000080,proc,sys,dev,tmp} $G/x
  # virtio and virtio_blk: a guest given a disk (lab.disk_mb=, e2e/lab/local-disks.spec.ts) checks it as /dev/vda
  VIRTIO="virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci"
  dpkg-deb --fsys-tarfile "$KDEB" | tar -x -C $G/x --wildcards './boot/vmlinuz-*' \
      './lib/modules/*/kernel/drivers/acpi/button.ko' './lib/modules/*/kernel/drivers/input/evdev.ko' \
      $(for m in $VIRTIO; do echo "./lib/modules/*/kernel/drivers/virtio/$m.ko"; done) \
      './lib/modules/*/kernel/drivers/block/virtio_blk.ko'
  cp $G/x/boot/vmlinuz-* $IMG/vmlinuz.tmp
  cp $G/x/lib/modules/*/kernel/drivers/acpi/button.ko $G/x/lib/modules/*/kernel/drivers/input/evdev.ko $G/root/lib/modules/
  cp $G/x/lib/modules/*/kernel/drivers/virtio/*.ko $G/x/lib/modules/*/kernel/drivers/block/virtio_blk.ko $G/root/lib/modules/
  cp /bin/busybox $G/root/bin/busybox
  gcc -O2 -static -Wall -Werror -o $G/root/bin/labvm-verify "$GUEST_SRC"/labvm-verify.c
  mknod -m 600 $G/root/dev/console c 5 1; mknod -m 666 $G/root/dev/null c 1 3
  cp "$GUEST_SRC"/poweroff $G/root/etc/acpi/PWRF/00000080/poweroff
  cp "$GUEST_SRC"/init $G/root/init
  chmod +x $G/root/init $G/root/etc/acpi/PWRF/00000080/poweroff
  ( cd $G/root && find . | cpio -o -H newc --quiet | gzip -9 ) > $IMG/initrd.img.tmp
  mv $IMG/vmlinuz.tmp $IMG/vmlinuz; mv $IMG/initrd.img.tmp $IMG/initrd.img
  echo "$GUEST_SUM" > $IMG/initrd.sum
  rm -rf $G
fi

# ---------------------------------------------------------------- 2. helpers, keys, hosts file
cat > $LAB/bin/hx <<EOF
#!/bin/sh
# hx HOST CMD...   run CMD "on" lab host HOST (its netns + mount ns + uts ns), keeping cwd
H=\$1; shift
exec nsenter --net=/run/netns/\$H --mount=$LAB/run/ns/\$H.mnt --uts=$LAB/run/ns/\$H.uts --wd="\$PWD" -- "\$@"
EOF
cat > $LAB/bin/labssh <<EOF
#!/bin/sh
# ssh with the lab's client config (usable as libvirt URI ?command=$LAB/bin/labssh)
exec ssh -F $LAB/ssh_config "\$@"
EOF
chmod +x $LAB/bin/hx $LAB/bin/labssh
[ -s $LAB/keys/id_ed25519 ] || ssh-keygen -q -t ed25519 -N '' -C lab-key -f $LAB/keys/id_ed25519
{ echo "127.0.0.1 localhost"; echo "$GW labgw"; for hp in $LAB_HOSTS; do echo "${hp#*:} ${hp%%:*}"; done; } > $LAB/etc-hosts
{ for hp in $LAB_HOSTS; do printf 'Host %s\n    HostName %s\n' "${hp%%:*}" "${hp#*:}"; done
  printf 'Host *\n    User root\n    IdentityFile %s/keys/id_ed25519\n    UserKnownHostsFile %s/keys/known_hosts\n    StrictHostKeyChecking yes\n    BatchMode yes\n    ConnectTimeout 5\n' $LAB $LAB
} > $LAB/ssh_config

# ---------------------------------------------------------------- 3. bridge + namespaces + veths
if ! ip link show $BR >/dev/null 2>&1; then
  log "creating bridge $BR $GW/$PFX"
  ip link add $BR type bridge
  sysctl -qw net.ipv6.conf.$BR.disable_ipv6=1 || true
  ip addr add $GW/$PFX dev $BR
  ip link set $BR up
fi
# private mount point for persistent namespace files
mountpoint -q $LAB/run/ns || { mount --bind $LAB/run/ns $LAB/run/ns; mount --make-private $LAB/run/ns; }

for hp in $LAB_HOSTS; do
  H=${hp%%:*}; IP=${hp#*:}; V=v$H; D=$LAB/hosts/$H
  mkdir -p $D
  if [ ! -e /run/netns/$H ]; then
    log "netns $H ($IP)"
    ip netns add $H
  fi
  if ! ip link show $V >/dev/null 2>&1; then
    ip link add $V type veth peer name eth0 netns $H
    sysctl -qw net.ipv6.conf.$V.disable_ipv6=1 || true
    ip link set $V master $BR up
    ip netns exec $H sysctl -qw net.ipv6.conf.all.disable_ipv6=1 || true
    ip -n $H addr add $IP/$PFX dev eth0
    ip -n $H link set eth0 up
    ip -n $H link set lo up
  fi
  # mount + uts namespace, persisted as bind mounts of nsfs files
  if ! findmnt -n $LAB/run/ns/$H.mnt >/dev/null 2>&1; then
    log "mount/uts namespace for $H"
    touch $LAB/run/ns/$H.mnt $LAB/run/ns/$H.uts
    nsenter --net=/run/netns/$H unshare --mount=$LAB/run/ns/$H.mnt --uts=$LAB/run/ns/$H.uts --propagation private \
      sh -ec "
        hostname $H
        for d in etc var root; do
          mkdir -p $D/ovl/\$d.up $D/ovl/\$d.work
          mount -t overlay overlay -o lowerdir=/\$d,upperdir=$D/ovl/\$d.up,workdir=$D/ovl/\$d.work /\$d
        done
        mount -t tmpfs -o mode=755,size=64m tmpfs /run
        mkdir -p /run/sshd /run/libvirt /run/lock
      "
  fi

  # per-host configuration (inside the host's own /etc, /var, /root)
  [ -s $D/host_uuid ] || cat /proc/sys/kernel/random/uuid > $D/host_uuid
  $LAB/bin/hx $H sh -ec "
    cp $LAB/etc-hosts /etc/hosts; echo $H > /etc/hostname
    getent group libvirt-qemu >/dev/null || groupadd -r libvirt-qemu
    getent group kvm >/dev/null || groupadd -r kvm
    getent passwd libvirt-qemu >/dev/null || useradd -r -g libvirt-qemu -G kvm -d /var/lib/libvirt -s /usr/sbin/nologin libvirt-qemu
    # the host's own key, made once per lab (the marker is empty: -e, not -s — with -s every up.sh made a new key,
    # changing the host's identity under Ferry's pinned fingerprint, and two up.sh at once raced on the files)
    [ -e /etc/ssh/ssh_host_ed25519_key.lab ] || { rm -f /etc/ssh/ssh_host_*; ssh-keygen -q -t ed25519 -N '' -C root@$H -f /etc/ssh/ssh_host_ed25519_key; touch /etc/ssh/ssh_host_ed25519_key.lab; }
    cat > /etc/ssh/sshd_config <<EOC
ListenAddress $IP
HostKey /etc/ssh/ssh_host_ed25519_key
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
AuthorizedKeysFile .ssh/authorized_keys
PidFile $LAB/run/pids/$H-sshd.pid
MaxStartups 100:30:200
MaxSessions 100
Subsystem sftp /usr/lib/openssh/sftp-server
EOC
    printf 'Host *\n    IdentityFile /root/.ssh/id_ed25519\n    UserKnownHostsFile /root/.ssh/known_hosts\n    StrictHostKeyChecking yes\n    BatchMode yes\n    ConnectTimeout 5\n' > /etc/ssh/ssh_config
    mkdir -p -m 700 /root/.ssh
    # a plain shell: the machine's /root/.bashrc may run slow init (pyenv) on every SSH exec
    printf '# lab host: plain non-interactive shell\n' > /root/.bashrc
    cp $LAB/keys/id_ed25519 $LAB/keys/id_ed25519.pub /root/.ssh/
    cp $LAB/keys/id_ed25519.pub /root/.ssh/authorized_keys
    chmod 600 /root/.ssh/*
    mkdir -p /etc/libvirt/qemu /var/lib/libvirt/qemu /var/log/libvirt/qemu /var/cache/libvirt/qemu
    cat > /etc/libvirt/libvirtd.conf <<EOC
host_uuid = \"$(cat $D/host_uuid)\"
auth_unix_ro = \"none\"
auth_unix_rw = \"none\"
unix_sock_group = \"root\"
unix_sock_ro_perms = \"0777\"
unix_sock_rw_perms = \"0770\"
log_outputs = \"3:file:/var/log/libvirt/libvirtd.log\"
EOC
    cat > /etc/libvirt/qemu.conf <<EOC
user = \"root\"
group = \"root\"
dynamic_ownership = 0
remember_owner = 0
security_driver = \"none\"
cgroup_controllers = [ ]
namespaces = [ ]
stdio_handler = \"file\"
migration_address = \"$IP\"
migration_host = \"$IP\"
EOC
    echo 'uri_default = \"qemu:///system\"' > /etc/libvirt/libvirt.conf
  "
done

# known_hosts for everyone (root ns client + every host)
: > $LAB/keys/known_hosts.new
for hp in $LAB_HOSTS; do
  H=${hp%%:*}; IP=${hp#*:}
  echo "$H,$IP $(cut -d' ' -f1,2 $LAB/hosts/$H/ovl/etc.up/ssh/ssh_host_ed25519_key.pub)" >> $LAB/keys/known_hosts.new
done
mv $LAB/keys/known_hosts.new $LAB/keys/known_hosts
for hp in $LAB_HOSTS; do $LAB/bin/hx ${hp%%:*} cp $LAB/keys/known_hosts /root/.ssh/known_hosts; done

# ---------------------------------------------------------------- 4. daemons
alive() { [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null && grep -qa "$2" /proc/"$(cat "$1")"/cmdline; }
for hp in $LAB_HOSTS; do
  H=${hp%%:*}
  if ! alive $LAB/run/pids/$H-sshd.pid sshd; then
    log "start sshd on $H"
    $LAB/bin/hx $H /usr/sbin/sshd -E $LAB/logs/$H-sshd.log
  fi
  if ! alive $LAB/run/pids/$H-libvirtd.pid libvirtd; then
    log "start libvirtd on $H"
    $LAB/bin/hx $H /usr/sbin/libvirtd -d -p $LAB/run/pids/$H-libvirtd.pid
  fi
done
for hp in $LAB_HOSTS; do
  H=${hp%%:*}
  for i in $(seq 1 50); do
    $LAB/bin/labssh $H "virsh -q version >/dev/null 2>&1 && hostname" >/dev/null 2>&1 && break
    [ $i = 50 ] && { echo "host $H not ready (see $LAB/logs/$H-sshd.log, $LAB/hosts/$H/ovl/var.up/log/libvirt/libvirtd.log)" >&2; exit 1; }
    sleep 0.2
  done
done
log "hosts ready: $LAB_HOSTS"

# ---------------------------------------------------------------- 5. sample VM definitions
mkvm() { # name mem_mib dirty_mb dirty_delay_us
  local n=$1 uuid
  uuid=$(printf '%s' "$n" | md5sum | sed -E 's/^(.{8})(.{4}).(.{3}).(.{3})(.{12}).*/\1-\2-4\3-8\4-\5/')
  cat > $LAB/shared/xml/$n.xml <<EOF
<domain type='qemu'>
  <name>$n</name>
  <uuid>$uuid</uuid>
  <memory unit='MiB'>$2</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>$IMG/vmlinuz</kernel>
    <initrd>$IMG/initrd.img</initrd>
    <cmdline>console=ttyS0 quiet lab.dirty_mb=$3 lab.dirty_delay_us=$4</cmdline>
  </os>
  <features><acpi/></features>
  <cpu mode='custom' match='exact'><model fallback='forbid'>qemu64</model></cpu>
  <clock offset='utc'/>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>restart</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <controller type='usb' model='none'/>
    <serial type='pty'>
      <log file='$LAB/shared/console/$n.log' append='on'/>
      <target port='0'/>
    </serial>
    <console type='pty'><target type='serial' port='0'/></console>
    <memballoon model='none'/>
  </devices>
</domain>
EOF
}
FIRST=${LAB_HOSTS%% *}; FIRST=${FIRST%%:*}
for v in $LAB_VMS; do
  IFS=: read -r n m d u <<<"$v"
  mkvm "$n" "$m" "$d" "$u"
  defined=""
  for hp in $LAB_HOSTS; do $LAB/bin/hx ${hp%%:*} virsh -q dominfo "$n" >/dev/null 2>&1 && defined=1; done
  [ -n "$defined" ] || { $LAB/bin/hx $FIRST virsh -q define $LAB/shared/xml/$n.xml >/dev/null; log "defined $n on $FIRST"; }
done

cat > $LAB/lab.env <<EOF
LAB=$LAB
LAB_HOSTS="$LAB_HOSTS"
LAB_SSH_CONFIG=$LAB/ssh_config
LAB_SSH_KEY=$LAB/keys/id_ed25519
LAB_KNOWN_HOSTS=$LAB/keys/known_hosts
LAB_SHARED=$LAB/shared
EOF
log "lab up. e.g.: ssh -F $LAB/ssh_config ${FIRST} virsh list --all"
