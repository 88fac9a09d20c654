import path from "node:path";
import { spawn } from "node:child_process";
import type { Db } from "../../db/client";
import { testDatabaseUrl } from "../../db/testing";
import type { HostRecord } from "../../inventory/types";
import type { JobEvent } from "../types";

/**
 * Tests only: runs a job in a Ferry engine of its own process (engine-child.ts) and SIGKILLs that process when one
 * of its events matches — the old process is really gone (no cleanup, SSH sessions cut, no more writes), so the
 * engine the test recovers with is the only writer. Returns the job's id.
 */
export async function killedMidJob(
  ctx: { db: Db; dir: string; hosts: HostRecord[] },
  req: Record<string, unknown>,
  match: (e: JobEvent) => boolean,
): Promise<string> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", path.join(import.meta.dirname, "engine-child.ts"), JSON.stringify(req)],
    {
      env: {
        ...process.env,
        FERRY_TEST_DB: testDatabaseUrl(ctx.db, ctx.dir),
        FERRY_TEST_HOSTS: JSON.stringify(ctx.hosts),
        LOG_LEVEL: "silent",
      },
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  let jobId: string | null = null;
  let buf = "";
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  await new Promise<void>((resolve, reject) => {
    child.once("exit", () => reject(new Error("the child engine exited before the moment came")));
    child.stdout!.on("data", (d: Buffer) => {
      buf += d.toString();
      for (let nl = buf.indexOf("\n"); nl >= 0; nl = buf.indexOf("\n")) {
        const line = JSON.parse(buf.slice(0, nl));
        buf = buf.slice(nl + 1);
        if (line.submitted) jobId = line.submitted;
        else if (match(line as JobEvent)) {
          child.kill("SIGKILL");
          resolve();
        }
      }
    });
  });
  await exited;
  if (!jobId)
    jobId = (
      await ctx.db.job.findFirstOrThrow({
        where: { domainName: String(req.domain ?? "") },
        orderBy: { createdAt: "desc" },
      })
    ).id;
  return jobId;
}
