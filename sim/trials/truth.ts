import { Client } from "ssh2";
import type { ToolstackName } from "../../lib/toolstacks/types";
import fs from "node:fs";
import { quoteArg as quote } from "../../lib/ssh/quote";

// The invariant checker's own eyes: a fresh SSH session per host (not Ferry's pool, not Ferry's parsers), the
// toolstack's own list command, read by the few rules a person reading it would use. What Ferry believes is
// compared with this, never the other way round.

export interface HostAccess {
  name: string;
  address: string;
  port: number;
  user: string;
  keyPath: string;
  toolstack: ToolstackName;
}

export interface Seen {
  name: string;
  /** running, paused, off (defined but not running), or what else the host printed */
  state: "running" | "paused" | "off" | "other";
  raw: string;
}

/** Runs one command on a host over a session of our own; resolves with stdout (non-zero exit: rejects). */
export function run(h: HostAccess, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = new Client();
    const timer = setTimeout(() => {
      c.end();
      reject(new Error(`${h.name}: no answer to ${command} in 20 s`));
    }, 20_000);
    c.on("ready", () => {
      c.exec(command, (err, stream) => {
        if (err) {
          clearTimeout(timer);
          c.end();
          return reject(err);
        }
        let out = "";
        let errText = "";
        stream.on("data", (d: Buffer) => {
          out += d.toString();
        });
        stream.stderr.on("data", (d: Buffer) => {
          errText += d.toString();
        });
        stream.on("close", (code: number) => {
          clearTimeout(timer);
          c.end();
          if (code === 0) resolve(out);
          else reject(new Error(`${h.name}: ${command} exited ${code}: ${errText.trim()}`));
        });
      });
    });
    c.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    c.connect({ host: h.address, port: h.port, username: h.user, privateKey: fs.readFileSync(h.keyPath) });
  });
}

/** `xl list` / `xm list`: Name ID Mem VCPUs State Time(s); the state's third letter is "p" when paused. */
function parseXenList(out: string): Seen[] {
  return out
    .split("\n")
    .slice(1)
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f.length >= 6)
    .map(([name, , , , flags]) => ({
      name,
      state:
        flags[2] === "p" ? ("paused" as const) : /^[r-][b-]-/.test(flags) ? ("running" as const) : ("other" as const),
      raw: flags,
    }));
}

/** `virsh list --all`: " Id   Name   State" and a rule, then id, name, state (two words for "shut off"). */
function parseVirshList(out: string): Seen[] {
  return out
    .split("\n")
    .slice(2)
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => {
      const [, name, ...rest] = l.split(/\s+/);
      const raw = rest.join(" ");
      const state =
        raw === "running" ? "running" : raw === "paused" ? "paused" : raw === "shut off" ? "off" : ("other" as const);
      return { name, state, raw } as Seen;
    });
}

/** What every host says runs on it, by asking each (a host that does not answer is reported as such). */
export async function askHosts(hosts: HostAccess[]): Promise<Map<string, Seen[] | Error>> {
  const answers = await Promise.all(
    hosts.map(async (h) => {
      try {
        const cmd = h.toolstack === "virsh" ? "virsh list --all" : `${h.toolstack} list`;
        const out = await run(h, cmd);
        const seen = h.toolstack === "virsh" ? parseVirshList(out) : parseXenList(out);
        return [h.name, seen.filter((s) => s.name !== "Domain-0")] as const;
      } catch (e) {
        return [h.name, e as Error] as const;
      }
    }),
  );
  return new Map<string, Seen[] | Error>(answers);
}

/** The size of a file on a host, or null when there is none. */
export async function fileSize(h: HostAccess, path: string): Promise<number | null> {
  try {
    return Number((await run(h, `stat -c %s ${quote(path)}`)).trim());
  } catch {
    return null;
  }
}
