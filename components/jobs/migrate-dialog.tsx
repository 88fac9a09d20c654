"use client";
import { useEffect, useMemo, useState } from "react";
import type { Check } from "@/lib/checks/migration";
import type { DomainInfo } from "@/lib/toolstacks/types";
import { formatMiB } from "@/lib/format";
import { checkMigration, startMigration } from "./api";
import { MovePanel } from "./move-panel";
import { Modal } from "../modal";
import { CheckList } from "./check-list";
import type { ForecastWithInputs } from "@/lib/forecast/inputs";
import type { ForecastHelp } from "@/lib/forecast/model";
import { migrationOptionsSchema } from "@/lib/jobs/schema";
import { describeIssues } from "@/lib/hosts/schema";
import { DEFAULT_STALL_AFTER_SEC } from "@/lib/jobs/stall";

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
  const [opts, setOpts] = useState({
    bandwidth: "",
    downtime: "",
    autoConverge: false,
    postcopy: false,
    onStall: "abort" as "abort" | "postcopy",
    stallAfter: String(DEFAULT_STALL_AFTER_SEC),
  });
  const [confirmed, setConfirmed] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [moving, setMoving] = useState(false);
  const [helped, setHelped] = useState<ForecastHelp | null>(null);
  /** the options the shown checks and forecast were computed for */
  const [answeredKey, setAnsweredKey] = useState<string | null>(null);

  // the options as the API takes them; a message instead when they do not parse
  const chosen = useMemo(() => {
    if (!offersOptions) return { options: undefined, problem: null };
    const parsed = migrationOptionsSchema.safeParse({
      ...(opts.bandwidth.trim() ? { bandwidthMiBps: Number(opts.bandwidth) } : {}),
      ...(opts.downtime.trim() ? { maxDowntimeMs: Number(opts.downtime) } : {}),
      ...(opts.autoConverge ? { autoConverge: true } : {}),
      ...(opts.postcopy ? { postcopy: true } : {}),
      ...(opts.onStall !== "abort" ? { onStall: opts.onStall } : {}),
      ...(opts.stallAfter.trim() && Number(opts.stallAfter) !== DEFAULT_STALL_AFTER_SEC
        ? { stallAfterSec: Number(opts.stallAfter) }
        : {}),
    });
    if (!parsed.success) return { options: undefined, problem: describeIssues(parsed.error) };
    return { options: Object.keys(parsed.data).length ? parsed.data : undefined, problem: null };
  }, [offersOptions, opts]);
  const optionsKey = JSON.stringify(chosen.options ?? null);

  // the checks and the forecast follow the options chosen (debounced while typing)
  const invalid = chosen.problem !== null;
  useEffect(() => {
    // options that do not parse are not checked: the answer on screen stays that of the last valid ones
    if (invalid) return;
    let live = true;
    const options = JSON.parse(optionsKey) ?? undefined;
    const timer = setTimeout(
      () =>
        checkMigration(target.domain.name, target.sourceId, target.targetId, options).then(
          (r) => {
            if (!live) return;
            // new answers, new warnings: a tick given to the old ones does not carry over
            setConfirmed(false);
            setAnsweredKey(optionsKey);
            setChecks(r.checks);
            setTransport(r.transport);
            setForecast(r.forecast);
            setOffersOptions(r.capabilities.migrationOptions);
            setToolstackLabel(r.toolstackLabel);
          },
          (e: Error) => {
            if (live) setError(e.message);
          },
        ),
      options ? 300 : 0,
    );
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [target, optionsKey, invalid]);

  // "converges only with help": the help the forecast names is chosen for the operator (once; they may undo it)
  useEffect(() => {
    if (helped || !forecast?.help || !offersOptions) return;
    const help = forecast.help;
    setHelped(help);
    setOpts((o) => ({
      ...o,
      ...(help.autoConverge ? { autoConverge: true } : {}),
      ...(help.maxDowntimeMs ? { downtime: String(help.maxDowntimeMs) } : {}),
    }));
  }, [forecast, helped, offersOptions]);

  const failed = checks?.some((c) => c.status === "fail") ?? true;
  const warned = checks?.some((c) => c.status === "warn") ?? false;
  // while the options just chosen are being checked, the answer on screen is not theirs: wait for it
  const fresh = answeredKey === optionsKey || chosen.problem !== null;
  const canStart = checks !== null && fresh && !failed && (!warned || confirmed) && !busy;
  const onMigrate = async () => {
    setError(null);
    if (chosen.problem) return setError(chosen.problem);
    setBusy(true);
    try {
      const { job } = await startMigration(
        target.domain.name,
        target.sourceId,
        target.targetId,
        confirmed,
        chosen.options,
      );
      onStarted(job.id);
    } catch (e) {
      setError((e as Error).message);
      setBusy(false);
    }
  };

  return (
    <Modal
      title={<>Migrate {target.domain.name}</>}
      onClose={onClose}
      testId="migrate-dialog"
      data={{ "data-fresh": fresh ? "true" : "false" }}
      // opened by a drop: focus goes back to the domain's card
      returnFocus={() =>
        document.querySelector<HTMLElement>(
          `[data-testid="host-${CSS.escape(target.sourceName)}"] [data-testid="domain-${CSS.escape(target.domain.name)}"]`,
        )
      }
    >
      <p className="text-sm text-slate-600">
        {target.sourceName} → {target.targetName} · live, {formatMiB(target.domain.memoryMiB)} of memory
      </p>
      <div className="mt-4">
        {checks === null ? (
          // a refused check has no list to show: its reason is the alert below
          <p className="text-sm text-slate-500" data-testid="checks">
            {error ? "The checks could not run:" : "Running the checks…"}
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
          <div className="mt-2 flex flex-wrap items-center gap-1 text-xs">
            <label htmlFor="opt-stall-after">If pre-copy makes no progress for</label>
            <input
              id="opt-stall-after"
              className="w-14 rounded border border-slate-300 px-1 py-0.5"
              inputMode="numeric"
              value={opts.stallAfter}
              onChange={(e) => setOpts({ ...opts, stallAfter: e.target.value })}
              data-testid="opt-stall-after"
            />
            <label htmlFor="opt-stall-action">s, Ferry will</label>
            <select
              id="opt-stall-action"
              className="rounded border border-slate-300 px-1 py-0.5"
              value={opts.onStall}
              onChange={(e) => setOpts({ ...opts, onStall: e.target.value as "abort" | "postcopy" })}
              data-testid="opt-stall-action"
            >
              <option value="abort">abort it (the guest stays on the source)</option>
              <option value="postcopy" disabled={!opts.postcopy}>
                switch to post-copy{opts.postcopy ? "" : " (allow post-copy first)"}
              </option>
            </select>
          </div>
          {helped && forecast?.help && (
            <p className="mt-2 text-xs text-amber-800" data-testid="help-chosen">
              Chosen for you, as the forecast suggests:{" "}
              {forecast.help.autoConverge ? "auto-converge" : `a maximum downtime of ${forecast.help.maxDowntimeMs} ms`}
              .
            </p>
          )}
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
        <p role="alert" className="mt-3 rounded bg-red-50 px-2 py-1.5 text-sm text-red-800" data-testid="migrate-error">
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
    </Modal>
  );
}

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
      {f.band && f.band.totalMs > f.totalMs * 1.05 && (
        <p className="mt-1 text-xs" data-testid="forecast-band">
          Up to <b>{secs(f.band.totalMs)}</b>, downtime up to <b>{secs(f.band.downtimeMs)}</b>, if the guest dirties{" "}
          {(f.band.dirtyBps / 1048576).toFixed(0)} MiB/s: the dirty rate is an estimate.
        </p>
      )}
      <p className="mt-1 text-xs text-slate-600">Inputs: {f.inputs.sources.join("; ")}.</p>
    </div>
  );
}
