import type { ToolstackName } from "../../lib/toolstacks/types";
import type { CommandFn } from "../sh/run";
import type { SimHost, World } from "../world";
import { virshCommand } from "./virsh";
import { xlCommand } from "./xl";
import { xmCommand } from "./xm";

/**
 * Each toolstack's simulated command, by the name Ferry's drivers use: a toolstack added to ToolstackName
 * (lib/toolstacks/types.ts) does not compile until its simulated command is here too.
 */
export const toolstackCommands: Record<ToolstackName, (world: World, hostName: string) => CommandFn> = {
  xl: xlCommand,
  virsh: virshCommand,
  xm: xmCommand,
};

/** The toolstack a simulated host runs: libvirt on a KVM host; xm on an old Xen host; xl on any other Xen host. */
export function toolstackOf(host: Pick<SimHost, "kind" | "toolstack">): ToolstackName {
  return host.kind === "kvm" ? "virsh" : (host.toolstack ?? "xl");
}
