import type { HostView } from "@/lib/inventory/types";
import { hostProblems } from "@/lib/inventory/problems";

/** What the host's own picture says is wrong (lib/inventory/problems.ts), above its domains. */
export function HostProblems({ host }: { host: Pick<HostView, "name" | "domains"> }) {
  const problems = hostProblems(host);
  if (!problems.length) return null;
  return (
    <ul className="mt-3 space-y-1" data-testid="host-problems">
      {problems.map((p) => (
        <li key={p} role="alert" className="rounded border border-red-300 bg-red-50 px-2 py-1.5 text-xs text-red-900">
          {p}
        </li>
      ))}
    </ul>
  );
}
