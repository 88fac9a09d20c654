import { describe, expect, it } from "vitest";
import type { TrialPlan } from "./plan";
import { runTrial } from "./trial";

// Every violation the fault campaign (npm run trials) found, replayed from the steps it printed (kept whole, so a
// change in how trials are drawn does not change what is replayed): each failed before its fix.
const FOUND: { what: string; plan: TrialPlan }[] = [
  {
    what: "SEED=1 TRIAL=0: a KVM guest that crashed mid-migration vanished from `virsh list --all` (the simulated libvirt forgot a persistent domain; real libvirt keeps it, shut off (crashed)), and the job did not say where it was still defined",
    plan: {
      seed: 1,
      index: 0,
      toolstack: "virsh",
      job: "migrate",
      domain: "web-kvm",
      source: "kvmA",
      target: "kvmB",
      faults: [{ kind: "domain-crash" }],
    },
  },
];

describe("violations the fault campaign found stay fixed", () => {
  it.each(FOUND)("$what", async ({ plan }) => {
    const r = await runTrial(plan, 4);
    expect(r.violations).toEqual([]);
  });
});
