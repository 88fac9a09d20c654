import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { DOMAIN_NAME_RULE, IMAGE_PATH_RULE, domainNameSchema, imagePathSchema, isInside } from "./names";
import { buildCommand } from "../ssh/quote";
import { runShell } from "../../sim/sh/run";

// Generators of what an attacker or a slip of the hand sends: shell metacharacters, quotes, newlines,
// unicode, traversal and option-looking values, mixed with plain text.
const meta = fc.constantFrom(
  ..."'\"\\$`;&|<>(){}*?[]~#! \t\n\r",
  "$(reboot)",
  "`id`",
  "../",
  "..",
  "-rf",
  "--help",
  "é",
  "日本",
  "\u202e",
  "\0",
);
const hostile = fc
  .array(fc.oneof(meta, fc.string({ maxLength: 6 }), fc.constantFrom("web01", "/xen-saved-images/", "a")), {
    minLength: 1,
    maxLength: 6,
  })
  .map((p) => p.join(""));
const RUNS = { hostile: 2000, arbitrary: 2000 };

async function shellArgv(argv: string[]): Promise<string[][]> {
  const ran: string[][] = [];
  await runShell(
    buildCommand(argv),
    { vars: {}, commands: { xl: () => 0 }, onCommand: (a) => ran.push(a) },
    { out: () => {}, err: () => {}, signal: new AbortController().signal },
  );
  return ran;
}

describe("domain names", () => {
  it("accepts real names and refuses the hostile with the allowed characters", () => {
    for (const ok of ["ubuntu_fuwa_nfs_domU", "debian_etch_domU", "web-01.prod", "a"])
      expect(domainNameSchema.safeParse(ok).success).toBe(true);
    for (const bad of ["-rf", "--help", "a b", "a;reboot", "$(id)", "x\ny", "../etc", "", "é", "web01--incoming"]) {
      const r = domainNameSchema.safeParse(bad);
      expect(r.success).toBe(false);
    }
    expect(domainNameSchema.safeParse("a;b").error!.issues[0].message).toBe(DOMAIN_NAME_RULE);
  });

  it(`whatever is accepted reaches the host as one argv word, never an option (${RUNS.hostile + RUNS.arbitrary} generated inputs)`, async () => {
    const check = async (s: string) => {
      const r = domainNameSchema.safeParse(s);
      if (!r.success) return;
      expect(s.startsWith("-")).toBe(false);
      expect(await shellArgv(["xl", "list", s])).toEqual([["xl", "list", s]]);
    };
    await fc.assert(fc.asyncProperty(hostile, check), { numRuns: RUNS.hostile });
    await fc.assert(fc.asyncProperty(fc.string({ unit: "grapheme-ascii", maxLength: 70 }), check), {
      numRuns: RUNS.arbitrary,
    });
  });
});

describe("image paths", () => {
  it("accepts absolute clean paths and refuses relative, traversal, option-like and metacharacter paths", () => {
    expect(imagePathSchema.safeParse("/xen-saved-images/etch.save").success).toBe(true);
    for (const bad of [
      "etch.save",
      "/xen-saved-images/../etc/shadow",
      "/xen-saved-images/./x",
      "/-rf",
      "/a b",
      "/a;b",
      "/a/",
      "//a",
      "/a\n",
      "/.hidden",
    ]) {
      expect(imagePathSchema.safeParse(bad).success, bad).toBe(false);
    }
    expect(imagePathSchema.safeParse("x").error!.issues[0].message).toBe(IMAGE_PATH_RULE);
  });

  it("accepted paths never climb out of a directory", () => {
    fc.assert(
      fc.property(hostile, (tail) => {
        const p = `/xen-saved-images/${tail}`;
        if (!imagePathSchema.safeParse(p).success) return;
        expect(p.split("/")).not.toContain("..");
        expect(isInside("/xen-saved-images", p)).toBe(true);
      }),
      { numRuns: RUNS.hostile },
    );
    expect(isInside("/xen-saved-images", "/xen-saved-images-evil/x")).toBe(false);
  });
});
