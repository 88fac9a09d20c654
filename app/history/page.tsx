import { EmptyState } from "@/components/ui/empty-state";
import { Button } from "@/components/ui/button";
import { Alert } from "@/components/ui/alert";
import { TableScroll } from "@/components/table-scroll";
import { LocalTime } from "@/components/time";
import Link from "next/link";
import { domainHref } from "@/lib/domain-href";
import { getServices } from "@/lib/runtime";
import { requirePage } from "@/lib/auth/page";
import { fieldIssues } from "@/lib/hosts/schema";
import { jobFilterSchema, toJobFilter } from "@/lib/jobs/schema";
import { listJobs } from "@/lib/jobs/store";
import { bytesText, durationMs, historyFigures, routeText } from "@/lib/jobs/history";
import { formatBytes, formatMs } from "@/lib/format-bytes";
import { jobStatuses, kindWords, type JobSummary } from "@/lib/jobs/types";
import { forecastError } from "@/lib/forecast/model";

function forecastErrorText(j: JobSummary): string {
  if (!j.forecast || j.status !== "succeeded") return "—";
  const e = forecastError(j.forecast, {
    durationMs: durationMs(j),
    downtimeMs: j.downtimeMs,
    downtimeBound: j.downtimeBound,
  });
  const pct = (v: number | null) => (v === null ? "—" : `${Math.round(v * 100)} %`);
  // against an upper bound there is no error to give, only whether the forecast was under it
  return `${pct(e.duration)} / ${e.downtimeBounded ? "bound only" : pct(e.downtime)}`;
}

export const dynamic = "force-dynamic";
export const metadata = { title: "History" };

const columns = {
  created: { label: "Started", key: (j: JobSummary) => j.createdAt },
  domain: { label: "Domain", key: (j: JobSummary) => j.domainName },
  route: { label: "Source → target", key: (j: JobSummary) => `${j.sourceName}→${j.targetName}` },
  who: { label: "Who", key: (j: JobSummary) => j.createdBy },
  duration: { label: "Duration", key: (j: JobSummary) => durationMs(j) ?? -1 },
  downtime: { label: "Downtime", key: (j: JobSummary) => j.downtimeMs ?? -1 },
  bytes: { label: "Bytes", key: (j: JobSummary) => j.bytesSent },
  outcome: { label: "Outcome", key: (j: JobSummary) => j.status },
} as const;
type Col = keyof typeof columns;
const fieldNames: Record<string, string> = {
  from: "From",
  to: "To",
  status: "Outcome",
  host: "Host",
  domain: "Domain",
};

