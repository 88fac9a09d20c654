import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SshConnection } from "../../lib/ssh/connection";
import { hostArgv, parseStatSizes } from "../../lib/toolstacks/linux/host-commands";
import { createDiskWorld, XEN_DISK_DIR } from "../disk-world";
import { startTestCluster } from "../testing";

// The simulated hosts run Ferry's sparse copy (tar through ssh, host-commands.ts's sparseCopyTo) as GNU tar 1.34
// does (lib/toolstacks/linux/fixtures/tar-sparse-copy-debian12.txt): holes stay holes, the link carries what the file
// takes, and each failure in tar's own words.

const MiB = 1024 * 1024;
const DISK = `${XEN_DISK_DIR}/xl-local.img`;
let sim: Awaited<ReturnType<typeof startTestCluster>>;
let hostB: SshConnection;
let hostC: SshConnection;

beforeAll(async () => {
  sim = await startTestCluster(createDiskWorld());
  sim.world.timeScale = 100;
  hostB = new SshConnection("hostB", sim.target("hostB"));
  hostC = new SshConnection("hostC", sim.target("hostC"));
});
afterAll(async () => {
  hostB.close();
  hostC.close();
  await sim.stop();
});

describe("simulated tar through ssh (a disk copied with its holes)", () => {
  it("copies a sparse file whole to the same path: the same size and sha256, the same bytes taken, the link charged for those only", async () => {
    const before = await hostB.exec(hostArgv.statSizes(DISK));
    expect(parseStatSizes(before.stdout)).toEqual({ sizeBytes: 512 * MiB, allocatedBytes: 64 * MiB });
    const tx = sim.world.host("hostB").txBytes;
    const r = await hostB.exec(hostArgv.sparseCopyTo(DISK, sim.world.host("hostC").ip));
    expect(r).toMatchObject({ code: 0, stderr: "" });
    const after = await hostC.exec(hostArgv.statSizes(DISK));
    expect(parseStatSizes(after.stdout)).toEqual({ sizeBytes: 512 * MiB, allocatedBytes: 64 * MiB });
    const [a, b] = await Promise.all([hostB.exec(hostArgv.sha256(DISK)), hostC.exec(hostArgv.sha256(DISK))]);
    expect(a.stdout.split(" ")[0]).toBe(b.stdout.split(" ")[0]);
    // GNU tar's archive: a header, the 64 MiB in use, two end blocks, padded to 10240 — not the 512 MiB file
    const sent = sim.world.host("hostB").txBytes - tx;
    expect(sent).toBeGreaterThanOrEqual(64 * MiB);
    expect(sent).toBeLessThan(64 * MiB + 20480);
    await hostC.exec(hostArgv.remove(DISK));
  });

  it("says what GNU tar says when the file, the target's directory or its room is missing", async () => {
    const missing = await hostB.exec(hostArgv.sparseCopyTo(`${XEN_DISK_DIR}/nosuch.img`, sim.world.host("hostC").ip));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("tar: nosuch.img: Cannot stat: No such file or directory\n");
    expect(missing.stderr).toContain("tar: This does not look like a tar archive\n");
    // hostA has no /var/lib/xen/images of its own
    const noDir = await hostB.exec(hostArgv.sparseCopyTo(DISK, sim.world.host("hostA").ip));
    expect(noDir).toMatchObject({
      code: 2,
      stderr: `tar: ${XEN_DISK_DIR}: Cannot open: No such file or directory\ntar: Error is not recoverable: exiting now\n`,
    });
    // hostC's disk with 16 MiB free: tar writes what fits, says so, and the partial file stays
    const mount = sim.world.host("hostC").mounts.find((m) => m.path === XEN_DISK_DIR)!;
    const used = mount.usedKiB;
    mount.usedKiB = mount.totalKiB - 16 * 1024;
    const full = await hostB.exec(hostArgv.sparseCopyTo(DISK, sim.world.host("hostC").ip));
    expect(full.code).toBe(2);
    expect(full.stderr).toMatch(/^tar: xl-local\.img: Wrote only \d+ of 10240 bytes\n/);
    expect(parseStatSizes((await hostC.exec(hostArgv.statSizes(DISK))).stdout)).toEqual({
      sizeBytes: 16 * MiB,
      allocatedBytes: 16 * MiB,
    });
    await hostC.exec(hostArgv.remove(DISK));
    mount.usedKiB = used;
  });

  it("refuses a use of tar it does not simulate instead of guessing", async () => {
    const r = await hostB.exec(["tar", "-czf", "/tmp/x.tgz", DISK]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("only `tar -C DIR -cSf - -- NAME` and `tar -C DIR -xSf -` are simulated");
  });
});
