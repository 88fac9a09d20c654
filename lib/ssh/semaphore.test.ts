import { describe, expect, it } from "vitest";
import { Semaphore } from "./semaphore";
import { LineFramer } from "./lines";

describe("Semaphore", () => {
  it("hands slots out in FIFO order and lets a waiter give up", async () => {
    const s = new Semaphore(1);
    const order: string[] = [];
    const r1 = await s.acquire();
    const p2 = s.acquire().then((r) => {
      order.push("2");
      return r;
    });
    const ac = new AbortController();
    const p3 = s.acquire(ac.signal).then(
      () => order.push("3"),
      () => order.push("3 gave up"),
    );
    const p4 = s.acquire().then((r) => {
      order.push("4");
      return r;
    });
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

describe("Semaphore with a reserve for jobs", () => {
  it("never gives the reserved slots to other work, and hands a freed slot to a waiting job first", async () => {
    const s = new Semaphore(3, 1);
    const n1 = await s.acquire();
    const n2 = await s.acquire();
    const order: string[] = [];
    const n3 = s.acquire(undefined, "normal").then((r) => {
      order.push("normal");
      return r;
    });
    expect(s.waiting).toBe(1); // two in use: the third slot is the jobs' reserve
    const j1 = await s.acquire(undefined, "job"); // a job still gets in at once
    expect(s.inUse).toBe(3);
    const j2 = s.acquire(undefined, "job").then((r) => {
      order.push("job");
      return r;
    });
    n1(); // the freed slot goes to the waiting job, though the normal waiter came first
    await j2;
    expect(order).toEqual(["job"]);
    (await j2)();
    j1(); // two in use again (n2 and now n3): the normal waiter may not take the reserve... it takes the second slot
    await n3;
    expect(order).toEqual(["job", "normal"]);
    n2();
    (await n3)();
    expect(s.inUse).toBe(0);
    expect(s.queued).toEqual({ job: 1, normal: 1 });
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
