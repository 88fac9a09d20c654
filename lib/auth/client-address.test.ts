import { describe, expect, it } from "vitest";
import { clientAddress, normaliseAddress } from "./client-address";

describe("clientAddress", () => {
  it("is the TCP peer, whatever X-Forwarded-For claims, unless the peer is the trusted proxy", () => {
    expect(clientAddress("::ffff:10.0.0.5", "1.2.3.4", undefined)).toBe("10.0.0.5");
    expect(clientAddress("10.0.0.5", "1.2.3.4", "10.0.0.9")).toBe("10.0.0.5");
  });
  it("behind the trusted proxy, is the address the proxy appended (the last), not what the client sent", () => {
    expect(clientAddress("::ffff:10.0.0.9", "6.6.6.6, 203.0.113.7", "10.0.0.9")).toBe("203.0.113.7");
    expect(clientAddress("10.0.0.9", ["6.6.6.6", "203.0.113.8"], "10.0.0.9")).toBe("203.0.113.8");
    expect(clientAddress("10.0.0.9", "2001:db8::1", "10.0.0.9")).toBe("2001:db8::1");
    // a header that is not an address leaves the proxy's own
    expect(clientAddress("10.0.0.9", "evil; DROP TABLE", "10.0.0.9")).toBe("10.0.0.9");
    expect(clientAddress("10.0.0.9", undefined, "10.0.0.9")).toBe("10.0.0.9");
  });
  it("folds IPv4-mapped IPv6", () => {
    expect(normaliseAddress("::FFFF:127.0.0.1")).toBe("127.0.0.1");
    expect(normaliseAddress(undefined)).toBe("unknown");
  });
});
