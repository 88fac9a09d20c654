import { describe, expect, it } from "vitest";
import { parseDirStat, statDirArgv } from "./dir-stat";

describe("parseDirStat", () => {
  it.each([
    ["700 root /xen-saved-images\n", "private", "700"],
    ["750 root /xen-saved-images\n", "readable-by-others", "750"],
    ["755 root /xen-saved-images\n", "readable-by-others", "755"],
    ["1777 root /tmp\n", "readable-by-others", "1777"],
  ])("%j → %s", (out, state, mode) => {
    expect(parseDirStat("/d", 0, out, "")).toMatchObject({ state, mode });
  });

  it("tells a missing directory from an unreadable answer", () => {
    expect(parseDirStat("/d", 1, "", "stat: cannot statx '/d': No such file or directory\n").state).toBe("missing");
    expect(parseDirStat("/d", 0, "garbage", "").state).toBe("unknown");
    expect(parseDirStat("/d", 1, "", "stat: cannot statx '/d': Permission denied\n").state).toBe("unknown");
  });

  it("passes the format as one word", () => expect(statDirArgv("/x")).toEqual(["stat", "-c", "%a %U %n", "/x"]));
});
