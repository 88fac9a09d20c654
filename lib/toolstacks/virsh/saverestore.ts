import type { ErrorCode } from "../../errors";
import { errorLines } from "./parse";

// virsh save / restore (reference §3.4): libvirt's save file ("LibvirtQemudSave" + 76-byte header +
// the domain XML), and the failure texts of libvirt 9.0 as captured in the lab.

const MAGIC = "LibvirtQemudSave";
const HEADER = 92; // magic[16] + version, data_len, was_running, compressed, cookieOffset, unused[14] (uint32 each)

export interface LibvirtSaveHeader { name: string; uuid: string | null; memoryMiB: number; vcpus: number; xml: string }

const unescape = (s: string) => s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, "&");

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
  const scale: Record<string, number> = { b: 1 / 1048576, bytes: 1 / 1048576, KiB: 1 / 1024, k: 1 / 1024, MiB: 1, M: 1, GiB: 1024, G: 1024 };
  return {
    name: unescape(name), uuid: /<uuid>([^<]+)<\/uuid>/.exec(xml)?.[1] ?? null,
    memoryMiB: mem ? Math.round(Number(mem[2]) * (scale[mem[1] ?? "KiB"] ?? 1 / 1024)) : 0,
    vcpus: Number(/<vcpu[^>]*>(\d+)<\/vcpu>/.exec(xml)?.[1] ?? 1), xml,
  };
}

const ERRORS: [RegExp, ErrorCode, string][] = [
  [/No space left on device/, "save_no_space", "The disk filled up during the save; the domain keeps running."],
  [/Failed to create file/, "save_unwritable", "libvirt could not create the image file (does the directory exist?)."],
  [/Failed to open file .*No such file or directory/, "image_missing", "The image file is not there."],
  [/image magic is incorrect|failed to read qemu header|image version is not supported/, "image_corrupt", "The file is not a libvirt save image."],
  [/is already active|already exists with uuid/, "domain_exists", "A domain of that name is already active on this host."],
  [/Cannot allocate memory|cannot set up guest memory/i, "restore_no_memory", "The host has not enough free memory for the domain."],
  [/failed to get domain|Domain not found/, "domain_not_found", "The domain is not on this host any more."],
  [/domain is not running/, "domain_not_found", "The domain is not running on this host."],
];

/** The most specific failure virsh's stderr describes. */
export function virshSaveRestoreError(stderr: string, what: "save" | "restore"): { code: ErrorCode; message: string } {
  const lines = errorLines(stderr);
  for (const [re, code, message] of ERRORS) if (lines.some((l) => re.test(l))) return { code, message: `${message} (virsh: ${lines.at(-1)})` };
  return { code: what === "save" ? "save_failed" : "restore_failed", message: `virsh ${what} failed: ${lines.at(-1) ?? "no message"}` };
}
