import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { MAX_BODY_BYTES, bodyRefusal } from "./body-limit";
import { foreignOrigin } from "../auth/request";
import { openDatabase } from "../db/client";

describe("cheap refusals before a body is read", () => {
  it("an API body over the limit gets 413, one of unknown length 411; pages and GETs are not concerned", () => {
    expect(bodyRefusal("POST", "/api/auth/login", { "content-length": String(200 * 1024 * 1024) })?.status).toBe(413);
    expect(
      bodyRefusal("POST", "/api/auth/login", {
        "content-length": String(MAX_BODY_BYTES),
        "content-type": "application/json",
      }),
    ).toBeNull();
    expect(bodyRefusal("POST", "/api/jobs", { "transfer-encoding": "chunked" })?.status).toBe(411);
    expect(bodyRefusal("GET", "/api/jobs", { "content-length": "999999999" })).toBeNull();
    expect(bodyRefusal("POST", "/login", { "content-length": "999999999" })).toBeNull();
  });

  it("a body that is not declared JSON gets 415 unread; an empty one (logout, test) needs no type", () => {
    const json = { "content-length": "20", "content-type": "application/json; charset=utf-8" };
    expect(bodyRefusal("POST", "/api/auth/login", json)).toBeNull();
    for (const type of ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", ""])
      expect(bodyRefusal("POST", "/api/auth/login", { "content-length": "20", "content-type": type })?.status).toBe(
        415,
      );
    expect(bodyRefusal("POST", "/api/auth/logout", { "content-length": "0" })).toBeNull();
  });
});

describe("Origin", () => {
  it("another site is foreign; a forwarded Host counts only from the configured proxy", () => {
    expect(foreignOrigin({ origin: "http://evil.test", host: "ferry.test" })).toBe(true);
    expect(foreignOrigin({ origin: "http://ferry.test", host: "ferry.test" })).toBe(false);
    expect(foreignOrigin({ host: "ferry.test" })).toBe(false); // no Origin: not a browser's cross-site request
    // a client cannot make evil.test look like the host by sending X-Forwarded-Host itself
    expect(
      foreignOrigin({ origin: "http://evil.test", host: "ferry.test", forwardedHost: "evil.test", peer: "10.0.0.9" }),
    ).toBe(true);
    process.env.FERRY_TRUSTED_PROXY = "10.0.0.1";
    try {
      expect(
        foreignOrigin({
          origin: "https://ferry.example",
          host: "127.0.0.1:3000",
          forwardedHost: "ferry.example",
          peer: "10.0.0.1",
        }),
      ).toBe(false);
      expect(
        foreignOrigin({
          origin: "https://ferry.example",
          host: "127.0.0.1:3000",
          forwardedHost: "ferry.example",
          peer: "10.0.0.9",
        }),
      ).toBe(true);
    } finally {
      delete process.env.FERRY_TRUSTED_PROXY;
    }
  });
});

describe("the database's file modes", () => {
  it("the database file is 0600 and Ferry's data directory 0700", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ferry-modes-"));
    fs.chmodSync(dir, 0o755);
    const before = process.env.FERRY_DATA_DIR;
    process.env.FERRY_DATA_DIR = dir;
    try {
      const { db } = await openDatabase(path.join(dir, "ferry.db"));
      await db.$disconnect();
      expect(fs.statSync(path.join(dir, "ferry.db")).mode & 0o777).toBe(0o600);
      expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
    } finally {
      if (before === undefined) delete process.env.FERRY_DATA_DIR;
      else process.env.FERRY_DATA_DIR = before;
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
