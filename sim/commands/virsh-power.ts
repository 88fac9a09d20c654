import type { SimDomain, World } from "../world";

// virsh start / shutdown / reboot on the simulated libvirt host, in libvirt 9.0's words (tools/virsh-domain.c:
// "Domain '%1$s' started", "Domain '%1$s' is being shutdown", "Domain '%1$s' is being rebooted"; the refusals are
// virError's "Requested operation is not valid: …"). A shutdown is the guest's ACPI one: virsh returns at once and
// the guest is listed "in shutdown", then "shut off" (a transient domain is forgotten) a moment later; a reboot keeps
// the domain's id and restarts its clock.

/** How long the simulated guest takes to act on an ACPI request, in simulated ms. */
const GUEST_ACPI_MS = 1500;

export interface PowerIO {
  out(text: string): void;
  /** a failure in virsh's words: "error: <msg>" */
  fail(msg: string): number;
}

export function virshPower(
  world: World,
  hostName: string,
  action: "start" | "shutdown" | "reboot",
  d: SimDomain,
  io: PowerIO,
): number {
  const host = world.host(hostName);
  const later = (fn: () => void) => setTimeout(fn, GUEST_ACPI_MS / Math.max(1, world.timeScale)).unref?.();
  if (action === "start") {
    if (d.state !== "shutoff") return io.fail("Requested operation is not valid: domain is already active");
    if (world.freeMemoryMiB(host) < d.memoryMiB)
      return io.fail(
        "internal error: process exited while connecting to monitor: qemu-system-x86_64: cannot set up guest memory 'pc.ram': Cannot allocate memory",
      );
    d.state = "running";
    d.domid = host.nextDomid++;
    d.startedAt = Date.now();
    d.stopReason = undefined;
    io.out(`Domain '${d.name}' started\n`);
    world.emit("change", hostName);
    return 0;
  }
  if (d.state === "shutoff")
    return io.fail(
      `Failed to ${action} domain '${d.name}'\nerror: Requested operation is not valid: domain is not running`,
    );
  if (action === "shutdown") {
    io.out(`Domain '${d.name}' is being shutdown\n`);
    later(() => {
      if (d.state === "shutoff" || !host.domains.includes(d)) return;
      if (d.persistent) {
        d.state = "shutoff";
        d.domid = -1;
        d.stopReason = undefined;
      } else host.domains.splice(host.domains.indexOf(d), 1);
      world.emit("change", hostName);
    });
    return 0;
  }
  io.out(`Domain '${d.name}' is being rebooted\n`);
  later(() => {
    if (!host.domains.includes(d) || d.state === "shutoff") return;
    d.startedAt = Date.now();
    world.emit("change", hostName);
  });
  return 0;
}
