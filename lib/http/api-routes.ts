import { routePolicy } from "../auth/policy";

// Every API address Ferry answers, from the one policy table. A request for any other /api/ address, or with a
// method the address does not take, gets a JSON sentence (404 / 405) here, before Next — whose own answers would be
// an HTML page and an empty body.

const routes = Object.keys(routePolicy).map((key) => {
  const [method, route] = key.split(" ");
  const pattern = new RegExp(`^${route.replace(/\[[a-z]+\]/g, "[^/]+")}/?$`);
  return { method, route, pattern };
});

export function apiRouteRefusal(
  method: string,
  url: string,
): { status: 404 | 405; code: string; message: string; allow?: string } | null {
  const pathname = url.split("?")[0];
  if (!pathname.startsWith("/api/") && pathname !== "/api") return null;
  const matching = routes.filter((r) => r.pattern.test(pathname));
  if (matching.length === 0)
    return { status: 404, code: "not_found", message: `Ferry has no API at ${pathname.slice(0, 200)}.` };
  const methods = [...new Set(matching.map((r) => r.method))];
  const m = method.toUpperCase();
  if (methods.includes(m) || (m === "HEAD" && methods.includes("GET")) || m === "OPTIONS") return null;
  return {
    status: 405,
    code: "method_not_allowed",
    message: `${pathname.slice(0, 200)} does not take ${m.slice(0, 10)}: it takes ${methods.join(", ")}.`,
    allow: methods.join(", "),
  };
}
