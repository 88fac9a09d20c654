import { describe, expect, it } from "vitest";
import { article, count, countDomains, formatClock, formatLocal, sentenceCase } from "./format";

describe("cluster summary words", () => {
  it("counts a domain listed by both hosts of its migration once, and says 1 domain", () => {
    const hosts = [
      {
        domains: [
          { id: 0, name: "Domain-0" },
          { id: 3, name: "web01" },
          { id: 4, name: "db01" },
        ],
      },
      {
        domains: [
          { id: 0, name: "Domain-0" },
          { id: 7, name: "web01" },
          { id: -1, name: "win-test" },
        ],
      },
    ];
    expect(countDomains(hosts)).toBe(2);
    expect(count(1, "domain")).toBe("1 domain");
    expect(count(2, "domain")).toBe("2 domains");
    expect(count(0, "host")).toBe("0 hosts");
  });
});

describe("words", () => {
  it("says 1 pass and 3 passes, an xl image and a virsh image, and Move by save/restore", () => {
    expect(count(1, "pass", "passes")).toBe("1 pass");
    expect(count(3, "pass", "passes")).toBe("3 passes");
    expect(count(1, "round")).toBe("1 round");
    expect(article("xl (Xen)")).toBe("an xl (Xen)");
    expect(article("xm (legacy Xen)")).toBe("an xm (legacy Xen)");
    expect(article("virsh (KVM)")).toBe("a virsh (KVM)");
    expect(sentenceCase("move by save/restore")).toBe("Move by save/restore");
  });
});

describe("times", () => {
  it("one ISO-like, 24-hour form in the browser's zone, labelled, on pages and chart ticks alike", () => {
    expect(formatLocal("2026-11-30T16:00:46.000Z", "Asia/Tokyo")).toBe("2026-12-01 01:00:46 GMT+9");
    expect(formatLocal("2026-11-30T13:39:05.000Z", "UTC")).toBe("2026-11-30 13:39:05 UTC");
    expect(formatClock(Date.parse("2026-11-30T13:39:05.000Z"), false, "UTC")).toBe("13:39");
    expect(formatClock(Date.parse("2026-11-30T00:05:09.000Z"), true, "UTC")).toBe("00:05:09");
  });
});
