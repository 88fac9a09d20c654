import type { ImageHeader, ToolstackDriver, ToolstackName } from "./types";
import { xlDriver } from "./xl/driver";
import { virshDriver } from "./virsh/driver";
import { xmDriver } from "./xm/driver";

// The list of drivers. Adding a toolstack: a folder under lib/toolstacks (commands, parsers with fixtures, errors,
// driver), its name in ToolstackName (types.ts), one line here — and, for the demo and the tests, its simulated
// commands (sim/commands/), their dispatch in sim/host-server.ts and its hosts in sim/world.ts.
// Detection tries them in this order: xm first, since a Xen 4.1–4.4 host with xend running has xl too.
export const drivers: Record<ToolstackName, ToolstackDriver> = { xm: xmDriver, xl: xlDriver, virsh: virshDriver };

export const driverOf = (name: ToolstackName): ToolstackDriver => drivers[name];

/** The domain a save file holds, whichever toolstack wrote it (a directory may hold images of several). */
export function parseImageHeader(base64: string): ImageHeader | null {
  for (const d of Object.values(drivers)) {
    const h = d.files.parseHeader(base64);
    if (h) return h;
  }
  return null;
}

export type * from "./types";
