import type { DestinationStream } from "pino";

// Tests only. Every error-level line Ferry's logger writes during a test is held here instead of printed; a test
// that provokes one on purpose claims it (and asserts on it), and vitest's setup (lib/testing/vitest-setup.ts)
// fails the test that leaves one unclaimed, printing it. So a green run prints no error nobody asked for.

/** One line as pino wrote it (JSON), with the test it was written in. */
export type LogLine = { level: number; msg?: string; test?: string; [field: string]: unknown };

const ERROR = 50;
const unclaimed: LogLine[] = [];
let currentTest: () => string = () => "";

/** The test a line is written in, as vitest names it (set by the setup file). */
export function nameTestsBy(fn: () => string) {
  currentTest = fn;
}

/** Pino's destination in tests: error lines are held for a claim, every other line goes to stdout. */
export const claimingStream: DestinationStream = {
  write(line: string) {
    let parsed: LogLine | null = null;
    try {
      parsed = JSON.parse(line) as LogLine;
    } catch {
      // not one of pino's lines: print it as it is
    }
    if (parsed && parsed.level >= ERROR) unclaimed.push({ ...parsed, test: currentTest() });
    else process.stdout.write(line);
  },
};

/** Takes the unclaimed error lines whose message matches: a test that provoked them asserts on what it got. */
export function claimErrors(msg: RegExp): LogLine[] {
  const claimed = unclaimed.filter((l) => msg.test(l.msg ?? ""));
  for (const l of claimed) unclaimed.splice(unclaimed.indexOf(l), 1);
  return claimed;
}

/** Every error line nobody claimed, taken (the setup file fails the test with them). */
export function takeUnclaimed(): LogLine[] {
  return unclaimed.splice(0);
}
