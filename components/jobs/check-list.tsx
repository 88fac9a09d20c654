import Link from "next/link";
import type { Check } from "@/lib/checks/migration";

const icon = { ok: "✓", warn: "!", fail: "✗" } as const;
const look = { ok: "text-emerald-700", warn: "text-amber-700", fail: "text-red-700" } as const;

/** A list of checks, each ok / warn / fail with its reason; `idPrefix` names each row for tests (check-…, mcheck-…). */
export function CheckList({ checks, idPrefix, testId }: { checks: Check[]; idPrefix: string; testId: string }) {
  return (
    <ul className="space-y-1.5" data-testid={testId}>
      {checks.map((c) => (
        <li key={c.id} className="flex gap-2 text-sm" data-testid={`${idPrefix}-${c.id}`} data-status={c.status}>
          <span className={`w-4 shrink-0 font-bold ${look[c.status]}`} role="img" aria-label={c.status}>
            {icon[c.status]}
          </span>
          <span>
            <span className="font-medium">{c.label}.</span> <span className="text-slate-600">{c.reason}</span>
            {c.jobId && (
              <>
                {" "}
                <Link
                  href={`/jobs/${c.jobId}`}
                  className="text-sky-800 underline"
                  data-testid={`${idPrefix}-${c.id}-job`}
                >
                  Open that job
                </Link>
              </>
            )}
          </span>
        </li>
      ))}
    </ul>
  );
}
