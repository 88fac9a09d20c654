#!/bin/bash
# lab-down.sh - tear down the lab made by lab-up.sh (idempotent). Kills only processes the lab
# started: domains via virsh, daemons via their pid files, then any leftover pid still inside the
# lab's network namespaces (ip netns pids). LAB_PURGE=1 also deletes per-host state and images.
set -uo pipefail
LAB=${LAB:-/tmp/ferry-lab}
[ -f $LAB/lab.env ] && . $LAB/lab.env
LAB_HOSTS=${LAB_HOSTS:-"hostB:10.77.0.12 hostC:10.77.0.13"}
BR=labbr0

stop_pidfile() { # pidfile name
  local p; [ -s "$1" ] || return 0; p=$(cat "$1")
  if kill -0 "$p" 2>/dev/null && grep -qa "$2" /proc/$p/cmdline; then
    kill "$p"; for i in $(seq 1 30); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$p" 2>/dev/null && kill -9 "$p"
  fi
  rm -f "$1"
}

for hp in $LAB_HOSTS; do
  H=${hp%%:*}
  if [ -e /run/netns/$H ] && findmnt -n $LAB/run/ns/$H.mnt >/dev/null 2>&1; then
    for d in $($LAB/bin/hx $H virsh list --name 2>/dev/null); do
      $LAB/bin/hx $H virsh destroy "$d" >/dev/null 2>&1 && echo "destroyed $d on $H"
    done
  fi
  stop_pidfile $LAB/run/pids/$H-libvirtd.pid libvirtd
  stop_pidfile $LAB/run/pids/$H-sshd.pid sshd
  # anything else still running inside this host's netns was started by the lab (qemu, ssh sessions)
  if [ -e /run/netns/$H ]; then
    for p in $(ip netns pids $H 2>/dev/null); do echo "killing leftover pid $p ($(tr '\0' ' ' </proc/$p/cmdline | cut -c1-60))"; kill "$p" 2>/dev/null; done
    sleep 0.5
    for p in $(ip netns pids $H 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
  fi
  umount $LAB/run/ns/$H.mnt 2>/dev/null; umount $LAB/run/ns/$H.uts 2>/dev/null
  rm -f $LAB/run/ns/$H.mnt $LAB/run/ns/$H.uts
  ip link del v$H 2>/dev/null
  ip netns del $H 2>/dev/null && echo "deleted netns $H"
done
ip link del $BR 2>/dev/null && echo "deleted bridge $BR"
mountpoint -q $LAB/run/ns && umount $LAB/run/ns
# lab.env says "the lab is up" to the lab suite and bench:forecast; state stays for a fast lab:up
rm -f $LAB/lab.env
if [ "${LAB_PURGE:-0}" = 1 ]; then
  rm -rf $LAB/hosts $LAB/run $LAB/shared $LAB/keys $LAB/lab.env $LAB/etc-hosts $LAB/ssh_config
  echo "purged lab state"
fi
echo "lab down"
