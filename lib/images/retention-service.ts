import type { Db } from "../db/client";
import { AppError, toAppError } from "../errors";
import type { ImageCatalog, ImageView } from "./catalog";
import {
  judge,
  placeTotals,
  ruleWords,
  type PlaceTotal,
  type RetentionRule,
  type RuleInput,
  type Verdicts,
} from "./retention";

// The catalog's retention rules (lib/images/retention.ts says what they mean): kept in the database, reviewed as a
// list of what they would delete, applied only to the list the operator read.

/** job statuses that are over: an image a job in any other status names is in use */
const OVER = ["succeeded", "failed", "cancelled"];

export interface RetentionReview {
  rules: RetentionRule[];
  verdicts: Verdicts;
  totals: PlaceTotal[];
}

export class Retention {
  constructor(
    private readonly db: Db,
    private readonly catalog: ImageCatalog,
  ) {}

  async rules(): Promise<RetentionRule[]> {
    const rows = await this.db.retentionRule.findMany({ orderBy: [{ scope: "asc" }, { value: "asc" }] });
    return rows.map((r) => ({
      id: r.id,
      scope: r.scope === "domain" ? "domain" : "dir",
      value: r.value,
      keepLast: r.keepLast,
      olderThanDays: r.olderThanDays,
      createdBy: r.createdBy,
      createdAt: r.createdAt.toISOString(),
    }));
  }

  async add(input: RuleInput, by: string): Promise<RetentionRule[]> {
    const clash = await this.db.retentionRule.findFirst({ where: { scope: input.scope, value: input.value } });
    if (clash)
      throw new AppError("conflict", `There is already a rule for ${ruleWords(input)}: remove it first to change it.`);
    await this.db.retentionRule.create({ data: { ...input, createdBy: by } });
    return this.rules();
  }

  async remove(id: string): Promise<RetentionRule[]> {
    const gone = await this.db.retentionRule.deleteMany({ where: { id } });
    if (!gone.count) throw new AppError("not_found", "No such rule.");
    return this.rules();
  }

  /** What the rules say now: the images they would delete and those they flag; each directory's totals. */
  async review(images?: ImageView[]): Promise<RetentionReview> {
    const all = images ?? (await this.catalog.list());
    const inUse = await this.db.job.findMany({
      where: { imageId: { not: null }, status: { notIn: OVER } },
      select: { imageId: true },
    });
    const rules = await this.rules();
    return {
      rules,
      verdicts: judge(all, rules, new Set(inUse.map((j) => j.imageId!)), Date.now()),
      totals: placeTotals(all),
    };
  }

  /**
   * Deletes what the rules propose — only if it is the list the operator read (`expect`): a list that changed since
   * (a new save, a rule changed) is refused and nothing is deleted. Each file is removed on its host (the catalog's
   * delete); one that cannot be is reported and the others go on.
   */
  async apply(expect: string[]): Promise<{ deleted: string[]; failed: { id: string; message: string }[] }> {
    const { verdicts } = await this.review();
    const now = verdicts.delete.map((d) => d.image.id).sort();
    if (now.join() !== [...new Set(expect)].sort().join())
      throw new AppError(
        "conflict",
        "What the rules would delete changed since you read the list (a new image, a rule, or a job): review it again.",
      );
    const deleted: string[] = [];
    const failed: { id: string; message: string }[] = [];
    for (const id of now) {
      try {
        await this.catalog.remove(id);
        deleted.push(id);
      } catch (e) {
        failed.push({ id, message: toAppError(e).message });
      }
    }
    return { deleted, failed };
  }
}
