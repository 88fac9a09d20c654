import { describe, expect, it } from "vitest";
import { slotHostId } from "./slots";

describe("the host a job takes a slot on", () => {
  it("is a restore's target (where it runs), not the host that holds the image", () => {
    const restore = { kind: "restore", sourceName: "hostA", targetName: "hostC", sourceHostId: "a", targetHostId: "c" };
    expect(slotHostId(restore)).toBe("c");
  });

  it("is the source for every kind that sends memory: a migration, a save, a move", () => {
    for (const kind of ["migrate", "save", "move"]) {
      const job = {
        kind,
        sourceName: "hostB",
        targetName: kind === "save" ? null : "hostC",
        sourceHostId: "b",
        targetHostId: kind === "save" ? null : "c",
      };
      expect(slotHostId(job)).toBe("b");
    }
  });
});
