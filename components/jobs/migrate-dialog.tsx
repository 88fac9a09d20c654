"use client";
import { Button } from "@/components/ui/button";
import { Alert } from "../ui/alert";
import Link from "next/link";
import { useEffect, useMemo, useRef, useState } from "react";
import type { Check } from "@/lib/checks/migration";
import type { DomainInfo } from "@/lib/toolstacks/types";
import { formatMiB } from "@/lib/format";
import { checkMigration, startMigration } from "./api";
import { MovePanel } from "./move-panel";
import { Modal } from "../modal";
import { CheckList } from "./check-list";
import type { ForecastWithInputs } from "@/lib/forecast/inputs";
import type { ForecastHelp } from "@/lib/forecast/model";
import { ApiError } from "../api";
import { ForecastBox } from "./forecast-box";
import { emptyOptions, MigrationOptionsFields, parseOptions } from "./migration-options";

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
  const [opts, setOpts] = useState(emptyOptions);
  const [confirmed, setConfirmed] = useState(false);
  const [error, setError] = useState<string | null>(null);
  /** the job a refusal named (another job already on the domain): linked beside the error */
  const [heldBy, setHeldBy] = useState<string | null>(null);
  /** bumped to ask the checks again (a refusal said something changed) */
  const [asked, setAsked] = useState(0);
  const migrateButton = useRef<HTMLButtonElement>(null);
  const [busy, setBusy] = useState(false);
  const [moving, setMoving] = useState(false);
  const [helped, setHelped] = useState<ForecastHelp | null>(null);
  /** the options the shown checks and forecast were computed for */
  const [answeredKey, setAnsweredKey] = useState<string | null>(null);

  // the options as the API takes them; each field's problem instead when they do not parse
  const chosen = useMemo(
    () => (offersOptions ? parseOptions(opts) : { options: undefined, problems: {} }),
    [offersOptions, opts],
  );
  const problem = Object.values(chosen.problems)[0] ?? null;
  const optionsKey = JSON.stringify(chosen.options ?? null);

  // the checks and the forecast follow the options chosen (debounced while typing)
  const invalid = problem !== null;
  // biome-ignore lint/correctness/useExhaustiveDependencies: `asked` is bumped to ask the same checks again
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
  }, [target, optionsKey, invalid, asked]);

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
  const fresh = answeredKey === optionsKey || problem !== null;
  const canStart = checks !== null && fresh && !failed && (!warned || confirmed) && !busy && problem === null;
  // the dialog holds focus until its answer is in; then Migrate (not the move that stops the guest) takes it
  useEffect(() => {
    const dialog = migrateButton.current?.closest<HTMLElement>('[role="dialog"]');
    if (canStart && dialog && document.activeElement === dialog) migrateButton.current?.focus();
  }, [canStart]);
  const onMigrate = async () => {
    setError(null);
    setHeldBy(null);
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
      // another job took the domain meanwhile (another tab, another operator): the checks are asked again
      if (e instanceof ApiError && e.code === "conflict") {
        setHeldBy(e.jobId ?? null);
        setAsked((n) => n + 1);
      }
      setBusy(false);
    }
  };

  return (
    <Modal
      title={<>Migrate {target.domain.name}</>}
      onClose={onClose}
      testId="migrate-dialog"
      data={{ "data-fresh": fresh ? "true" : "false" }}
      holdFocus
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
        <MigrationOptionsFields
          label={toolstackLabel}
          value={opts}
          onChange={setOpts}
          problems={chosen.problems}
          help={
            // what was chosen for the operator, while the options still carry it (the forecast that follows the
            // choice no longer names a help: its figures already assume it)
            helped && (helped.autoConverge ? opts.autoConverge : opts.downtime === String(helped.maxDowntimeMs))
              ? helped
              : null
          }
        />
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
        <Alert tone="error" className="mt-3" testId="migrate-error">
          {error}
          {heldBy && (
            <>
              {" "}
              <Link href={`/jobs/${heldBy}`} className="underline" data-testid="migrate-error-job">
                Open that job
              </Link>
            </>
          )}
        </Alert>
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
        <Button ref={migrateButton} onClick={onMigrate} disabled={!canStart} kind="primary" data-testid="migrate-start">
          {busy ? "Starting…" : "Migrate"}
        </Button>
      </div>
    </Modal>
  );
}
