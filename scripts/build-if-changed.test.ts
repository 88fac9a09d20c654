import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { needsBuild } from "./build-if-changed";

describe("needsBuild", () => {
  it("builds when there is no build, skips when the build is newer than every input, builds after an edit", () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "ferry-build-"));
    fs.mkdirSync(path.join(root, "app"));
    fs.writeFileSync(path.join(root, "app", "page.tsx"), "x");
    expect(needsBuild(root, ["app"])).toBe(true);
    fs.mkdirSync(path.join(root, ".next"));
    fs.writeFileSync(path.join(root, ".next", "BUILD_ID"), "id");
    const later = new Date(Date.now() + 10_000);
    fs.utimesSync(path.join(root, ".next", "BUILD_ID"), later, later);
    expect(needsBuild(root, ["app"])).toBe(false);
    const edit = new Date(Date.now() + 20_000);
    fs.utimesSync(path.join(root, "app", "page.tsx"), edit, edit);
    expect(needsBuild(root, ["app"])).toBe(true);
    fs.rmSync(root, { recursive: true, force: true });
  });
});
