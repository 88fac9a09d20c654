import Link from "next/link";
import { TableScroll } from "@/components/table-scroll";
import { LocalTime } from "@/components/time";
import { formatMs } from "@/lib/format-bytes";
import { durationMs } from "@/lib/jobs/history";
import { kindWords, type JobSummary } from "@/lib/jobs/types";

/** A short list of moves (the host page's and the domain page's): when, what, where, how long, how it ended. */
export function MovesTable({ jobs, label }: { jobs: JobSummary[]; label: string }) {
  return (
    <TableScroll label={label}>
      <table className="mt-1 w-full min-w-[32rem] text-left text-sm">
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
              <td>
                <LocalTime iso={j.createdAt} />
              </td>
              <td>
                <Link className="text-sky-800 underline" href={`/jobs/${j.id}`}>
                  {j.domainName}: {kindWords[j.kind]}
                </Link>
              </td>
              <td>
                {j.sourceName}
                {j.targetName ? ` → ${j.targetName}` : ""}
              </td>
              <td>{formatMs(durationMs(j))}</td>
              <td>{j.status}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {jobs.length === 0 && <p className="text-sm text-slate-600">No moves yet.</p>}
    </TableScroll>
  );
}
