import argon2 from "argon2";
import { AppError } from "../errors";
import { Semaphore } from "../ssh/semaphore";

// argon2 is deliberately expensive (64 MiB and tens of ms of CPU each). A login flood must not take all the CPU and
// memory: at most HASH_CONCURRENCY hashes run at once, at most HASH_QUEUE wait, and the rest are refused at once with
// a 503 that says to try again — before any hashing.
const HASH_CONCURRENCY = Number(process.env.FERRY_HASH_CONCURRENCY ?? 2);
const HASH_QUEUE = Number(process.env.FERRY_HASH_QUEUE ?? 16);
const gate = new Semaphore(HASH_CONCURRENCY);
export const hashingStats = { peakRunning: 0, refused: 0 };

async function bounded<T>(fn: () => Promise<T>): Promise<T> {
  if (gate.waiting >= HASH_QUEUE) {
    hashingStats.refused++;
    throw new AppError("busy", "Ferry is checking many passwords right now. Try again in a few seconds.");
  }
  const release = await gate.acquire();
  hashingStats.peakRunning = Math.max(hashingStats.peakRunning, gate.inUse);
  try {
    return await fn();
  } finally {
    release();
  }
}

/** argon2id with the library's defaults (m=64 MiB, t=3, p=4). */
export function hashPassword(password: string): Promise<string> {
  return bounded(() => argon2.hash(password, { type: argon2.argon2id }));
}

export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  return bounded(async () => {
    try {
      return await argon2.verify(hash, password);
    } catch {
      return false;
    }
  });
}

// Verifying against a fixed hash when the user does not exist keeps the response time the same,
// so timing does not tell which user names exist.
let dummy: Promise<string> | null = null;
export async function burnVerify(password: string): Promise<void> {
  dummy ??= argon2.hash("ferry-timing-equaliser", { type: argon2.argon2id });
  await verifyPassword(await dummy, password);
}
