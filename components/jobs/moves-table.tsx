import Link from "next/link";
import { TableScroll } from "@/components/table-scroll";
import { LocalTime } from "@/components/time";
import { formatMs } from "@/lib/format-bytes";
import { durationMs, routeText } from "@/lib/jobs/history";
import { kindWords, type JobSummary } from "@/lib/jobs/types";

/** A short list of moves (the host page's and the domain page's): when, what, where, how long, how it ended. */
export function MovesTable({ jobs, label }: { jobs: JobSummary[]; label: string }) {
  return (
    <TableScroll label={label}>
      <table className="stack-on-phone mt-1 w-full min-w-[32rem] text-left text-sm" data-testid="moves-table">
        <thead className="text-xs text-slate-600">
          <tr>
            <th>Started</th>
            <th>Job</th>
            <th>Route</th>
            <th>Took</th>
            <th>Outcome</th>
          </tr>
        </thead>
        <tbody>
          {jobs.map((j) => (
            <tr key={j.id} className="border-t border-slate-100">
              <td data-label="Started">
                <LocalTime iso={j.createdAt} />
              </td>
              <td data-label="Job">
                <Link className="text-sky-800 underline" href={`/jobs/${j.id}`}>
                  {j.domainName}: {kindWords[j.kind]}
                </Link>
              </td>
              <td data-label="Route">{routeText(j)}</td>
              <td data-label="Took">{formatMs(durationMs(j))}</td>
              <td data-label="Outcome">{j.status}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {jobs.length === 0 && <p className="text-sm text-slate-600">No moves yet.</p>}
    </TableScroll>
  );
}
