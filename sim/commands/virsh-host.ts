import type { SimHost, World } from "../world";
import { capabilitiesXml } from "./virsh-print";

// What simulated virsh says about its host — nodeinfo, nodememstats, version, hostname, capabilities, uri — as
// libvirt 9.0 prints it in the lab (lib/toolstacks/virsh/fixtures), without virsh's closing "\n" (sim/commands/virsh.ts
// adds it).

export const LIBVIRT_VERSION = "9.0.0";
export const QEMU_VERSION = "7.2.22";

export type HostSubcommand = "nodeinfo" | "nodememstats" | "version" | "hostname" | "capabilities" | "uri";

export function hostText(world: World, host: SimHost, sub: HostSubcommand): string {
  switch (sub) {
    case "nodeinfo": {
      const line = (k: string, v: string | number) => `${`${k}:`.padEnd(20)} ${v}\n`;
      return [
        line("CPU model", host.arch),
        line("CPU(s)", host.nrCpus),
        line("CPU frequency", `${Math.round(host.cpuMhz)} MHz`),
        line("CPU socket(s)", 1),
        line("Core(s) per socket", host.nrCpus),
        line("Thread(s) per core", 1),
        line("NUMA cell(s)", 1),
        line("Memory size", `${host.totalMemoryMiB * 1024} KiB`),
      ].join("");
    }
    case "nodememstats": {
      const free = world.freeMemoryMiB(host) * 1024;
      return (
        [
          ["total", host.totalMemoryMiB * 1024],
          ["free", free],
          ["buffers", 33964],
          ["cached", 941012],
        ] as const
      )
        .map(([k, v]) => `${k.padEnd(7)}:${String(v).padStart(21)} KiB\n`)
        .join("");
    }
    case "version":
      return `Compiled against library: libvirt ${LIBVIRT_VERSION}\nUsing library: libvirt ${LIBVIRT_VERSION}\nUsing API: QEMU ${LIBVIRT_VERSION}\nRunning hypervisor: QEMU ${QEMU_VERSION}\n`;
    case "hostname":
      return `${host.hostname}\n`;
    case "capabilities":
      return capabilitiesXml(host);
    case "uri":
      return "qemu:///system\n";
  }
}
