import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { buildCommand, quoteArg } from "./quote";
import { runShell } from "../../sim/sh/run";

// The remote shell must receive exactly the argv Ferry meant: quote, then parse as sh would.
async function argvAfterShell(argv: string[]): Promise<string[][]> {
  const ran: string[][] = [];
  await runShell(
    buildCommand(argv),
    {
      vars: { HOME: "/root" },
      commands: new Proxy(
        {},
        {
          get: () => () => 0,
          has: () => true,
          getOwnPropertyDescriptor: () => ({ configurable: true, enumerable: true, value: () => 0 }),
        },
      ),
      onCommand: (a) => ran.push(a),
    },
    { out: () => {}, err: () => {}, signal: new AbortController().signal },
  );
  return ran;
}

describe("quoteArg", () => {
  it.each([
    ["plain", "plain"],
    ["", "''"],
    ["a b", "'a b'"],
    ["it's", "'it'\\''s'"],
    ["$(reboot)", "'$(reboot)'"],
    ["-rf", "-rf"],
  ])("%j → %s", (input, quoted) => expect(quoteArg(input)).toBe(quoted));

  it("refuses a NUL byte", () => expect(() => quoteArg("a\0b")).toThrow(/NUL/));

  it("round-trips hostile strings through the simulated host's shell as one word", async () => {
    const hostile = fc
      .oneof(
        fc.string({ unit: "grapheme", maxLength: 30 }),
        fc.string({ unit: fc.constantFrom(..."'\"\\$`;&|<>(){}*?[]~#! \t\n-=é日"), maxLength: 30 }),
      )
      .filter((s) => !s.includes("\0"));
    await fc.assert(
      fc.asyncProperty(fc.array(hostile, { minLength: 1, maxLength: 4 }), async (args) => {
        const ran = await argvAfterShell(["xl", ...args]);
        expect(ran).toEqual([["xl", ...args]]);
      }),
      { numRuns: 500 },
    );
  });
});
