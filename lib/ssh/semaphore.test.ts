import { describe, expect, it } from "vitest";
import { Semaphore } from "./semaphore";
import { LineFramer } from "./lines";

describe("Semaphore", () => {
  it("hands slots out in FIFO order and lets a waiter give up", async () => {
    const s = new Semaphore(1);
    const order: string[] = [];
    const r1 = await s.acquire();
    const p2 = s.acquire().then((r) => { order.push("2"); return r; });
    const ac = new AbortController();
    const p3 = s.acquire(ac.signal).then(() => order.push("3"), () => order.push("3 gave up"));
    const p4 = s.acquire().then((r) => { order.push("4"); return r; });
    expect(s.waiting).toBe(3);
    ac.abort();
    await p3;
    r1();
    (await p2)();
    (await p4)();
    expect(order).toEqual(["3 gave up", "2", "4"]);
    expect(s.inUse).toBe(0);
  });
});

describe("LineFramer", () => {
  it("joins lines split across chunks and strips CR", () => {
    const lines: string[] = [];
    const f = new LineFramer((l) => lines.push(l));
    f.push("ab");
    f.push("c\r\nde\nf");
    f.push("g");
    f.end();
    expect(lines).toEqual(["abc", "de", "fg"]);
  });
});
