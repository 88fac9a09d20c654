import { AppError } from "../errors";
import type { Db } from "../db/client";
import type { Inventory } from "../inventory/inventory";
import type { HostView } from "../inventory/types";
import { hostArgv as argv, parseDirListing, parseSha256 } from "../toolstacks/linux/host-commands";
import { drivers, parseImageHeader, type ImageHeader } from "../toolstacks";
import type { ToolstackName } from "../toolstacks/types";
import { isInside } from "../toolstacks/names";

// The saved-image catalog: images Ferry made (with the sha256 taken right after the save) and xl or
// libvirt save files found in each host's image directories (header read for the domain and its config).

type ImageRow = Awaited<ReturnType<Db["image"]["findMany"]>>[number];
export type Integrity = "verified" | "changed" | "missing" | "unverified";

export interface ImageView {
  id: string;
  hostId: string;
  hostName: string;
  path: string;
  domainName: string;
  memoryMiB: number;
  sizeBytes: number;
  sha256: string | null;
  createdAt: string;
  jobId: string | null;
  state: "present" | "missing";
  integrity: Integrity;
  verifiedAt: string | null;
  mode: string | null;
  /** which toolstack can restore it (its header's format) and the architecture the header names, when it does */
  format: ToolstackName | null;
  arch: string | null;
  formatLabel: string | null;
  /** on shared storage: the host is only the one Ferry reaches the file through */
  shared: boolean;
  /** (the catalog's list) the restores made from it, and the later image of the same domain, if any */
  restoredBy?: { jobId: string; at: string; host: string | null }[];
  supersededBy?: { imageId: string; hostName: string; path: string; at: string } | null;
}

export function imageView(r: ImageRow): ImageView {
  return {
    id: r.id,
    hostId: r.hostId,
    hostName: r.hostName,
    path: r.path,
    domainName: r.domainName,
    memoryMiB: r.memoryMiB,
    sizeBytes: Number(r.sizeBytes),
    sha256: r.sha256,
    createdAt: r.createdAt.toISOString(),
    jobId: r.jobId,
    state: r.state === "missing" ? "missing" : "present",
    integrity: (["verified", "changed", "missing", "unverified"].includes(r.integrity)
      ? r.integrity
      : "unverified") as Integrity,
    verifiedAt: r.verifiedAt?.toISOString() ?? null,
    mode: r.mode,
    format: r.format && r.format in drivers ? (r.format as ToolstackName) : null,
    arch: r.arch,
    shared: r.shared,
    formatLabel: r.format && r.format in drivers ? drivers[r.format as ToolstackName].label : null,
  };
}

/** Directories that may hold images on a host: its own image directory and the shared ones. */
export function imageDirsOf(host: Pick<HostView, "imageDir">): string[] {
  const shared = (process.env.FERRY_SHARED_IMAGE_DIRS ?? "/xen-storage/saves")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  return [...new Set([host.imageDir, ...shared])];
}

/** Whether a path lies in one of the shared image directories (one place that several hosts see). */
export function onSharedStorage(host: Pick<HostView, "imageDir">, path: string): boolean {
  return imageDirsOf(host).some((d) => d !== host.imageDir && isInside(d, path));
}

export class ImageCatalog {
  constructor(
    private readonly db: Db,
    private readonly inventory: Inventory,
  ) {}

  /** Every image, newest first, with its place in its domain's history (restored from; made obsolete by a later one). */
  async list(): Promise<ImageView[]> {
    const images = (await this.db.image.findMany({ orderBy: { createdAt: "desc" } })).map(imageView);
    const restores = await this.db.job.findMany({
      // every restore that names an image (not the ids listed: a catalog of more than 999 images passes SQLite's
      // limit of parameters in one statement); those of images since removed match none below
      where: { kind: "restore", status: "succeeded", imageId: { not: null } },
      orderBy: { finishedAt: "asc" },
      select: { id: true, imageId: true, finishedAt: true, targetName: true },
    });
    return images.map((image, k) => {
      // the list is newest first: the next newer image of the same domain comes before this one
      const newer = images
        .slice(0, k)
        .reverse()
        .find((i) => i.domainName === image.domainName && i.createdAt > image.createdAt);
      return {
        ...image,
        restoredBy: restores
          .filter((r) => r.imageId === image.id)
          .map((r) => ({ jobId: r.id, at: r.finishedAt!.toISOString(), host: r.targetName })),
        supersededBy: newer
          ? { imageId: newer.id, hostName: newer.hostName, path: newer.path, at: newer.createdAt }
          : null,
      };
    });
  }

  async get(id: string): Promise<ImageView> {
    const r = await this.db.image.findUnique({ where: { id } });
    if (!r) throw new AppError("not_found", "No such image in the catalog.");
    return imageView(r);
  }

  /** the images a job made (a move's image on the source, and its copy on the target) */
  async byJob(jobId: string): Promise<ImageView[]> {
    return (await this.db.image.findMany({ where: { jobId } })).map(imageView);
  }

