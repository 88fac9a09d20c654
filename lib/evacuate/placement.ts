import type { Db } from "../db/client";
import { AppError } from "../errors";
import type { Inventory } from "../inventory/inventory";
import type { HostView } from "../inventory/types";
import type { Check } from "../checks/migration";
import { DEFAULT_MAX_DOWNTIME_MS } from "../forecast/model";
import type { RuleInput } from "./schema";

// Where domains may go, as the operators set it: each domain's priority and maximum downtime, and the placement
// rules (keep these apart, keep these together). The evacuation planner reads them (lib/evacuate/service.ts), and
// every proposed live migration is checked against the rules (the job engine's extra checks, server.ts).

export class Placement {
  constructor(
    private readonly db: Db,
    private readonly inventory: Inventory,
  ) {}

  async settings() {
    const [domains, rules] = await Promise.all([
      this.db.domainSetting.findMany({ orderBy: { domainName: "asc" } }),
      this.db.placementRule.findMany({ orderBy: { name: "asc" } }),
    ]);
    return {
      domains: domains.map((d) => ({ domain: d.domainName, priority: d.priority, maxDowntimeMs: d.maxDowntimeMs })),
      rules: rules.map((r) => ({
        id: r.id,
        name: r.name,
        kind: r.kind,
        domains: JSON.parse(r.domainsJson) as string[],
      })),
      defaults: { priority: 50, maxDowntimeMs: DEFAULT_MAX_DOWNTIME_MS },
    };
  }

  private knownDomains(): Set<string> {
    return new Set(this.inventory.snapshot().flatMap((h) => h.domains.filter((d) => d.id !== 0).map((d) => d.name)));
  }

  async setDomain(input: { domain: string; priority: number; maxDowntimeMs: number | null }) {
    if (!this.knownDomains().has(input.domain))
      throw new AppError("domain_not_found", `No host has a domain named ${input.domain}.`);
    await this.db.domainSetting.upsert({
      where: { domainName: input.domain },
      create: { domainName: input.domain, priority: input.priority, maxDowntimeMs: input.maxDowntimeMs },
      update: { priority: input.priority, maxDowntimeMs: input.maxDowntimeMs },
    });
    return this.settings();
  }

  async addRule(input: RuleInput, by: string) {
    const known = this.knownDomains();
    const unknown = input.domains.filter((d) => !known.has(d));
    if (unknown.length)
      throw new AppError(
        "invalid_input",
        `No host has a domain named ${unknown.join(", ")}: a rule names domains Ferry can see.`,
      );
    if (await this.db.placementRule.findUnique({ where: { name: input.name } }))
      throw new AppError("conflict", `A rule named "${input.name}" already exists.`);
    await this.db.placementRule.create({
      data: { name: input.name, kind: input.kind, domainsJson: JSON.stringify(input.domains), createdBy: by },
    });
    return this.settings();
  }

  async removeRule(id: string) {
    const { count } = await this.db.placementRule.deleteMany({ where: { id } });
    if (!count) throw new AppError("not_found", "No such rule.");
    return this.settings();
  }

  /** The rules a move of `domain` onto `target` would break (the drag-and-drop checks warn with their names). */
  async rulesBrokenBy(domain: string, target: HostView): Promise<string[]> {
    const rules = await this.db.placementRule.findMany();
    const here = new Set(target.domains.map((d) => d.name));
    const broken: string[] = [];
    for (const r of rules) {
      const members = JSON.parse(r.domainsJson) as string[];
      if (!members.includes(domain)) continue;
      const others = members.filter((m) => m !== domain);
      if (r.kind === "anti-affinity") {
        const clash = others.filter((o) => here.has(o));
        if (clash.length)
          broken.push(
            `Rule "${r.name}" keeps ${domain} apart from ${clash.join(", ")}, which ${clash.length > 1 ? "run" : "runs"} on ${target.name}.`,
          );
      } else {
        const away = others.filter((o) => !here.has(o));
        if (away.length)
          broken.push(
            `Rule "${r.name}" keeps ${domain} together with ${away.join(", ")}, which ${away.length > 1 ? "are" : "is"} not on ${target.name}.`,
          );
      }
    }
    return broken;
  }

  /** The rules a move would break, as warnings of the migration's checks (the drag preview and the dialog show them). */
  async checks(domain: string, target: HostView): Promise<Check[]> {
    return (await this.rulesBrokenBy(domain, target)).map((reason) => ({
      id: "placement-rule",
      label: "Placement rules",
      status: "warn" as const,
      reason,
    }));
  }
}
