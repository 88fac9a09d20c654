import { formatBytes } from "@/lib/format-bytes";
import type { ForecastWithInputs } from "@/lib/forecast/inputs";

const verdictLook = {
  converges: "border-emerald-200 bg-emerald-50",
  "converges-with-help": "border-amber-300 bg-amber-50",
  "may-not-converge": "border-amber-300 bg-amber-50",
  "will-not-converge": "border-red-300 bg-red-50",
} as const;
const verdictWords = {
  converges: "converges",
  "converges-with-help": "converges only with help",
  "may-not-converge": "may not converge",
  "will-not-converge": "will not converge",
} as const;

/** The forecast before launch: time, downtime, rounds and a verdict, with where its inputs came from. */
export function ForecastBox({ f }: { f: ForecastWithInputs }) {
  const secs = (ms: number) => (ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`);
  return (
    <div
      className={`mt-3 rounded border px-3 py-2 text-sm ${verdictLook[f.verdict]}`}
      data-testid="forecast"
      data-verdict={f.verdict}
    >
      <p>
        <b>Forecast:</b> about <b data-testid="forecast-total">{secs(f.totalMs)}</b>, downtime about{" "}
        <b data-testid="forecast-downtime">{secs(f.downtimeMs)}</b>, {f.rounds} {f.rounds === 1 ? "round" : "rounds"} —{" "}
        <b>{verdictWords[f.verdict]}</b>. {f.reason}
      </p>
      {f.band && f.band.totalMs > f.totalMs * 1.05 && (
        <p className="mt-1 text-xs" data-testid="forecast-band">
          Up to <b>{secs(f.band.totalMs)}</b>, downtime up to <b>{secs(f.band.downtimeMs)}</b>, if the guest dirties{" "}
          {(f.band.dirtyBps / 1048576).toFixed(0)} MiB/s: the dirty rate is an estimate.
        </p>
      )}
      {f.diskCopy && (
        <p className="mt-1" data-testid="forecast-disks">
          Of that, about <b>{secs(f.diskCopy.ms)}</b> while the disks are copied first ({formatBytes(f.diskCopy.bytes)}{" "}
          in use); the guest runs on meanwhile.
        </p>
      )}
      <p className="mt-1 text-xs text-slate-600">Inputs: {f.inputs.sources.join("; ")}.</p>
    </div>
  );
}
