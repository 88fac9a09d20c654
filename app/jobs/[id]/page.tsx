import { notFound } from "next/navigation";
import { getServices } from "@/lib/runtime";
import { requirePage } from "@/lib/auth/page";
import { hasRole } from "@/lib/auth/roles";
import { summaryOf } from "@/lib/jobs/store";
import { JobDetail } from "@/components/jobs/job-detail";

export const dynamic = "force-dynamic";

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