  async record(i: {
    host: HostView;
    path: string;
    header: Pick<ImageHeader, "name" | "uuid" | "memoryMiB"> & Partial<Pick<ImageHeader, "format" | "arch">>;
    sizeBytes: number;
    sha256: string;
    jobId: string;
  }) {
    const data = {
      hostName: i.host.name,
      domainName: i.header.name,
      domainUuid: i.header.uuid,
      memoryMiB: i.header.memoryMiB,
      sizeBytes: BigInt(i.sizeBytes),
      sha256: i.sha256,
      jobId: i.jobId,
      state: "present",
      integrity: "verified",
      verifiedAt: new Date(),
      mode: "600",
      format: i.header.format ?? i.host.toolstack,
      arch: i.header.arch ?? i.host.facts?.arch ?? null,
      shared: onSharedStorage(i.host, i.path),
    };
    return imageView(
      await this.db.image.upsert({
        where: { hostId_path: { hostId: i.host.id, path: i.path } },
        create: { hostId: i.host.id, path: i.path, ...data },
        update: data,
      }),
    );
  }

  /** Finds xl save files in every online host's image directories; marks vanished ones missing. */
  async discover(): Promise<{ found: number; missing: number }> {
    let found = 0;
    let missing = 0;
    const seenShared = new Set<string>();
    for (const host of this.inventory.snapshot().filter((h) => h.status === "online")) {
      const conn = this.inventory.connection(host);
      const known = new Map((await this.db.image.findMany({ where: { hostId: host.id } })).map((r) => [r.path, r]));
      const present = new Set<string>();
      for (const dir of imageDirsOf(host)) {
        const r = await conn.exec(argv.listDir(dir), { timeoutMs: 15_000 }).catch(() => null);
        if (r?.code !== 0) continue;
        for (const f of parseDirListing(r.stdout)) {
          present.add(f.path);
          const sharedElsewhere = dir !== host.imageDir && seenShared.has(f.path);
          if (dir !== host.imageDir) seenShared.add(f.path);
          if (known.has(f.path) || sharedElsewhere) continue;
          const head = await conn.exec(argv.headBase64(f.path), { timeoutMs: 15_000 }).catch(() => null);
          const header = head?.code === 0 ? parseImageHeader(head.stdout) : null;
          if (!header) continue; // neither an xl nor a libvirt save file
          const other = await this.db.image.findFirst({ where: { path: f.path, hostId: { not: host.id } } });
          if (other && dir !== host.imageDir) continue;
          // a shared file is one place: reach it through a host of the toolstack that can restore it, if one sees it
          const owner =
            dir !== host.imageDir && host.toolstack !== header.format
              ? ((await this.hostThatSees(f.path, header.format)) ?? host)
              : host;
          await this.db.image.create({
            data: {
              hostId: owner.id,
              hostName: owner.name,
              path: f.path,
              domainName: header.name,
              domainUuid: header.uuid,
              memoryMiB: header.memoryMiB,
              sizeBytes: BigInt(f.size),
              createdAt: new Date(f.mtime),
              mode: f.mode,
              format: header.format,
              arch: header.arch,
              shared: dir !== host.imageDir,
            },
          });
          found++;
        }
      }
      for (const [path, row] of known) {
        const gone = !present.has(path);
        if (gone !== (row.state === "missing")) {
          await this.db.image.update({
            where: { id: row.id },
            data: { state: gone ? "missing" : "present", ...(gone ? { integrity: "missing" } : {}) },
          });
          if (gone) missing++;
        }
      }
    }
    return { found, missing };
  }

  /** Recomputes the sha256 on the host and compares; an image found outside Ferry gets its first checksum. */
  async verify(id: string): Promise<ImageView> {
    const img = await this.get(id);
    const host = this.hostOf(img);
    const r = await this.inventory.connection(host).exec(argv.sha256(img.path), { timeoutMs: 30 * 60_000 });
    const sum = r.code === 0 ? parseSha256(r.stdout) : null;
    const integrity: Integrity =
      sum === null ? "missing" : img.sha256 === null || img.sha256 === sum ? "verified" : "changed";
    return imageView(
      await this.db.image.update({
        where: { id },
        data: {
          integrity,
          verifiedAt: new Date(),
          state: sum === null ? "missing" : "present",
          ...(img.sha256 === null && sum ? { sha256: sum } : {}),
        },
      }),
    );
  }

  async remove(id: string): Promise<void> {
    const img = await this.get(id);
    const host = this.inventory.get(img.hostId);
    if (host && host.status === "online") {
      const r = await this.inventory.connection(host).exec(argv.remove(img.path), { timeoutMs: 30_000 });
      if (r.code !== 0)
        throw new AppError("toolstack_error", `Could not delete ${img.path} on ${host.name}: ${r.stderr.trim()}`);
    } else if (img.state === "present") {
      throw new AppError("host_unreachable", `${img.hostName} does not answer; the file cannot be deleted now.`);
    }
    await this.db.image.delete({ where: { id } });
  }

  /** An online host of `toolstack` that sees `path` (stat), if any. */
  private async hostThatSees(path: string, toolstack: ToolstackName): Promise<HostView | null> {
    for (const h of this.inventory.snapshot().filter((x) => x.status === "online" && x.toolstack === toolstack)) {
      const r = await this.inventory
        .connection(h)
        .exec(argv.statFile(path), { timeoutMs: 10_000 })
        .catch(() => null);
      if (r?.code === 0) return h;
    }
    return null;
  }

  hostOf(img: Pick<ImageView, "hostId" | "hostName">): HostView {
    const host = this.inventory.get(img.hostId);
    if (!host) throw new AppError("not_found", `${img.hostName} is no longer registered.`);
    return host;
  }
}
