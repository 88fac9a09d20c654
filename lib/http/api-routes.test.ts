import { describe, expect, it } from "vitest";
import { apiRouteRefusal } from "./api-routes";

describe("API addresses and methods", () => {
  it("lets the policy table's routes through, with any id", () => {
    expect(apiRouteRefusal("GET", "/api/hosts")).toBeNull();
    expect(apiRouteRefusal("POST", "/api/hosts/some-id/test?x=1")).toBeNull();
    expect(apiRouteRefusal("HEAD", "/api/jobs")).toBeNull();
    expect(apiRouteRefusal("GET", "/hosts/..")).toBeNull(); // pages are Next's
  });
  it("answers an unknown address with 404 and a wrong method with 405, in words", () => {
    expect(apiRouteRefusal("POST", "/api/test")).toMatchObject({
      status: 404,
      message: "Ferry has no API at /api/test.",
    });
    expect(apiRouteRefusal("GET", "/api/hosts/a/b/c")?.status).toBe(404);
    expect(apiRouteRefusal("DELETE", "/api/placement/rules")).toMatchObject({
      status: 405,
      message: "/api/placement/rules does not take DELETE: it takes POST.",
    });
  });
  it("judges an address with dot segments as Next will route it (an id of '..' is the folder above)", () => {
    expect(apiRouteRefusal("DELETE", "/api/images/retention/rules/..?x=1")).toMatchObject({
      status: 405,
      message: "/api/images/retention does not take DELETE: it takes GET.",
    });
    expect(apiRouteRefusal("DELETE", "/api/images/retention/rules/some-id")).toBeNull();
    // a static address shadows the dynamic one beside it, as in Next
    expect(apiRouteRefusal("DELETE", "/api/images/retention")?.status).toBe(405);
    expect(apiRouteRefusal("DELETE", "/api/images/some-image-id")).toBeNull();
  });
});
