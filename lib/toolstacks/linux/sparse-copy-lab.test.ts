import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { SshConnection } from "../../ssh/connection";
import { scanHostKey } from "../../ssh/host-key";
import { hostArgv, parseSha256, parseStatSizes } from "./host-commands";

// A disk copied host to host with its holes (a move by save/restore whose disks the target does not see, issue 31),
// on the lab's real hosts (e2e/lab/up.sh: OpenSSH and GNU tar in network namespaces, each with its own /var): the
// command Ferry runs, sent through Ferry's own SSH connection to hostB, copies a sparse file to hostC; hostC's copy
// takes what hostB's takes, not its size, and has the same sha256.

const LAB = process.env.LAB ?? "/tmp/ferry-lab";
const env = path.join(LAB, "lab.env");
const labUp = fs.existsSync(env);
const vars = labUp
  ? Object.fromEntries([...fs.readFileSync(env, "utf8").matchAll(/^(\w+)="?([^"\n]*)"?$/gm)].map((m) => [m[1], m[2]]))
  : {};
const ipOf = (host: string) => new RegExp(`${host}:(\\S+)`).exec(vars.LAB_HOSTS ?? "")?.[1] ?? "";
const FILE = "/var/tmp/ferry-sparse-copy.img";
const MiB = 1024 * 1024;
const open: SshConnection[] = [];

async function connect(host: string) {
  const address = ipOf(host);
  const { fingerprint } = await scanHostKey(address, 22);
  const c = new SshConnection(host, {
    address,
    port: 22,
    user: "root",
    fingerprint,
    auth: { kind: "key", keyPath: vars.LAB_SSH_KEY },
  });
  open.push(c);
  return c;
}

afterAll(async () => {
  for (const c of open) {
    await c.exec(hostArgv.remove(FILE)).catch(() => undefined);
    c.close();
  }
});

describe("a sparse disk copied between the lab's real hosts", () => {
  it.skipIf(!labUp)(
    `keeps its holes: hostC's copy takes what hostB's takes, with the same size and sha256${labUp ? "" : " (skipped: the lab is down; sudo npm run lab:up)"}`,
    async () => {
      const [b, c] = await Promise.all([connect("hostB"), connect("hostC")]);
      // 256 MiB file, 2 MiB of data at 100 MiB; hostC has no such file (its own /var)
      await c.exec(hostArgv.remove(FILE));
      const made = await b.exec([
        "sh",
        "-c",
        'rm -f "$1" && truncate -s 256M "$1" && head -c 2097152 /dev/urandom | dd of="$1" bs=1M seek=100 conv=notrunc status=none',
        "make",
        FILE,
      ]);
      expect(made).toMatchObject({ code: 0, stderr: "" });
      expect((await c.exec(hostArgv.statSizes(FILE))).code).toBe(1);
      const src = parseStatSizes((await b.exec(hostArgv.statSizes(FILE))).stdout)!;
      expect(src.sizeBytes).toBe(256 * MiB);
      expect(src.allocatedBytes).toBeLessThan(4 * MiB);

      const copy = await b.exec(hostArgv.sparseCopyTo(FILE, ipOf("hostC")), { timeoutMs: 60_000 });
      expect(copy).toMatchObject({ code: 0, stderr: "" });

      const dst = parseStatSizes((await c.exec(hostArgv.statSizes(FILE))).stdout)!;
      expect(dst.sizeBytes).toBe(256 * MiB);
      expect(dst.allocatedBytes).toBeLessThan(4 * MiB);
      const [here, there] = await Promise.all([b.exec(hostArgv.sha256(FILE)), c.exec(hostArgv.sha256(FILE))]);
      expect(parseSha256(here.stdout)).toMatch(/^[0-9a-f]{64}$/);
      expect(parseSha256(there.stdout)).toBe(parseSha256(here.stdout));
    },
  );
});
