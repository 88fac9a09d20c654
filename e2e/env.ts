// Ports and paths of the e2e stack, shared by playwright.config.ts and the tests.
export const E2E = {
  port: 3100,
  baseURL: "http://127.0.0.1:3100",
  dataDir: "state/e2e",
  simBasePort: 2311,
  simControlPort: 2399,
  simControl: "http://127.0.0.1:2399",
};

/** The scale-out spec's two instances (e2e/scale.spec.ts): each logs to server.log in its own directory below dir. */
export const SCALE = { port: 3710, simBasePort: 2711, simControlPort: 2799, dir: "state/e2e-scale" };

/** The large-cluster spec's instance (e2e/large-cluster.spec.ts): 40 hosts × 10 domains, past the page's "small". */
export const LARGE = { port: 3720, simBasePort: 2811, simControlPort: 2899, dir: "state/e2e-large" };

/** /metrics of the simulated stack's server (e2e/operations.spec.ts) */
export const METRICS_TOKEN = "e2e-metrics-token-0123456789";

/** The real-host lab suite (e2e/lab): its own Ferry without simulated hosts, and the lab built by e2e/lab/up.sh. */
export const LAB = {
  port: 3200,
  baseURL: "http://127.0.0.1:3200",
  dataDir: "state/e2e-lab",
  dir: process.env.LAB ?? "/tmp/ferry-lab",
};
