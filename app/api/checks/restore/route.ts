import { AppError } from "@/lib/errors";
import { handler, parseBody } from "@/lib/http/handler";
import { getServices } from "@/lib/runtime";
import { restoreTargetSchema } from "@/lib/jobs/schema";
import { restoreChecks } from "@/lib/jobs/run-saverestore";

// POST /api/checks/restore – checks for restoring an image on a host (readable, unchanged, memory, arch, not running)
export const POST = handler("POST /api/checks/restore", async (req) => {
  const { imageId, targetId } = await parseBody(req, restoreTargetSchema);
  const { jobs, inventory, db } = getServices();
  const target = inventory.get(targetId);
  if (!target) throw new AppError("not_found", "The target host is not registered.");
  const image = await jobs.catalog.get(imageId);
  return { checks: await restoreChecks({ db, inventory, catalog: jobs.catalog, jobId: "", emit: async () => {} }, image, target) };
});
