import { formatBytes, formatMs, formatRate } from "../format-bytes";
import type { JobSummary } from "./types";

// The figures a job page shows, per kind of job: each kind gets the ones that mean something for it (a restore
// sends nothing over a NIC; a save's bytes are written to disk; a move's downtime is the guest's whole outage).

export interface Figure {
  label: string;
  value: string;
  sub: string;
  testId?: string;
}

interface Now {
  elapsedMs: number | null;
  throughputBps: number;
  qemu: boolean;
}

export function figuresOf(s: JobSummary, now: Now): Figure[] {
  const memory = s.memoryMiB * 1024 * 1024;
  const pct = `${((s.bytesSent / memory) * 100).toFixed(0)} %`;
  const elapsed: Figure = {
    label: "Elapsed",
    value: formatMs(now.elapsedMs),
    sub: s.finishedAt ? "finished" : "so far",
    testId: "elapsed",
  };
  const rate = (what: string): Figure =>
    s.finishedAt && now.elapsedMs
      ? { label: "Throughput", value: formatRate((s.bytesSent * 1000) / now.elapsedMs), sub: `average, ${what}` }
      : { label: "Throughput", value: formatRate(now.throughputBps), sub: `now, ${what}` };
  const downtime = (sub: string): Figure => ({
    label: s.kind === "move" ? "Outage" : "Downtime",
    value: s.downtimeMs === null ? "—" : `${s.downtimeBound ? "≤ " : ""}${formatMs(s.downtimeMs)}`,
    sub,
    testId: "downtime",
  });
  switch (s.kind) {
    case "migrate":
      return [
        { label: "Sent", value: formatBytes(s.bytesSent), sub: `of ${formatBytes(memory)} memory (${pct})` },
        rate(now.qemu ? "memory processed by QEMU" : "source NIC toward the target"),
        elapsed,
        downtime(now.qemu ? "QEMU's own figure (domjobinfo --completed)" : "target running − source suspended"),
      ];
    case "save":
      return [
        { label: "Written", value: formatBytes(s.bytesSent), sub: `of ${formatBytes(memory)} memory (${pct})` },
        rate("writing the image"),
        elapsed,
        {
          label: "Guest",
          value: s.status === "succeeded" ? "saved" : s.status === "running" ? "stopped" : "—",
          sub: "runs nowhere until it is restored",
        },
      ];
    case "restore":
      return [
        { label: "Memory to load", value: formatBytes(memory), sub: "read back from the image" },
        elapsed,
        {
          label: "Guest",
          value: s.status === "succeeded" ? "running" : s.status === "running" ? "loading" : "not restored",
          sub: s.targetName ? `on ${s.targetName}` : "",
        },
      ];
    case "move":
      return [
        { label: "Written", value: formatBytes(s.bytesSent), sub: `of ${formatBytes(memory)} memory (${pct})` },
        elapsed,
        downtime("the guest was stopped from the save to the end of the restore"),
      ];
  }
}
