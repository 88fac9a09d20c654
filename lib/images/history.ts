import type { Db } from "../db/client";
import type { Check } from "../checks/migration";
import type { ImageView } from "./catalog";

// An image is the guest's memory at one moment; its disks move on as soon as the domain runs again. Restoring an
// image after the domain has run since (restored from it already, saved again, moved) puts old memory over newer
// disks and breaks the guest's filesystems: the restore checks refuse it unless the operator says they know.

/** What happened to the image's domain after the image was made, from Ferry's own jobs and catalog. */
export interface ImageHistory {
  /** jobs that ran the domain after the image was made, oldest first (the disk has moved on since each) */
  since: { jobId: string; kind: string; at: string; host: string | null; fromThisImage: boolean }[];
  /** images of the same domain made later */
  supersededBy: { imageId: string; hostName: string; path: string; at: string }[];
}

export async function imageHistory(db: Db, image: ImageView): Promise<ImageHistory> {
  const madeAt = new Date(image.createdAt);
  const [jobs, later] = await Promise.all([
    db.job.findMany({
      where: {
        domainName: image.domainName,
        status: "succeeded",
        kind: { in: ["migrate", "move", "restore"] },
        finishedAt: { gt: madeAt },
        ...(image.jobId ? { id: { not: image.jobId } } : {}),
      },
      orderBy: { finishedAt: "asc" },
      select: { id: true, kind: true, finishedAt: true, locationHost: true, imageId: true },
    }),
    db.image.findMany({
      where: { domainName: image.domainName, createdAt: { gt: madeAt }, id: { not: image.id } },
      orderBy: { createdAt: "asc" },
      select: { id: true, hostName: true, path: true, createdAt: true },
    }),
  ]);
  return {
    since: jobs.map((j) => ({
      jobId: j.id,
      kind: j.kind,
      at: j.finishedAt!.toISOString(),
      host: j.locationHost,
      fromThisImage: j.kind === "restore" && j.imageId === image.id,
    })),
    supersededBy: later.map((i) => ({
      imageId: i.id,
      hostName: i.hostName,
      path: i.path,
      at: i.createdAt.toISOString(),
    })),
  };
}

const when = (iso: string) => iso.replace("T", " ").slice(0, 19);

/** The history in a sentence: "restored from it at … (job …); saved again at … (host:path)". */
export function historyWords(h: ImageHistory): string {
  const ran = h.since.map((j) =>
    j.fromThisImage
      ? `restored from it at ${when(j.at)} (job ${j.jobId})`
      : `${j.kind === "restore" ? "restored from another image" : j.kind === "move" ? "moved" : "migrated"}${j.host ? ` to ${j.host}` : ""} at ${when(j.at)} (job ${j.jobId})`,
  );
  const saved = h.supersededBy.map((i) => `saved again at ${when(i.at)} (${i.hostName}:${i.path})`);
  return [...ran, ...saved].join("; ");
}

/** The restore check: fail when the domain ran after the image was made, warn once the operator said they know. */
export function freshnessCheck(image: ImageView, h: ImageHistory, acknowledged: boolean): Check {
  const id = "fresh";
  const label = "The domain has not run since this image";
  if (!h.since.length && !h.supersededBy.length)
    return {
      id,
      label,
      status: "ok",
      reason: `Nothing Ferry ran has run ${image.domainName} since this image was made.`,
    };
  const story = `${image.domainName} has run since this image was made: ${historyWords(h)}.`;
  return acknowledged
    ? {
        id,
        label,
        status: "warn",
        reason: `${story} You confirmed that you know its disks have changed since (recorded in the audit log).`,
      }
    : {
        id,
        label,
        status: "fail",
        reason: `${story} Its disks have moved on: restoring this older memory over them breaks the guest's filesystems. Restore it only if you know the disks match it — tick "I know the disks have changed since" to go on.`,
      };
}
