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
