import { EmptyState } from "@/components/ui/empty-state";
import { Button } from "@/components/ui/button";
import { Alert } from "@/components/ui/alert";
import { TableScroll } from "@/components/table-scroll";
import { LocalTime } from "@/components/time";
import { getServices } from "@/lib/runtime";
import { requirePage } from "@/lib/auth/page";
import { auditFilterSchema, toAuditFilter } from "@/lib/audit/schema";
import { describeIssues } from "@/lib/hosts/schema";

export const dynamic = "force-dynamic";
export const metadata = { title: "Audit" };

const outcomeLook = {
  ok: "bg-emerald-100 text-emerald-800",
  refused: "bg-amber-100 text-amber-900",
  failed: "bg-red-100 text-red-800",
} as const;

// GET /audit?actor=&action=&outcome=&from=&to= – every mutating action: who, what, target, outcome, when
export default async function AuditPage({ searchParams }: { searchParams: Promise<Record<string, string>> }) {
  await requirePage("/audit");
  const raw = await searchParams;
  const parsed = auditFilterSchema.safeParse(raw);
  const entries = parsed.success ? await getServices().audit.list(toAuditFilter(parsed.data)) : [];
  const input = "rounded-md border border-slate-300 px-2 py-1 text-sm";
  return (
    <div>
      <h1 className="mb-1 text-2xl font-semibold">Audit log</h1>
      <p className="mb-4 text-sm text-slate-600">
        Every change anyone made or tried to make. Append-only: nobody can edit or delete an entry.
      </p>
      <form
        className="mb-4 flex flex-wrap items-end gap-2 rounded-lg border border-slate-200 bg-white p-3"
        data-testid="audit-filter"
      >
        <label className="text-xs text-slate-600">
          Who
          <br />
          <input name="actor" defaultValue={raw.actor ?? ""} className={input} placeholder="user name" />
        </label>
        <label className="text-xs text-slate-600">
          Action
          <br />
          <input name="action" defaultValue={raw.action ?? ""} className={input} placeholder="host.add" />
        </label>
        <label className="text-xs text-slate-600">
          Outcome
          <br />
          <select name="outcome" defaultValue={raw.outcome ?? ""} className={input}>
            <option value="">any</option>
            <option value="ok">ok</option>
            <option value="refused">refused</option>
            <option value="failed">failed</option>
          </select>
        </label>
        <label className="text-xs text-slate-600">
          From
          <br />
          <input type="date" name="from" defaultValue={raw.from ?? ""} className={input} />
        </label>
        <label className="text-xs text-slate-600">
          To
          <br />
          <input type="date" name="to" defaultValue={raw.to ?? ""} className={input} />
        </label>
        <Button type="submit" kind="primary" data-testid="audit-apply">
          Filter
        </Button>
        <a href="/audit" className="px-2 py-1.5 text-sm text-slate-600 underline">
          Clear
        </a>
      </form>
      {!parsed.success && (
        <Alert tone="error" className="mb-4" testId="audit-filter-error">
          {describeIssues(parsed.error)}
        </Alert>
      )}
      {entries.length === 0 ? (
        <EmptyState title="No entries match" testId="audit-empty" />
      ) : (
        <TableScroll label="Audit log table">
          <table
            className="stack-on-phone w-full overflow-hidden rounded-lg border border-slate-200 bg-white text-sm"
            data-testid="audit-table"
          >
            <thead className="bg-slate-50 text-left text-xs text-slate-600">
              <tr>
                <th className="px-3 py-2">When</th>
                <th className="px-3 py-2">Who</th>
                <th className="px-3 py-2">Action</th>
                <th className="px-3 py-2">Target</th>
                <th className="px-3 py-2">Outcome</th>
                <th className="px-3 py-2">Detail</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <tr key={e.id} className="border-t border-slate-100 align-top" data-testid="audit-row">
                  <td data-label="When" className="whitespace-nowrap px-3 py-1.5 text-xs text-slate-600">
                    <LocalTime iso={e.at} />
                  </td>
                  <td data-label="Who" className="px-3 py-1.5">
                    {e.actor}
                    {e.role && <span className="text-xs text-slate-500"> ({e.role})</span>}
                  </td>
                  <td data-label="Action" className="px-3 py-1.5 font-mono text-xs">
                    {e.action}
                  </td>
                  <td data-label="Target" className="px-3 py-1.5">
                    {e.target ?? "—"}
                  </td>
                  <td data-label="Outcome" className="px-3 py-1.5">
                    <span
                      className={`rounded px-1.5 py-0.5 text-xs ${outcomeLook[e.outcome as keyof typeof outcomeLook] ?? ""}`}
                    >
                      {e.outcome}
                    </span>
                  </td>
                  <td data-label="Detail" className="px-3 py-1.5 text-xs text-slate-600">
                    {e.detail ? String(e.detail.message ?? "") || JSON.stringify(e.detail) : ""}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
    </div>
  );
}
