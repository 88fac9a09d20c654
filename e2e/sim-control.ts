import { E2E } from "./env";

// The simulated cluster's control plane (sim/control.ts): the tests' hand on the "hardware".

export interface SimHostInfo {
  name: string;
  address: string;
  port: number;
  user: string;
  keyPath: string;
  fingerprint: string;
  up: boolean;
}

export async function simHosts(): Promise<SimHostInfo[]> {
  return (await fetch(`${E2E.simControl}/hosts`)).json();
}

export async function setHostUp(name: string, up: boolean): Promise<void> {
  const res = await fetch(`${E2E.simControl}/hosts/${name}/${up ? "start" : "stop"}`, { method: "POST" });
  if (!res.ok) throw new Error(`sim control: ${res.status} ${await res.text()}`);
}

/**
 * A domain of a test's own on a simulated host (its uptime starts at zero); `removeTestDomain` takes it away.
 * `control`: another simulated cluster's control plane (the large-cluster spec's own).
 */
export async function addTestDomain(host: string, name: string, memoryMiB = 64, control = E2E.simControl) {
  const res = await fetch(`${control}/test-domain`, {
    method: "POST",
    body: JSON.stringify({ host, name, memoryMiB, wwsMiB: 4, dirtyMiBps: 1 }),
  });
  if (!res.ok) throw new Error(`sim control: ${res.status} ${await res.text()}`);
}

export async function removeTestDomain(host: string, name: string, control = E2E.simControl): Promise<void> {
  await fetch(`${control}/test-domain?host=${host}&name=${name}`, { method: "DELETE" });
}
