import type { ToolstackDriver, ToolstackName } from "./types";
import { xlDriver } from "./xl/driver";
import { virshDriver } from "./virsh/driver";

export const drivers: Record<ToolstackName, ToolstackDriver> = { xl: xlDriver, virsh: virshDriver };
export type * from "./types";