// GET /history?host=&domain=&status=&from=&to=&sort=&dir= – every job, filtered and sorted, with figures and CSV
export default async function HistoryPage({ searchParams }: { searchParams: Promise<Record<string, string>> }) {
  await requirePage("/history");
  const raw = await searchParams;
  const parsed = jobFilterSchema.safeParse(raw);
  const sort: Col = (raw.sort && raw.sort in columns ? raw.sort : "created") as Col;
  const dir = raw.dir === "asc" ? "asc" : "desc";
  // a refused field shows what was typed (a date input cannot show 2026-02-31) and is named in the alert
  const bad = parsed.success ? {} : fieldIssues(parsed.error);
  const jobs = parsed.success ? await listJobs(getServices().db, toJobFilter(parsed.data), 2000) : [];
  const key = columns[sort].key;
  jobs.sort((a, b) => {
    const x = key(a),
      y = key(b);
    return (x < y ? -1 : x > y ? 1 : 0) * (dir === "asc" ? 1 : -1);
  });
  const f = historyFigures(jobs);
  const qs = (over: Record<string, string>) => new URLSearchParams({ ...raw, ...over }).toString();
  const csv = `/api/jobs?${new URLSearchParams({ ...Object.fromEntries(Object.entries(raw).filter(([k]) => k !== "sort" && k !== "dir")), format: "csv" })}`;
  const input = "rounded-md border border-slate-300 px-2 py-1 text-sm";
  const hosts = getServices()
    .inventory.snapshot()
    .map((h) => h.name);
  return (
    <div>
      <h1 className="mb-1 text-2xl font-semibold">History</h1>
      <p className="mb-4 text-sm text-slate-600">
        Every job: who moved what where, how long it took, and how long the domain stood still.
      </p>
      {parsed.success && (
        <div className="mb-4 grid grid-cols-2 gap-3 sm:grid-cols-5" data-testid="history-figures">
          <Fig label="Jobs" value={String(f.count)} />
          <Fig
            label="Success rate"
            value={f.successRate === null ? "—" : `${Math.round(f.successRate * 100)} %`}
            sub={`${f.finished} finished`}
          />
          <Fig label="Median downtime" value={formatMs(f.medianDowntimeMs)} sub="live migrations" />
          <Fig label="p95 downtime" value={formatMs(f.p95DowntimeMs)} sub="live migrations" />
          <Fig
            label="Median outage"
            value={formatMs(f.medianMoveOutageMs)}
            sub="moves by save/restore"
            testId="history-move-outage"
          />
        </div>
      )}
      <form
        className="mb-4 flex flex-wrap items-end gap-2 rounded-lg border border-slate-200 bg-white p-3"
        data-testid="history-filter"
      >
        <label className="text-xs text-slate-600">
          Host
          <br />
          <select name="host" defaultValue={raw.host ?? ""} className={input}>
            <option value="">any</option>
            {hosts.map((h) => (
              <option key={h}>{h}</option>
            ))}
          </select>
        </label>
        <label className="text-xs text-slate-600">
          Domain
          <br />
          <input name="domain" defaultValue={raw.domain ?? ""} className={input} />
        </label>
        <label className="text-xs text-slate-600">
          Outcome
          <br />
          <select name="status" defaultValue={raw.status ?? ""} className={input}>
            <option value="">any</option>
            {jobStatuses.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
        {(["from", "to"] as const).map((field) => (
          <label key={field} className="text-xs text-slate-600">
            {fieldNames[field]}
            <br />
            <input
              type={bad[field] ? "text" : "date"}
              name={field}
              defaultValue={raw[field] ?? ""}
              className={input}
              aria-invalid={bad[field] ? true : undefined}
              data-testid={`history-${field}`}
            />
          </label>
        ))}
        <Button type="submit" kind="primary">
          Filter
        </Button>
        <a href="/history" className="px-2 py-1.5 text-sm text-slate-600 underline">
          Clear
        </a>
        <a
          href={csv}
          className="ml-auto rounded-md border border-slate-300 px-3 py-1.5 text-sm"
          data-testid="history-csv"
          download
        >
          Export CSV
        </a>
      </form>
      {!parsed.success && (
        <Alert tone="error" className="mb-4" testId="history-error">
          {Object.entries(bad)
            .map(([field, problem]) => `${fieldNames[field] ?? field}: ${problem}`)
            .join(" ")}
        </Alert>
      )}
      {!parsed.success ? null : jobs.length === 0 ? (
        <EmptyState title="No jobs match" testId="history-empty">
          Drag a domain onto another host on the Cluster page to make one.
        </EmptyState>
      ) : (
        <TableScroll label="Jobs table">
          <table
            className="stack-on-phone w-full overflow-hidden rounded-lg border border-slate-200 bg-white text-sm"
            data-testid="history-table"
          >
            <thead className="bg-slate-50 text-left text-xs text-slate-600">
              <tr>
                <th className="px-3 py-2">Kind</th>
                {(Object.keys(columns) as Col[]).map((c) => (
                  <th key={c} className="px-3 py-2">
                    <Link
                      href={`/history?${qs({ sort: c, dir: sort === c && dir === "desc" ? "asc" : "desc" })}`}
                      className="hover:underline"
                      data-testid={`sort-${c}`}
                    >
                      {columns[c].label}
                      {sort === c ? (dir === "asc" ? " ▲" : " ▼") : ""}
                    </Link>
                  </th>
                ))}
                <th className="px-3 py-2" title="|forecast − actual| ÷ actual, time / downtime">
                  Forecast error
                </th>
                <th className="px-3 py-2">Error</th>
              </tr>
            </thead>
            <tbody>
              {jobs.map((j) => (
                <tr key={j.id} className="border-t border-slate-100 align-top" data-testid="history-row">
                  <td className="px-3 py-1.5 text-xs" data-label="Kind">
                    {kindWords[j.kind]}
                  </td>
                  <td className="whitespace-nowrap px-3 py-1.5 text-xs" data-label="Started">
                    <Link href={`/jobs/${j.id}`} className="text-sky-800 underline">
                      <LocalTime iso={new Date(j.createdAt).toISOString()} />
                    </Link>
                  </td>
                  <td className="px-3 py-1.5" data-label="Domain">
                    <Link
                      href={domainHref({ name: j.domainName, uuid: j.domainUuid })}
                      className="text-sky-800 underline"
                      prefetch={false}
                    >
                      {j.domainName}
                    </Link>
                  </td>
                  <td className="px-3 py-1.5" data-label="Route">
                    {routeText(j)}
                  </td>
                  <td className="px-3 py-1.5" data-label="Who">
                    {j.createdBy}
                  </td>
                  <td className="px-3 py-1.5" data-label="Duration">
                    {formatMs(durationMs(j))}
                  </td>
                  <td className="px-3 py-1.5" data-label="Downtime">
                    {j.downtimeMs === null ? "—" : `${j.downtimeBound ? "≤ " : ""}${formatMs(j.downtimeMs)}`}
                  </td>
                  <td className="px-3 py-1.5" data-label="Bytes">
                    {bytesText(j, formatBytes)}
                  </td>
                  <td className="px-3 py-1.5" data-testid="history-outcome" data-label="Outcome">
                    {j.status}
                  </td>
                  <td className="px-3 py-1.5 text-xs" data-testid="history-forecast-error" data-label="Forecast error">
                    {forecastErrorText(j)}
                  </td>
                  <td className="px-3 py-1.5 text-xs text-slate-600" data-label="Error">
                    {j.errorMessage ?? ""}
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

function Fig({ label, value, sub, testId }: { label: string; value: string; sub?: string; testId?: string }) {
  return (
    <div className="rounded-lg border border-slate-200 bg-white p-3" data-testid={testId}>
      <p className="text-xs text-slate-500">{label}</p>
      <p className="text-xl font-semibold">{value}</p>
      {sub && <p className="text-xs text-slate-500">{sub}</p>}
    </div>
  );
}
