import { AppError } from "../../errors";
import type { DomainState } from "../types";

// `xl list` (xl_info.c: list_domains): TAB-separated header, rows "%-40s %5d %5lu %5d     %c%c%c%c%c%c  %8.1f".
// Names longer than 40 chars push the columns right, so fields are taken from the right.

export interface XlListRow {
  name: string;
  id: number;
  memoryMiB: number;
  vcpus: number;
  stateLetters: string;
  cpuSeconds: number;
}

const HEADER = /^Name\s+ID\s+Mem\s+VCPUs\s+State\s+Time\(s\)/;
// one row, its fields taken from the right (the name may hold spaces): a single match per row, as a refresh of 200
// hosts reads 4,000 of them every 5 s
const ROW = /^(\S.*?)\s+(\d+)\s+(\d+)\s+(\d+)\s+([r-][b-][p-][s-][-rscwS?][d-])\s+(\d+\.\d)$/;

export function parseXlList(text: string): XlListRow[] {
  const all = text.split("\n").filter((l) => l.trim() !== "");
  // libxl may print errors on the same stream before the table (seen from inside a dom0less domain): skip them
  const head = all.findIndex((l) => HEADER.test(l));
  const lines = head < 0 ? all : all.slice(head);
  if (lines.length === 0 || head < 0) {
    throw new AppError("toolstack_parse_error", "`xl list` printed no table header; is this a Xen dom0?", {
      text: text.slice(0, 500),
    });
  }
  return lines.slice(1).map((line, i) => {
    const m = ROW.exec(line.trim());
    if (!m) throw rowError(line, i);
    return {
      name: m[1],
      id: Number(m[2]),
      memoryMiB: Number(m[3]),
      vcpus: Number(m[4]),
      stateLetters: m[5],
      cpuSeconds: Number(m[6]),
    };
  });
}

function rowError(line: string, i: number) {
  return new AppError("toolstack_parse_error", `Cannot read row ${i + 1} of \`xl list\`.`, { line });
}

/** xl's state letters in words. Slot 5 is the shutdown reason (- r s c w S), not just "crashed". */
export function stateFromLetters(letters: string, rawName: string): DomainState {
  if (rawName.endsWith("--incoming")) return "migrating-in";
  if (rawName.endsWith("--migratedaway")) return "migrating-out";
  const [r, b, p, s, reason, d] = letters;
  if (d === "d") return "dying";
  if (s === "s") return reason === "c" ? "crashed" : reason === "s" ? "suspended" : "shutdown";
  if (p === "p") return "paused";
  if (r === "r") return "running";
  if (b === "b") return "idle";
  return letters === "------" ? "running" : "unknown"; // a vCPU between states shows no letter
}

/** Strips xl's migration suffixes so a domain keeps its identity during a move. */
export function baseDomainName(rawName: string): string {
  return rawName.replace(/--(incoming|migratedaway)$/, "");
}
