import type { World } from "./world";
import { createBigWorld } from "./default-world";

// The balancing benchmark's cluster (bench/balance.ts): `hosts` Xen hosts of 64 GiB on shared storage and `domains`
// guests of 512 MiB to 4 GiB, placed unevenly — host k of n draws guests in proportion to (n − k + 1)², so the first
// hosts run hot and the last nearly idle. Seeded: the same seed gives the same cluster.

/** mulberry32: a small seeded generator, enough to place guests reproducibly */
export function seeded(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function createBalanceWorld(hosts = 20, domains = 200, seed = 20261206): World {
  const world = createBigWorld(hosts, 0);
  const names = [...world.hosts.keys()];
  const weights = names.map((_, k) => (names.length - k) ** 2);
  const sum = weights.reduce((a, w) => a + w, 0);
  const rand = seeded(seed);
  const sizes = [512, 1024, 2048, 4096];
  const dirty = [1, 4, 8, 16];
  for (let i = 0; i < domains; i++) {
    let pick = rand() * sum;
    let k = 0;
    while (pick > weights[k]) pick -= weights[k++];
    const memoryMiB = sizes[Math.floor(rand() * sizes.length)];
    world.addDomain(names[k], {
      name: `bal${String(i + 1).padStart(3, "0")}`,
      memoryMiB,
      vcpus: 1,
      disks: [{ target: "/xen-storage/bench.img", vdev: "xvda" }],
      workload: { wwsMiB: Math.min(64, memoryMiB / 8), dirtyMiBps: dirty[i % dirty.length] },
    });
  }
  return world;
}
