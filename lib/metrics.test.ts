import { describe, expect, it } from "vitest";
import { metricsAccess } from "./metrics";

describe("who may read /metrics", () => {
  it("is nobody by default; a token or a port of its own turns it on; nonsense is refused in words", () => {
    expect(metricsAccess({})).toEqual({ mode: "off" });
    expect(metricsAccess({ FERRY_METRICS_TOKEN: "0123456789abcdef" })).toEqual({
      mode: "token",
      token: "0123456789abcdef",
    });
    expect(metricsAccess({ FERRY_METRICS_PORT: "9100" })).toEqual({ mode: "port", port: 9100, host: "127.0.0.1" });
    expect(() => metricsAccess({ FERRY_METRICS: "token", FERRY_METRICS_TOKEN: "short" })).toThrow(/at least 16/);
    expect(() => metricsAccess({ FERRY_METRICS: "public" })).toThrow(/takes off, token or port/);
  });
});
