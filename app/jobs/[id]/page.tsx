import { notFound } from "next/navigation";
import { getServices } from "@/lib/runtime";
import { currentSession, requirePage } from "@/lib/auth/page";
import { hasRole } from "@/lib/auth/roles";
import { summaryOf } from "@/lib/jobs/store";
import { kindWords } from "@/lib/jobs/types";
import { JobDetail } from "@/components/jobs/job-detail";

export const dynamic = "force-dynamic";

export async function generateMetadata({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  // nothing about a job for someone signed out (the page itself sends them to log in)
  const { session } = await currentSession();
  const row =
    session && /^[A-Za-z0-9_-]{1,64}$/.test(id)
      ? await getServices()
          .db.job.findUnique({ where: { id }, select: { domainName: true, kind: true } })
          .catch(() => null)
      : null;
  return { title: row ? `${row.domainName}: ${kindWords[row.kind as keyof typeof kindWords] ?? row.kind}` : "Job" };
}

// GET /jobs/:id – one job: phase timeline, bytes against memory, throughput, elapsed, downtime, chart, output
export default async function JobPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const { session } = await requirePage("/jobs/[id]", `/jobs/${id}`);
  const { db, jobs } = getServices();
  const row = await db.job.findUnique({ where: { id } });
  if (!row) notFound();
  return (
    <JobDetail
      job={summaryOf(row)}
      events={await jobs.events(id, 0)}
      canCancel={hasRole(session.user.role, "operator")}
    />
  );
}
