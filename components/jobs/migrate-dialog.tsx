"use client";
import { useEffect, useState } from "react";
import type { Check } from "@/lib/checks/migration";
import type { DomainInfo } from "@/lib/toolstacks/types";
import { formatMiB } from "@/lib/format";
import { checkMigration, moveDomain, startMigration } from "./api";

export interface MigrateTarget { domain: DomainInfo; sourceId: string; sourceName: string; targetId: string; targetName: string }

const icon = { ok: "✓", warn: "!", fail: "✗" } as const;
const look = { ok: "text-emerald-700", warn: "text-amber-700", fail: "text-red-700" } as const;

/** The checks for one proposed move and the Migrate button: a fail blocks, a warning needs a tick. */
export function MigrateDialog({ target, initialChecks, onClose, onStarted }: {
  target: MigrateTarget; initialChecks: Check[] | null; onClose(): void; onStarted(jobId: string): void;
}) {
  const [checks, setChecks] = useState<Check[] | null>(initialChecks);
  const [transport, setTransport] = useState<string | null>(null);
  const [confirmed, setConfirmed] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let live = true;
    checkMigration(target.domain.name, target.sourceId, target.targetId).then(
      (r) => { if (live) { setChecks(r.checks); setTransport(r.transport); } },
      (e: Error) => { if (live) setError(e.message); },
    );
    return () => { live = false; };
  }, [target]);

  const failed = checks?.some((c) => c.status === "fail") ?? true;
  const warned = checks?.some((c) => c.status === "warn") ?? false;
  const canStart = checks !== null && !failed && (!warned || confirmed) && !busy;
  const onMigrate = async () => {
    setBusy(true);
    setError(null);
    try {
      const { job } = await startMigration(target.domain.name, target.sourceId, target.targetId, confirmed);
      onStarted(job.id);
    } catch (e) { setError((e as Error).message); setBusy(false); }
  };

  return (
    <div className="fixed inset-0 z-50 flex items-center justify-center bg-slate-900/30 p-4" role="dialog" aria-modal="true" aria-labelledby="migrate-title" data-testid="migrate-dialog">
      <div className="w-full max-w-lg rounded-lg bg-white p-5 shadow-xl">
        <h2 id="migrate-title" className="text-lg font-semibold">Migrate {target.domain.name}</h2>
        <p className="text-sm text-slate-600">{target.sourceName} → {target.targetName} · live, {formatMiB(target.domain.memoryMiB)} of memory</p>
        <ul className="mt-4 space-y-1.5" data-testid="checks">
          {checks === null && <li className="text-sm text-slate-500">Running the checks…</li>}
          {checks?.map((c) => (
            <li key={c.id} className="flex gap-2 text-sm" data-testid={`check-${c.id}`} data-status={c.status}>
              <span className={`w-4 shrink-0 font-bold ${look[c.status]}`} aria-label={c.status}>{icon[c.status]}</span>
              <span><span className="font-medium">{c.label}.</span> <span className="text-slate-600">{c.reason}</span></span>
            </li>
          ))}
        </ul>
        {transport && <p className="mt-3 rounded bg-slate-50 px-2 py-1.5 text-xs text-slate-600" data-testid="transport"><b>Transport:</b> {transport}</p>}
        {warned && !failed && (
          <label className="mt-3 flex items-center gap-2 text-sm">
            <input type="checkbox" checked={confirmed} onChange={(e) => setConfirmed(e.target.checked)} data-testid="confirm-warnings" />
            I have read the warnings; migrate anyway.
          </label>
        )}
        {error && <p role="alert" className="mt-3 rounded bg-red-50 px-2 py-1.5 text-sm text-red-800" data-testid="migrate-error">{error}</p>}
        <div className="mt-5 flex justify-end gap-2">
          <button onClick={async () => { setBusy(true); try { const { job } = await moveDomain(target.domain.name, target.sourceId, target.targetId); onStarted(job.id); } catch (e) { setError((e as Error).message); setBusy(false); } }}
            disabled={busy || checks === null} className="mr-auto rounded-md border border-slate-300 px-3 py-1.5 text-sm disabled:opacity-40" data-testid="move-start"
            title="Save on the source, copy if needed, restore on the target: the domain stops for the whole transfer">
            Move by save/restore
          </button>
          <button onClick={onClose} className="rounded-md border border-slate-300 px-3 py-1.5 text-sm" data-testid="migrate-close">Close</button>
          <button onClick={onMigrate} disabled={!canStart} className="rounded-md bg-sky-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-sky-800 disabled:opacity-40" data-testid="migrate-start">
            {busy ? "Starting…" : "Migrate"}
          </button>
        </div>
      </div>
    </div>
  );
}
