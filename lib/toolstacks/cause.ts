// Which line of a failed command's output says why. Tools print the cause first and consequences and noise after
// it ("error: … Input/output error", then "error: Failed to reconnect…", then a progress line): the line that
// matched a known failure is the cause; otherwise the first line that names a failure; the last line only when
// none does. The whole output stays in the job's log.

const NAMES_A_FAILURE =
  /\berror\b|\bfail|cannot|can't|unable|denied|refused|not permitted|no such|input\/output|recently used|timed out|not found|invalid/i;
const NOISE = /^(xc: progress:|\w+: \[\s*\d+(?:[.,]\d+)? ?%\]|Migration: \[|Save: \[)/;

export function causeLine(lines: readonly string[], known?: RegExp): string | null {
  const said = lines.map((l) => l.trim()).filter((l) => l && !NOISE.test(l));
  return (known && said.find((l) => known.test(l))) || said.find((l) => NAMES_A_FAILURE.test(l)) || said.at(-1) || null;
}
