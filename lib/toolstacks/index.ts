import type { ImageHeader, ToolstackDriver, ToolstackName } from "./types";
import { xlDriver } from "./xl/driver";
import { virshDriver } from "./virsh/driver";

// The list of drivers: adding a toolstack is a folder under lib/toolstacks and one line here.
export const drivers: Record<ToolstackName, ToolstackDriver> = { xl: xlDriver, virsh: virshDriver };

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
