import { describe, expect, it } from "vitest";
import type { ImageView } from "./catalog";
import { judge, placeTotals, ruleInputSchema, type RetentionRule } from "./retention";

// What the retention rules say of each image: the newest kept, the older proposed, the old flagged; a domain's rule
// over its directory's; never the newest, never one a job uses.

const now = Date.parse("2026-12-05T12:00:00Z");
const day = 86_400_000;
let n = 0;
const img = (domainName: string, daysAgo: number, over: Partial<ImageView> = {}): ImageView =>
  ({
    id: `i${++n}`,
    hostId: "hb",
    hostName: "hostB",
    path: `/xen-saved-images/${domainName}-${n}.save`,
    domainName,
    sizeBytes: 100,
    createdAt: new Date(now - daysAgo * day).toISOString(),
    state: "present",
    shared: false,
    ...over,
  }) as ImageView;
const rule = (scope: "dir" | "domain", value: string, keepLast: number | null, olderThanDays: number | null = null) =>
  ({ id: `${scope}:${value}`, scope, value, keepLast, olderThanDays, createdBy: "t", createdAt: "" }) as RetentionRule;

describe("retention", () => {
  const web = [img("web", 1), img("web", 5), img("web", 9)];
  const db = [img("db", 2), img("db", 40)];
  const elsewhere = img("web", 20, { path: "/other/web.save" });
  const all = [...web, ...db, elsewhere];

  it("keeps each domain's newest N in the directory and proposes the older ones; other directories untouched", () => {
    const v = judge(all, [rule("dir", "/xen-saved-images", 1)], new Set(), now);
    expect(v.delete.map((d) => d.image.id).sort()).toEqual([web[1].id, web[2].id, db[1].id].sort());
    expect(v.delete[0].why).toMatch(/keeps the newest 1 \(directory \/xen-saved-images\)/);
    expect(v.flagged).toEqual([]);
  });

  it("a domain's own rule wins over its directory's, across directories; an image in use is never proposed", () => {
    const rules = [rule("dir", "/xen-saved-images", 1), rule("domain", "web", 2)];
    const v = judge(all, rules, new Set([web[2].id]), now);
    // web: newest two of four kept (web[0], web[1]); web[2] is in use; the one in /other is the oldest: proposed
    expect(v.delete.map((d) => d.image.id).sort()).toEqual([db[1].id, elsewhere.id].sort());
  });

  it("flags images past the age without proposing them; the newest is never proposed even with keep 0 in the data", () => {
    const v = judge(all, [rule("domain", "db", null, 30)], new Set(), now);
    expect(v.flagged.map((f) => f.image.id)).toEqual([db[1].id]);
    expect(v.flagged[0].why).toBe("older than 30 days (domain db)");
    expect(v.delete).toEqual([]);
    expect(judge(web, [rule("domain", "web", 0)], new Set(), now).delete.map((d) => d.image.id)).not.toContain(
      web[0].id,
    );
  });

  it("totals each place, shared storage apart from each host's directory; missing files count nothing", () => {
    const shared = img("x", 1, { shared: true, path: "/xen-storage/saves/x.save", sizeBytes: 1000 });
    const gone = img("y", 1, { state: "missing" });
    expect(placeTotals([...all, shared, gone])).toEqual([
      { place: "shared storage: /xen-storage/saves", images: 1, bytes: 1000 },
      { place: "hostB:/xen-saved-images", images: 5, bytes: 500 },
      { place: "hostB:/other", images: 1, bytes: 100 },
    ]);
  });

  it("refuses a rule that says nothing, keeps 0, or names no valid directory, in words", () => {
    const problem = (x: unknown) => ruleInputSchema.safeParse(x).error?.issues[0].message;
    expect(problem({ scope: "dir", value: "/xen-saved-images" })).toMatch(/how many to keep/);
    expect(problem({ scope: "domain", value: "web", keepLast: 0 })).toMatch(/Keep at least 1 image/);
    expect(problem({ scope: "dir", value: "relative/dir", keepLast: 2 })).toBeTruthy();
    expect(ruleInputSchema.parse({ scope: "dir", value: " /xen-saved-images ", keepLast: 3 })).toMatchObject({
      value: "/xen-saved-images",
      olderThanDays: null,
    });
  });
});
