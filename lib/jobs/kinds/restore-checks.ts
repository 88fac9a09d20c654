import type { HostView } from "../../inventory/types";
import type { Check } from "../../checks/migration";
import { memoryRoom, notInMaintenance } from "../../checks/rules";
import type { ImageView } from "../../images/catalog";
import { freshnessCheck, imageHistory } from "../../images/history";
import { hostArgv as argv, parseSha256 } from "../../toolstacks/linux/host-commands";
import { driverOf } from "../../toolstacks";
import { article, sentenceCase } from "../../format";

import type { RunContext } from "./context";

// What a restore of a catalogued image on a host checks first (the dialog's Check, and the job before it runs).

const ok = (id: string, label: string, reason: string): Check => ({ id, label, status: "ok", reason });
const fail = (id: string, label: string, reason: string): Check => ({ id, label, status: "fail", reason });

/** `acknowledgedStale`: the operator said they know the domain's disks have changed since the image was made. */
export async function restoreChecks(
  ctx: RunContext,
  image: ImageView,
  target: HostView,
  acknowledgedStale = false,
): Promise<Check[]> {
  const conn = ctx.inventory.connection(target);
  const checks: Check[] = [];
  checks.push({ id: "maintenance", label: "Target not in maintenance", ...notInMaintenance(target) });
  checks.push(freshnessCheck(image, await imageHistory(ctx.db, image), acknowledgedStale));
  const st = await conn.exec(argv.statFile(image.path), { timeoutMs: 10_000 }).catch(() => null);
  checks.push(
    st?.code === 0
      ? ok("readable", "Target can read the image", `${target.name} sees ${image.path}.`)
      : fail(
          "readable",
          "Target can read the image",
          `${target.name} cannot read ${image.path}${image.hostId !== target.id ? ` (it is on ${image.hostName}; move it to shared storage first)` : ""}.`,
        ),
  );
  if (st?.code === 0) {
    const sum = parseSha256((await conn.exec(argv.sha256(image.path), { timeoutMs: 60 * 60_000 })).stdout);
    checks.push(
      image.sha256 === null
        ? {
            id: "checksum",
            label: "Image unchanged since the save",
            status: "warn",
            reason: "Ferry did not make this image, so it has no checksum to compare.",
          }
        : sum === image.sha256
          ? ok("checksum", "Image unchanged since the save", `sha256 ${sum.slice(0, 12)}… matches.`)
          : fail(
              "checksum",
              "Image unchanged since the save",
              `The image changed since it was saved (sha256 ${sum?.slice(0, 12) ?? "unreadable"}… ≠ ${image.sha256.slice(0, 12)}…): Ferry refuses to restore it.`,
            ),
    );
  }
  const free = target.facts?.freeMemoryMiB ?? 0;
  checks.push({
    id: "memory",
    label: "Enough free memory on the target",
    ...memoryRoom(image.domainName, image.memoryMiB, target.name, free),
  });
  // what the image itself says decides, not the host Ferry found it through (a shared directory is seen by many)
  const tf = target.facts;
  const format = image.format;
  if (format) {
    checks.push(
      format === target.toolstack
        ? ok(
            "format",
            "Image made by the target's toolstack",
            `${sentenceCase(article(format))} save image; ${target.name} uses ${target.toolstack}.`,
          )
        : fail(
            "format",
            "Image made by the target's toolstack",
            `This is a ${driverOf(format).label} save image; ${target.name} uses ${driverOf(target.toolstack).label} and cannot restore it.`,
          ),
    );
  }
  // the architecture: from the image's header (libvirt's XML names it), else from the host that saved it
  const saver = image.jobId ? ctx.inventory.get(image.hostId)?.facts : undefined;
  const arch = image.arch ?? saver?.arch ?? null;
  const ext = saver?.virtExtensions.join(",");
  checks.push(
    !tf
      ? fail("arch", "Same architecture", `${target.name} has not been read yet.`)
      : arch === null
        ? {
            id: "arch",
            label: "Same architecture",
            status: "warn",
            reason: `The image does not say which architecture it was saved on; ${target.name} is ${tf.arch}.`,
          }
        : arch !== tf.arch
          ? fail("arch", "Same architecture", `Saved on ${arch}, ${target.name} is ${tf.arch}.`)
          : ext !== undefined && ext !== tf.virtExtensions.join(",")
            ? fail(
                "arch",
                "Same architecture",
                `Saved on ${arch}/${ext || "no extensions"}, ${target.name} is ${tf.arch}/${tf.virtExtensions.join(",") || "no extensions"}.`,
              )
            : ok(
                "arch",
                "Same architecture",
                `${tf.arch}${ext !== undefined ? ` with ${tf.virtExtensions.join(", ") || "no extensions"}` : ""}, as the image.`,
              ),
  );
  // asked of every host now, not read from the last refresh: a stale picture must not let a second copy start.
  // A shut-off libvirt definition does not run; only active domains count.
  const hosts = ctx.inventory.snapshot().filter((h) => h.status === "online");
  const states = await Promise.all(
    hosts.map((h) =>
      driverOf(h.toolstack)
        .files.state(ctx.inventory.connection(h), image.domainName)
        .catch(() => null),
    ),
  );
  const running = hosts.filter(
    (_, i) => states[i] !== null && states[i] !== "absent" && states[i] !== "defined" && states[i] !== "shutdown",
  );
  const silent = hosts.filter((_, i) => states[i] === null);
  checks.push(
    running.length
      ? fail(
          "not-running",
          "Domain not running anywhere",
          `${image.domainName} already runs on ${running.map((h) => h.name).join(" and ")}: restoring would make two copies.`,
        )
      : silent.length
        ? {
            id: "not-running",
            label: "Domain not running anywhere",
            status: "warn",
            reason: `Could not ask ${silent.map((h) => h.name).join(", ")} whether ${image.domainName} runs there: if it runs there, restoring makes a second copy.`,
          }
        : ok(
            "not-running",
            "Domain not running anywhere",
            `${image.domainName} runs on none of the ${hosts.length} hosts that answer (asked just now).`,
          ),
  );
  return checks;
}
