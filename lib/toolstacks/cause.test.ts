import { describe, expect, it } from "vitest";
import { causeLine } from "./cause";
import { virshMigrateError } from "./virsh/errors";
import { errorOfLines, saveRestoreError } from "./xl/errors";

// A failed command prints why first and noise after; the message quotes the line that says why.

describe("the line that says why", () => {
  it("an xl restore whose cause comes early, progress and clean-up after it", () => {
    const lines = [
      "Loading new save file /xen-saved-images/web.save (new xl fmt info 0x3/0x0/1444)",
      " Savefile contains xl domain config in JSON format",
      "libxl: error: libxl_create.c:689:libxl__domain_make: Domain 7:domain id recently used: Device or resource busy",
      "libxl: error: libxl_create.c:1277:initiate_domain_create: Domain 7:cannot make domain: -3",
      "xc: progress: Frames: 0/0    0%",
    ];
    expect(saveRestoreError(lines, "restore")).toEqual({
      code: "restore_domid_recent",
      message:
        "The domain was saved keeping its id (xl save -D) and Xen has not released that id yet: wait a few minutes and restore again. (xl: libxl: error: libxl_create.c:689:libxl__domain_make: Domain 7:domain id recently used: Device or resource busy)",
    });
    expect(errorOfLines(["migration target: Ready to receive domain.", ...lines]).message).toContain(
      "domain id recently used",
    );
  });

  it("virsh migrate: QEMU's Input/output error, then virsh's clean-up errors", () => {
    const stderr = [
      "error: operation failed: job 'migration out' failed: Unable to write to socket: Input/output error",
      "error: Failed to reconnect to the hypervisor",
      "",
    ].join("\n");
    expect(virshMigrateError(stderr).message).toContain("Unable to write to socket: Input/output error");
    expect(virshMigrateError(stderr).message).not.toContain("reconnect");
  });

  it("a rule's own line beats an earlier generic one; progress is never quoted; the last line when nothing says why", () => {
    expect(causeLine(["warning: x failed to chmod", "fatal: No space left on device"], /No space/)).toBe(
      "fatal: No space left on device",
    );
    expect(causeLine(["Save: [ 37.00 %]", "all quiet"])).toBe("all quiet");
    expect(causeLine([])).toBeNull();
  });
});
