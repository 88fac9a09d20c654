import type { Check } from "@/lib/checks/migration";
import type { DropState } from "./host-column";

/** A hovered host's banner from its checks: the first failure, else the first warning, else all clear. */
export function verdict(checks: Check[]): DropState {
  const fail = checks.find((c) => c.status === "fail");
  if (fail) return { status: "fail", reason: fail.reason };
  const warn = checks.find((c) => c.status === "warn");
  return warn
    ? { status: "warn", reason: warn.reason }
    : { status: "ok", reason: "All checks pass: drop to review and migrate." };
}
