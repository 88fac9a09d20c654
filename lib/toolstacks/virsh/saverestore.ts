import { AppError } from "../../errors";
import type { SaveRestoreOps } from "../types";
import { isRunning } from "../linux/ps";
import { parseDomjobinfo, parseVirshList, virshStates } from "./parse";
import * as virsh from "./commands";
import { virshSaveRestoreError } from "./errors";

// virsh save / restore (reference §3.4): libvirt's save file ("LibvirtQemudSave" + 76-byte header + the
// domain XML), and what the host says about a save or restore; the failure texts are in errors.ts.

const MAGIC = "LibvirtQemudSave";
const HEADER = 92; // magic[16] + version, data_len, was_running, compressed, cookieOffset, unused[14] (uint32 each)

export interface LibvirtSaveHeader {
  name: string;
  uuid: string | null;
  memoryMiB: number;
  vcpus: number;
  xml: string;
}

const unescapeXml = (s: string) =>
  s
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, "&");

/** Reads the domain XML from the start of a libvirt save file (base64 of its first bytes). */
export function parseLibvirtSaveHeader(base64: string): LibvirtSaveHeader | null {
  const b = Buffer.from(base64.trim(), "base64");
  if (b.length < HEADER || b.subarray(0, 16).toString("latin1") !== MAGIC) return null;
  const text = b.subarray(HEADER).toString("utf8");
  const end = text.indexOf("</domain>");
  if (end < 0) return null;
  const xml = text.slice(0, end + 9);
  const name = /<name>([^<]+)<\/name>/.exec(xml)?.[1];
  if (!name) return null;
  const mem = /<memory(?: unit='(\w+)')?>(\d+)<\/memory>/.exec(xml);
  const scale: Record<string, number> = {
    b: 1 / 1048576,
    bytes: 1 / 1048576,
    KiB: 1 / 1024,
    k: 1 / 1024,
    MiB: 1,
    M: 1,
    GiB: 1024,
    G: 1024,
  };
  return {
    name: unescapeXml(name),
    uuid: /<uuid>([^<]+)<\/uuid>/.exec(xml)?.[1] ?? null,
    memoryMiB: mem ? Math.round(Number(mem[2]) * (scale[mem[1] ?? "KiB"] ?? 1 / 1024)) : 0,
    vcpus: Number(/<vcpu[^>]*>(\d+)<\/vcpu>/.exec(xml)?.[1] ?? 1),
    xml,
  };
}

/** virsh save / restore: libvirtd does the work and carries on when virsh's connection goes. */
export const virshFiles: SaveRestoreOps = {
  save: (d, f) => virsh.save(d, f),
  restore: (f) => virsh.restore(f),
  error: virshSaveRestoreError,
  async active(runner, domain) {
    const r = await runner.exec(virsh.listActive(), { timeoutMs: 10_000 }).catch(() => null);
    if (r?.code !== 0) return null;
    try {
      return parseVirshList(r.stdout).find((d) => d.name === domain) ?? null;
    } catch {
      return null;
    }
  },
  // virsh's "\rSave: [ 37 %]" has no newline: libvirt's job statistics tell the bytes written
  async saveProgress(runner, domain) {
    const r = await runner.exec(virsh.domjobinfo(domain), { timeoutMs: 5_000 }).catch(() => null);
    if (r?.code !== 0) return null;
    try {
      return parseDomjobinfo(r.stdout).memoryProcessed;
    } catch {
      return null;
    }
  },
  // "\rSave: [ 37 %]" has no newline and lands in front of the next line: drop it
  outputLine: (raw) => raw.replace(/\r?\w+: \[\s*\d+(?:[.,]\d+)? ?%\]/g, "").trim(),
  consoleHint: (d) => `virsh console ${d}`,
  async state(runner, domain) {
    const r = await runner.exec(virsh.list(), { timeoutMs: 10_000 });
    if (r.code !== 0)
      throw new AppError(
        "toolstack_error",
        `virsh list --all failed: ${r.stderr.trim().split("\n")[0] || `exit ${r.code}`}`,
      );
    const row = parseVirshList(r.stdout).find((d) => d.name === domain);
    return !row ? "absent" : row.id === null ? "defined" : (virshStates[row.state] ?? "unknown");
  },
  // ask libvirt's job first (virsh itself may be gone), then the process
  async saving(runner, d, f) {
    const r = await runner.exec(virsh.domjobinfo(d), { timeoutMs: 10_000 });
    const job = r.code === 0 ? parseDomjobinfo(r.stdout) : null;
    if (job && (job.type === "Unbounded" || job.type === "Bounded") && job.operation === "Save") return true;
    return isRunning(runner, virsh.save(d, f));
  },
  restoring: (runner, f) => isRunning(runner, virsh.restore(f)),
  moveDefinition: (d, address) => virsh.migrateDefinition(d, virsh.targetUri(address)),
  parseHeader(base64) {
    const h = parseLibvirtSaveHeader(base64);
    return h
      ? {
          name: h.name,
          uuid: h.uuid,
          memoryMiB: h.memoryMiB,
          format: "virsh",
          arch: /<type\b[^>]*\barch='([^']+)'/.exec(h.xml)?.[1] ?? null,
        }
      : null;
  },
};
