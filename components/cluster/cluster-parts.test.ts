import { describe, expect, it } from "vitest";
import type { Check } from "@/lib/checks/migration";
import type { HostView } from "@/lib/inventory/types";
import type { JobSummary } from "@/lib/jobs/types";
import type { DomainInfo } from "@/lib/toolstacks/types";
import { makeAnnouncements } from "./drag-announcements";
import { domainKey } from "./domain-key";
import { hostsForFind, matchOf, noFind } from "./find";
import { noSelection, selectionWords, stillThere, toggled, withAll } from "./selection";
import { FINISHED_CARD_MS, shownJobs } from "./shown-jobs";
import { verdict } from "./verdict";

// The Cluster page's pure parts: the hovered host's verdict, which job cards show, what a screen reader hears, what
// Find keeps, and the selection of domains to move together.

const dom = (name: string, memoryMiB = 512, id = 3): DomainInfo =>
  ({ name, id, uuid: `uuid-${name}`, memoryMiB, state: "running" }) as DomainInfo;
const host = (id: string, name: string, domains: DomainInfo[]) => ({ id, name, domains }) as HostView;
const check = (status: Check["status"], reason: string) => ({ id: status, status, reason }) as unknown as Check;

describe("the drop verdict", () => {
  it("names the first failure, else the first warning, else says all pass", () => {
    expect(verdict([check("ok", "fine"), check("warn", "slow link"), check("fail", "no room")])).toEqual({
      status: "fail",
      reason: "no room",
    });
    expect(verdict([check("ok", "fine"), check("warn", "slow link")])).toEqual({ status: "warn", reason: "slow link" });
    expect(verdict([check("ok", "fine")]).status).toBe("ok");
  });
});

describe("which job cards show", () => {
  const now = Date.parse("2026-12-05T12:00:00Z");
  const job = (id: string, status: JobSummary["status"], finishedAgoMs = 0) =>
    ({
      id,
      status,
      createdAt: new Date(now - finishedAgoMs - 1000).toISOString(),
      finishedAt: status === "running" ? null : new Date(now - finishedAgoMs).toISOString(),
    }) as JobSummary;
  const none = new Set<string>();
  it("shows every running job, and a finished one only if this page watched it or this tab started it", () => {
    const jobs = [job("r", "running"), job("w", "succeeded"), job("t", "failed"), job("other", "succeeded")];
    const shown = shownJobs(jobs, { watched: new Set(["w"]), startedInTab: new Set(["t"]), dismissed: none }, now);
    expect(shown.map((j) => j.id)).toEqual(["r", "w", "t"]);
  });
  it("drops dismissed cards and those finished over ten minutes ago, and keeps four cards at most", () => {
    const seen = { watched: new Set(["a", "b", "old"]), startedInTab: none, dismissed: new Set(["b"]) };
    expect(
      shownJobs([job("a", "succeeded"), job("b", "succeeded"), job("old", "failed", FINISHED_CARD_MS + 1)], seen, now),
    ).toHaveLength(1);
    const running = ["1", "2", "3", "4"].map((id) => job(id, "running"));
    expect(shownJobs([...running, job("a", "succeeded")], seen, now).map((j) => j.id)).toEqual(["1", "2", "3", "4"]);
  });
});

describe("what a screen reader hears during a drag", () => {
  const say = makeAnnouncements(new Map([["h1", "hostB"]]));
  const active = { id: domainKey("h0", dom("web")) };
  it("names the domain and the host, never an id", () => {
    expect(say.onDragStart({ active })).toBe("Picked up web.");
    expect(say.onDragOver({ active, over: { id: "h1" } })).toBe("web is over hostB.");
    expect(say.onDragEnd({ active, over: null })).toMatch(/was put back\.$/);
  });
});

describe("Find", () => {
  const h = host("h1", "hostB", []);
  it("keeps domains whose name or host's name holds the text, in the chosen state", () => {
    expect(matchOf(noFind)).toBeNull();
    const m = matchOf({ ...noFind, text: " WEB " })!;
    expect(m(dom("web-1"), h)).toBe(true);
    expect(m(dom("db-1"), h)).toBe(false);
    expect(matchOf({ ...noFind, text: "hostb" })!(dom("db-1"), h)).toBe(true);
    expect(matchOf({ ...noFind, state: "paused" })!(dom("db-1"), h)).toBe(false);
  });
  it("puts the hosts with a domain it keeps first, keeping every host and their order otherwise", () => {
    const hosts = [host("h1", "a", [dom("db-1")]), host("h2", "b", [dom("web-1")]), host("h3", "c", [dom("web-2")])];
    const names = (f: typeof noFind) => {
      const { found, others } = hostsForFind(hosts, f, matchOf(f));
      return [found.map((x) => x.name), others.map((x) => x.name)];
    };
    expect(names(noFind)).toEqual([[], ["a", "b", "c"]]);
    expect(names({ ...noFind, text: "web" })).toEqual([["b", "c"], ["a"]]);
    expect(names({ ...noFind, text: "c" })).toEqual([["c"], ["a", "b"]]);
    expect(names({ ...noFind, text: "nothing" })).toEqual([[], ["a", "b", "c"]]);
  });
});

describe("the selection", () => {
  const a = dom("a", 1024);
  const b = dom("b", 512);
  it("toggles a domain in and out, and selects or clears many at once", () => {
    const one = toggled(noSelection, a, "h1");
    expect([...one.values()]).toEqual([{ domain: "a", hostId: "h1", memoryMiB: 1024 }]);
    expect(toggled(one, a, "h1").size).toBe(0);
    const both = withAll(one, [{ domain: b, hostId: "h2" }], true);
    expect(both.size).toBe(2);
    expect(withAll(both, [{ domain: a, hostId: "h1" }], false).size).toBe(1);
  });
  it("forgets what is no longer where it was selected, and keeps the same object when nothing changed", () => {
    const sel = withAll(
      noSelection,
      [
        { domain: a, hostId: "h1" },
        { domain: b, hostId: "h1" },
      ],
      true,
    );
    expect(stillThere(sel, [host("h1", "hostA", [a, b])])).toBe(sel);
    // b moved to h2: its row on h1 is gone
    expect(
      [...stillThere(sel, [host("h1", "hostA", [a]), host("h2", "hostB", [b])]).values()].map((p) => p.domain),
    ).toEqual(["a"]);
  });
  it("says how many, how much memory, and from where", () => {
    const sel = withAll(
      noSelection,
      [
        { domain: a, hostId: "h1" },
        { domain: b, hostId: "h2" },
      ],
      true,
    );
    expect(
      selectionWords(
        sel,
        new Map([
          ["h1", "hostA"],
          ["h2", "hostB"],
        ]),
      ),
    ).toBe("2 domains selected (1.5 GiB) on hostA and hostB");
  });
});
