import { afterAll, afterEach, expect, vi } from "vitest";
import { nameTestsBy, takeUnclaimed } from "./log-claims";

// Runs before every test file (vitest.config.ts setupFiles). Ferry's logger writes to lib/testing/log-claims.ts:
// an error-level line that no test claims fails the test it was written in (or the file, when it came after the
// last test), with the line in the failure.
vi.mock("../log", async (importOriginal) => {
  const real = await importOriginal<typeof import("../log")>();
  const { claimingStream } = await import("./log-claims");
  return { ...real, log: real.createLogger(claimingStream) };
});

nameTestsBy(() => expect.getState().currentTestName ?? "(between tests)");

const check = () => {
  const left = takeUnclaimed();
  expect(
    left.map((l) => JSON.stringify(l)),
    "error-level log lines no test claimed (claim an expected one with claimErrors and assert on it)",
  ).toEqual([]);
};
afterEach(check);
afterAll(check);
