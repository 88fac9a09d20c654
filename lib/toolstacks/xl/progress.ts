// What libxc prints while it saves or restores a domain's memory (read by the save/restore driver and its error map).

/** "xc: progress: Frames: 13312/262144    5%" (or "xc: detail: …" under `xl -v`) → numbers (null for other lines). */
export function parseProgress(line: string): { done: number; total: number; percent: number } | null {
  const m = /^xc: (?:progress: |detail: )?Frames: (\d+)\/(\d+)\s+(\d+)%$/.exec(line.trim());
  return m ? { done: Number(m[1]), total: Number(m[2]), percent: Number(m[3]) } : null;
}
