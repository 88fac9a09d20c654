"use client";
import { useEffect, useState } from "react";
import type { Check } from "@/lib/checks/migration";
import type { DomainInfo } from "@/lib/toolstacks/types";
import { formatMiB } from "@/lib/format";
import { checkMigration, startMigration } from "./api";
import { MovePanel } from "./move-panel";
import { CheckList } from "./check-list";
import type { ForecastWithInputs } from "@/lib/forecast/inputs";
import { migrationOptionsSchema, type MigrationOptionsInput } from "@/lib/jobs/schema";
import { describeIssues } from "@/lib/hosts/schema";

export interface MigrateTarget {
  domain: DomainInfo;
  sourceId: string;
  sourceName: string;
  targetId: string;
  targetName: string;
}

/** The checks for one proposed move and the Migrate button: a fail blocks, a warning needs a tick. */
export function MigrateDialog({
  target,
  initialChecks,
  onClose,
  onStarted,
}: {
  target: MigrateTarget;
  initialChecks: Check[] | null;
  onClose(): void;
  onStarted(jobId: string): void;
}) {
  const [checks, setChecks] = useState<Check[] | null>(initialChecks);
  const [transport, setTransport] = useState<string | null>(null);
  const [forecast, setForecast] = useState<ForecastWithInputs | null>(null);
  const [offersOptions, setOffersOptions] = useState(false);
  const [toolstackLabel, setToolstackLabel] = useState("");
  const [opts, setOpts] = useState({ bandwidth: "", downtime: "", autoConverge: false, postcopy: false });
  const [confirmed, setConfirmed] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [moving, setMoving] = useState(false);

  useEffect(() => {
    let live = true;
    checkMigration(target.domain.name, target.sourceId, target.targetId).then(
      (r) => {
        if (live) {
          setChecks(r.checks);
          setTransport(r.transport);
          setForecast(r.forecast);
          setOffersOptions(r.capabilities.migrationOptions);
          setToolstackLabel(r.toolstackLabel);
        }
      },
      (e: Error) => {
        if (live) setError(e.message);
      },
    );
    return () => {
      live = false;
    };
  }, [target]);

  const failed = checks?.some((c) => c.status === "fail") ?? true;
  const warned = checks?.some((c) => c.status === "warn") ?? false;
  const canStart = checks !== null && !failed && (!warned || confirmed) && !busy;
  const onMigrate = async () => {
    setError(null);
    let options: MigrationOptionsInput | undefined;
    if (offersOptions) {
      const parsed = migrationOptionsSchema.safeParse({
        ...(opts.bandwidth.trim() ? { bandwidthMiBps: Number(opts.bandwidth) } : {}),
        ...(opts.downtime.trim() ? { maxDowntimeMs: Number(opts.downtime) } : {}),
        ...(opts.autoConverge ? { autoConverge: true } : {}),
        ...(opts.postcopy ? { postcopy: true } : {}),
      });
      if (!parsed.success) return setError(describeIssues(parsed.error));
      options = Object.keys(parsed.data).length ? parsed.data : undefined;
    }
    setBusy(true);
    try {
      const { job } = await startMigration(target.domain.name, target.sourceId, target.targetId, confirmed, options);
      onStarted(job.id);
    } catch (e) {
      setError((e as Error).message);
      setBusy(false);
    }
  };

  return (
    <div
      className="fixed inset-0 z-50 flex items-center justify-center bg-slate-900/30 p-4"
      role="dialog"
      aria-modal="true"
      aria-labelledby="migrate-title"
      data-testid="migrate-dialog"
    >
      <div className="max-h-[calc(100vh-2rem)] w-full max-w-lg overflow-y-auto rounded-lg bg-white p-5 shadow-xl">
        <h2 id="migrate-title" className="text-lg font-semibold">
          Migrate {target.domain.name}
        </h2>
        <p className="text-sm text-slate-600">
          {target.sourceName} → {target.targetName} · live, {formatMiB(target.domain.memoryMiB)} of memory
        </p>
        <div className="mt-4">
          {checks === null ? (
            <p className="text-sm text-slate-500" data-testid="checks">
              Running the checks…
            </p>
          ) : (
            <CheckList checks={checks} idPrefix="check" testId="checks" />
          )}
        </div>
        {forecast && <ForecastBox f={forecast} />}
        {offersOptions && (
          <fieldset className="mt-3 rounded border border-slate-200 px-3 py-2 text-sm" data-testid="libvirt-options">
            <legend className="px-1 text-xs font-medium text-slate-600">{toolstackLabel} options</legend>
            <div className="grid grid-cols-2 gap-2">
              <label className="text-xs">
                Bandwidth limit (MiB/s)
                <input
                  className="mt-0.5 w-full rounded border border-slate-300 px-2 py-1"
                  inputMode="numeric"
                  placeholder="no limit"
                  value={opts.bandwidth}
                  onChange={(e) => setOpts({ ...opts, bandwidth: e.target.value })}
                  data-testid="opt-bandwidth"
                />
              </label>
              <label className="text-xs">
                Maximum downtime (ms)
                <input
                  className="mt-0.5 w-full rounded border border-slate-300 px-2 py-1"
                  inputMode="numeric"
                  placeholder="QEMU default 300"
                  value={opts.downtime}
                  onChange={(e) => setOpts({ ...opts, downtime: e.target.value })}
                  data-testid="opt-downtime"
                />
              </label>
            </div>
            <label className="mt-2 flex items-center gap-2 text-xs">
              <input
                type="checkbox"
                checked={opts.autoConverge}
                onChange={(e) => setOpts({ ...opts, autoConverge: e.target.checked })}
                data-testid="opt-autoconverge"
              />
              Auto-converge: slow the guest's vCPUs down if pre-copy cannot keep up
            </label>
            <label className="mt-1 flex items-center gap-2 text-xs">
              <input
                type="checkbox"
                checked={opts.postcopy}
                onChange={(e) => setOpts({ ...opts, postcopy: e.target.checked })}
                data-testid="opt-postcopy"
              />
              Allow switching to post-copy during the migration (if the link breaks then, the guest is lost)
            </label>
          </fieldset>
        )}
        {transport && (
          <p className="mt-3 rounded bg-slate-50 px-2 py-1.5 text-xs text-slate-600" data-testid="transport">
            <b>Transport:</b> {transport}
          </p>
        )}
        {warned && !failed && (
          <label className="mt-3 flex items-center gap-2 text-sm">
            <input
              type="checkbox"
              checked={confirmed}
              onChange={(e) => setConfirmed(e.target.checked)}
              data-testid="confirm-warnings"
            />
            I have read the warnings; migrate anyway.
          </label>
        )}
        {error && (
          <p
            role="alert"
            className="mt-3 rounded bg-red-50 px-2 py-1.5 text-sm text-red-800"
            data-testid="migrate-error"
          >
            {error}
          </p>
        )}
        {moving && (
          <MovePanel
            domain={target.domain.name}
            sourceId={target.sourceId}
            targetId={target.targetId}
            onStarted={onStarted}
            onCancel={() => setMoving(false)}
          />
        )}
        <div className="mt-5 flex justify-end gap-2">
          <button
            type="button"
            onClick={() => setMoving(true)}
            disabled={busy || moving}
            className="mr-auto rounded-md border border-slate-300 px-3 py-1.5 text-sm disabled:opacity-40"
            data-testid="move-start"
            title="Save on the source, copy if needed, restore on the target: the domain stops for the whole transfer"
          >
            Move by save/restore…
          </button>
          <button
            type="button"
            onClick={onClose}
            className="rounded-md border border-slate-300 px-3 py-1.5 text-sm"
            data-testid="migrate-close"
          >
            Close
          </button>
          <button
            type="button"
            onClick={onMigrate}
            disabled={!canStart}
            className="rounded-md bg-sky-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-sky-800 disabled:opacity-40"
            data-testid="migrate-start"
          >
            {busy ? "Starting…" : "Migrate"}
          </button>
        </div>
      </div>
    </div>
  );
}

const verdictLook = {
  converges: "border-emerald-200 bg-emerald-50",
  "converges-with-help": "border-amber-300 bg-amber-50",
  "will-not-converge": "border-red-300 bg-red-50",
} as const;
const verdictWords = {
  converges: "converges",
  "converges-with-help": "converges only with help",
  "will-not-converge": "will not converge",
} as const;

/** The forecast before launch: time, downtime, rounds and a verdict, with where its inputs came from. */
function ForecastBox({ f }: { f: ForecastWithInputs }) {
  const secs = (ms: number) => (ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`);
  return (
    <div
      className={`mt-3 rounded border px-3 py-2 text-sm ${verdictLook[f.verdict]}`}
      data-testid="forecast"
      data-verdict={f.verdict}
    >
      <p>
        <b>Forecast:</b> about <b data-testid="forecast-total">{secs(f.totalMs)}</b>, downtime about{" "}
        <b data-testid="forecast-downtime">{secs(f.downtimeMs)}</b>, {f.rounds} rounds —{" "}
        <b>{verdictWords[f.verdict]}</b>. {f.reason}
      </p>
      <p className="mt-1 text-xs text-slate-600">Inputs: {f.inputs.sources.join("; ")}.</p>
    </div>
  );
}
