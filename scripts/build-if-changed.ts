// `npm run demo` builds only when something the build reads changed since the last build (a build takes
// about 70 s on this machine): .next/BUILD_ID newer than every source file → skip. `FERRY_REBUILD=1` forces it.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

/** Files and folders `next build` reads. */
export const BUILD_INPUTS = [
  "app",
  "components",
  "lib",
  "public",
  "next.config.js",
  "package-lock.json",
  "tsconfig.json",
  "postcss.config.mjs",
];

/** The newest modification time under `paths` (ms), ignoring what does not exist. */
export function newestMtime(root: string, paths: readonly string[]): number {
  let newest = 0;
  const walk = (p: string) => {
    let st: fs.Stats;
    try {
      st = fs.statSync(p);
    } catch {
      return;
    }
    if (st.isDirectory()) {
      for (const e of fs.readdirSync(p)) if (e !== "node_modules" && !e.startsWith(".")) walk(path.join(p, e));
    } else newest = Math.max(newest, st.mtimeMs);
  };
  for (const p of paths) walk(path.join(root, p));
  return newest;
}

/** Whether the build in `root/.next` is older than its inputs (or missing). */
export function needsBuild(root: string, inputs: readonly string[] = BUILD_INPUTS): boolean {
  let built: number;
  try {
    built = fs.statSync(path.join(root, ".next", "BUILD_ID")).mtimeMs;
  } catch {
    return true;
  }
  return newestMtime(root, inputs) > built;
}

if (process.argv[1]?.endsWith("build-if-changed.ts")) {
  if (process.env.FERRY_REBUILD === "1" || needsBuild(process.cwd())) {
    // Ferry sends nothing anywhere: Next's telemetry (and its notice in the demo's output) is off
    execFileSync("npx", ["next", "build"], { stdio: "inherit", env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } });
  } else console.log("Ferry: the build is newer than every source file; not rebuilding (FERRY_REBUILD=1 forces it).");
}
