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
  // as Next will route it: dot segments resolved ("/api/x/rules/.." is "/api/x")
  const raw = url.split("?")[0];
  let pathname = raw;
  try {
    pathname = new URL(raw, "http://ferry.invalid").pathname.replace(/(.)\/$/, "$1");
  } catch {
    // not a path a URL can hold: matched as sent (and refused as no API)
  }
  if (!pathname.startsWith("/api/") && pathname !== "/api") return null;
  // Next prefers a static segment to a dynamic one: /api/images/retention is that route, not /api/images/[id]
  const dynamic = (route: string) => (route.match(/\[/g) ?? []).length;
  const all = routes.filter((r) => r.pattern.test(pathname));
  const fewest = Math.min(...all.map((r) => dynamic(r.route)));
  const matching = all.filter((r) => dynamic(r.route) === fewest);
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
