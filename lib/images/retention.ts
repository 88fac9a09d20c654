import { z } from "zod";
import { domainNameSchema, imagePathSchema } from "../toolstacks/names";
import type { ImageView } from "./catalog";

// Keeping the image catalog in check: rules per image directory or per domain, and what they say of each image. A rule
// keeps each domain's newest `keepLast` images in its scope — the older ones are proposed for deletion, shown first,
// deleted only when the operator confirms that list — and/or flags images older than `olderThanDays`. A domain's own
// rule wins over its directory's for that domain's images. A domain's newest image is never proposed (keepLast ≥ 1),
// nor one a job is restoring from.

export interface RetentionRule {
  id: string;
  scope: "dir" | "domain";
  /** the directory's path (on every host that has it, and on shared storage), or the domain's name */
  value: string;
  keepLast: number | null;
  olderThanDays: number | null;
  createdBy: string;
  createdAt: string;
}

export const ruleInputSchema = z
  .object({
    scope: z.enum(["dir", "domain"], { error: "A rule is for an image directory or for a domain." }),
    value: z.string().trim().min(1, "Name the directory or the domain."),
    keepLast: z
      .number({ error: "Keep is a number of images." })
      .int("Keep a whole number of images.")
      .min(1, "Keep at least 1 image: the newest is never deleted by a rule.")
      .max(1000, "Keep at most 1000 images.")
      .nullable()
      .default(null),
    olderThanDays: z
      .number({ error: "The age is a number of days." })
      .int("The age is a whole number of days.")
      .min(1, "Flag images at least 1 day old.")
      .max(3650, "Flag images at most 3650 days old.")
      .nullable()
      .default(null),
  })
  .strict()
  .superRefine((r, ctx) => {
    const ok = (r.scope === "dir" ? imagePathSchema : domainNameSchema).safeParse(r.value);
    if (!ok.success) ctx.addIssue({ code: "custom", path: ["value"], message: ok.error.issues[0].message });
    if (r.keepLast === null && r.olderThanDays === null)
      ctx.addIssue({
        code: "custom",
        path: ["keepLast"],
        message: "Say how many to keep, or after how many days to flag, or both.",
      });
  });
export type RuleInput = z.infer<typeof ruleInputSchema>;

export const applySchema = z
  .object({
    expect: z
      .array(z.string().min(1).max(64), { error: "Send the ids of the images you read (expect: [id])." })
      .min(1, "There is nothing to delete.")
      .max(1000),
  })
  .strict();

/** The directory an image sits in. */
export const dirOf = (path: string) => path.slice(0, path.lastIndexOf("/")) || "/";

/** Where an image sits, as the operator names it: "hostB:/xen-saved-images", or "shared storage: /xen-storage/saves". */
export const placeOf = (i: Pick<ImageView, "shared" | "hostName" | "path">) =>
  i.shared ? `shared storage: ${dirOf(i.path)}` : `${i.hostName}:${dirOf(i.path)}`;

export interface PlaceTotal {
  place: string;
  images: number;
  bytes: number;
}

/** Each directory's count and total size, largest first. */
export function placeTotals(images: ImageView[]): PlaceTotal[] {
  const totals = new Map<string, PlaceTotal>();
  for (const i of images.filter((x) => x.state === "present")) {
    const place = placeOf(i);
    const t = totals.get(place) ?? { place, images: 0, bytes: 0 };
    totals.set(place, { place, images: t.images + 1, bytes: t.bytes + i.sizeBytes });
  }
  return [...totals.values()].sort((a, b) => b.bytes - a.bytes || a.place.localeCompare(b.place));
}

export interface Verdicts {
  /** proposed for deletion (older than the newest `keepLast` of its domain in the rule's scope) */
  delete: { image: ImageView; why: string }[];
  /** older than a rule's age: shown, not deleted */
  flagged: { image: ImageView; why: string }[];
}

/** What the rules say of each image; `busy` are images a job uses now (never proposed). */
export function judge(images: ImageView[], rules: RetentionRule[], busy: ReadonlySet<string>, now: number): Verdicts {
  const byDomain = new Map(rules.filter((r) => r.scope === "domain").map((r) => [r.value, r]));
  const byDir = new Map(rules.filter((r) => r.scope === "dir").map((r) => [r.value, r]));
  const ruleOf = (i: ImageView) => byDomain.get(i.domainName) ?? byDir.get(dirOf(i.path)) ?? null;
  const out: Verdicts = { delete: [], flagged: [] };
  // newest first, per (rule, place, domain): a directory rule counts each host's copy of the directory apart
  const groups = new Map<string, ImageView[]>();
  for (const i of [...images]
    .filter((x) => x.state === "present")
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt))) {
    const r = ruleOf(i);
    if (!r) continue;
    const key = r.scope === "domain" ? `${r.id}|${i.domainName}` : `${r.id}|${placeOf(i)}|${i.domainName}`;
    groups.set(key, [...(groups.get(key) ?? []), i]);
    if (r.olderThanDays !== null && now - Date.parse(i.createdAt) > r.olderThanDays * 86_400_000)
      out.flagged.push({ image: i, why: `older than ${r.olderThanDays} days (${ruleWords(r)})` });
  }
  for (const [key, list] of groups) {
    const r = rules.find((x) => x.id === key.split("|")[0])!;
    if (r.keepLast === null) continue;
    for (const image of list.slice(Math.max(1, r.keepLast))) {
      if (busy.has(image.id)) continue;
      out.delete.push({
        image,
        why: `${list.length} images of ${image.domainName} ${r.scope === "dir" ? `in ${placeOf(image)}` : ""}; the rule keeps the newest ${r.keepLast} (${ruleWords(r)})`.replace(
          " ;",
          ";",
        ),
      });
    }
  }
  return out;
}

/** "directory /xen-saved-images", "domain web-kvm" */
export const ruleWords = (r: Pick<RetentionRule, "scope" | "value">) =>
  r.scope === "dir" ? `directory ${r.value}` : `domain ${r.value}`;
