import http from "node:http";
import type { SimCluster } from "./cluster";

// A small HTTP control plane for tests and benches (never for the product): stop and start a
// host's sshd, read the argv the hosts ran, find where a domain runs.

export async function startControlServer(
  cluster: SimCluster,
  port: number,
): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    try {
      const hostAction = /^\/hosts\/([^/]+)\/(stop|start|blip)$/.exec(url.pathname);
      if (req.method === "POST" && hostAction) {
        const server = cluster.server(decodeURIComponent(hostAction[1]));
        // blip: connections reset, new ones accepted (a network hiccup, not sshd stopping)
        if (hostAction[2] === "blip") return send(200, { name: server.name, up: server.up, reset: server.blip() });
        await (hostAction[2] === "stop" ? server.stop() : server.start());
        return send(200, { name: server.name, up: server.up });
      }
      if (req.method === "GET" && url.pathname === "/hosts") return send(200, cluster.describe());
      const memory = /^\/hosts\/([^/]+)\/memory$/.exec(url.pathname);
      if (req.method === "POST" && memory) {
        const host = cluster.world.host(decodeURIComponent(memory[1]));
        host.totalMemoryMiB = Number(url.searchParams.get("total") ?? host.totalMemoryMiB);
        return send(200, {
          name: host.name,
          totalMemoryMiB: host.totalMemoryMiB,
          freeMemoryMiB: cluster.world.freeMemoryMiB(host),
        });
      }
      if (req.method === "GET" && url.pathname === "/faults") return send(200, { faults: cluster.world.faults });
      if (req.method === "DELETE" && url.pathname === "/faults")
        return send(200, { cleared: cluster.world.faults.splice(0).length });
      if (req.method === "GET" && url.pathname === "/processes") {
        const host = url.searchParams.get("host");
        return send(200, host ? cluster.world.processesOf(host) : [...cluster.world.processes]);
      }
      if (req.method === "POST" && url.pathname === "/faults") {
        const body = JSON.parse(
          await new Promise<string>((resolve) => {
            let b = "";
            req.on("data", (c) => (b += c));
            req.on("end", () => resolve(b));
          }),
        );
        cluster.world.faults.push(body);
        return send(200, { faults: cluster.world.faults });
      }
      if (req.method === "POST" && url.pathname === "/test-domain") {
        // benches: a domain with a chosen workload, and the link it will cross
        const b = JSON.parse(
          await new Promise<string>((resolve) => {
            let s = "";
            req.on("data", (c) => (s += c));
            req.on("end", () => resolve(s));
          }),
        );
        const d = cluster.world.addDomain(b.host, {
          name: b.name,
          memoryMiB: b.memoryMiB,
          vcpus: 1,
          disks: [{ target: "/xen-storage/bench.img", vdev: "xvda" }],
          workload: { wwsMiB: b.wwsMiB, dirtyMiBps: b.dirtyMiBps },
        });
        if (b.bandwidth && b.to) cluster.world.links.set(cluster.world.linkKey(b.host, b.to), b.bandwidth);
        return send(200, { name: d.name, domid: d.domid });
      }
      if (req.method === "DELETE" && url.pathname === "/test-domain") {
        // a test's own domains gone again (every one of the name on the host), so the next test finds the demo world
        const host = cluster.world.host(url.searchParams.get("host") ?? "");
        const name = url.searchParams.get("name");
        const before = host.domains.length;
        host.domains = host.domains.filter((d) => d.name !== name);
        cluster.world.emit("change", host.name);
        return send(200, { removed: before - host.domains.length });
      }
      if (req.method === "POST" && url.pathname === "/time-scale") {
        cluster.world.timeScale = Number(url.searchParams.get("value") ?? 1);
        return send(200, { timeScale: cluster.world.timeScale });
      }
      if (req.method === "GET" && url.pathname === "/commands") {
        const host = url.searchParams.get("host");
        const since = Number(url.searchParams.get("since") ?? 0);
        return send(
          200,
          cluster.world.commandLog.filter((c) => (!host || c.host === host) && c.at >= since),
        );
      }
      const locate = /^\/domains\/([^/]+)$/.exec(url.pathname);
      if (req.method === "GET" && locate)
        return send(200, { hosts: cluster.world.locate(decodeURIComponent(locate[1])) });
      send(404, { error: "not found" });
    } catch (e) {
      send(400, { error: (e as Error).message });
    }
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const actual = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${actual}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
