import type { ImageHeader, ToolstackDriver, ToolstackName } from "./types";
import { xlDriver } from "./xl/driver";
import { virshDriver } from "./virsh/driver";
import { xmDriver } from "./xm/driver";

// The list of drivers. Adding a toolstack: its name in toolstackNames (types.ts); the compiler then asks for its driver
// here and its simulated command in sim/commands/toolstacks.ts. The driver is a folder under lib/toolstacks (commands,
// parsers with fixtures, errors, migrate, saverestore, driver), using what every driver shares (watch.ts, locate.ts,
// batch.ts, linux/); the simulated command a file under sim/commands/, and sim/world.ts gives the demo hosts of it.
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
