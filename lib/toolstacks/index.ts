import type { ToolstackDriver, ToolstackName } from "./types";
import { xlDriver } from "./xl/driver";

export const drivers: Record<ToolstackName, ToolstackDriver> = { xl: xlDriver };
export type * from "./types";
