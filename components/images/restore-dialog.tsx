"use client";
import { Button } from "@/components/ui/button";
import { useState } from "react";
import { Modal } from "../modal";
import { article, sentenceCase } from "@/lib/format";
import { checkRestore, restoreImage } from "../jobs/api";
import type { ImageView } from "@/lib/images/catalog";
import type { Check } from "@/lib/checks/migration";

// Restoring an image: choose a host, check (readable, unchanged, not run past, memory, toolstack…), restore. An
// image the domain has run past needs the operator to tick that they know its disks changed (the server checks too).

export interface HostOption {
  id: string;
  name: string;
  status: string;
  toolstack: string;
}

export function RestoreDialog({
  image,
  hosts,
  onClose,
  onStarted,
}: {
  image: ImageView;
  hosts: HostOption[];
  onClose(): void;
  onStarted(jobId: string): void;
}) {
  const [target, setTarget] = useState(hosts.find((h) => h.status === "online")?.id ?? "");
  const [checks, setChecks] = useState<Check[] | null>(null);
  // the domain ran since this image: restoring needs the operator to say they know its disks changed
  const [acknowledged, setAcknowledged] = useState(false);
  const stale = checks?.some((c) => c.id === "fresh" && c.status !== "ok") ?? false;
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const run = async (fn: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await fn();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const failed = checks?.some((c) => c.status === "fail") ?? true;
  return (
    <Modal title={<>Restore {image.domainName}</>} onClose={onClose} testId="restore-dialog">
      <p className="text-sm text-slate-600">
        from {image.hostName}:{image.path}
      </p>
      {image.formatLabel && (
        <p className="text-xs text-slate-500" data-testid="restore-format">
          {sentenceCase(article(image.formatLabel))} image: only hosts of that toolstack are offered.
        </p>
      )}
      <label className="mt-3 block text-sm">
        On host
        <select
          value={target}
          onChange={(e) => {
            setTarget(e.target.value);
            setChecks(null);
            setAcknowledged(false);
          }}
          className="mt-1 w-full rounded-md border border-slate-300 px-2 py-1.5 text-sm"
          data-testid="restore-target"
        >
          {hosts.map((h) => (
            <option key={h.id} value={h.id}>
              {h.name} ({h.status})
            </option>
          ))}
        </select>
      </label>
      <ul className="mt-3 space-y-1 text-sm" data-testid="restore-checks">
        {checks?.map((c) => (
          <li key={c.id} data-testid={`rcheck-${c.id}`} data-status={c.status}>
            <b
              className={
                c.status === "fail" ? "text-red-700" : c.status === "warn" ? "text-amber-700" : "text-emerald-700"
              }
            >
              {c.status}
            </b>{" "}
            {c.label}: <span className="text-slate-600">{c.reason}</span>
          </li>
        ))}
      </ul>
      {stale && (
        <label className="mt-3 flex items-start gap-2 rounded bg-amber-50 px-2 py-1.5 text-sm text-amber-950">
          <input
            type="checkbox"
            className="mt-0.5"
            checked={acknowledged}
            onChange={(e) => {
              setAcknowledged(e.target.checked);
              // the checks say what the server will decide: asked again with the answer
              void run(async () => setChecks((await checkRestore(image.id, target, e.target.checked)).checks));
            }}
            data-testid="restore-ack-stale"
          />
          <span>
            I know the disks of {image.domainName} have changed since this image was made, and that restoring it may
            break the guest&apos;s filesystems. (Recorded in the audit log.)
          </span>
        </label>
      )}
      {error && (
        <p role="alert" className="mt-3 rounded bg-red-50 px-2 py-1.5 text-sm text-red-800">
          {error}
        </p>
      )}
      <div className="mt-5 flex justify-end gap-2">
        <button type="button" onClick={onClose} className="rounded-md border border-slate-300 px-3 py-1.5 text-sm">
          Close
        </button>
        <button
          type="button"
          disabled={busy || !target}
          onClick={() => run(async () => setChecks((await checkRestore(image.id, target, acknowledged)).checks))}
          className="rounded-md border border-slate-300 px-3 py-1.5 text-sm"
          data-testid="restore-check"
        >
          {busy && !checks ? "Checking…" : "Check"}
        </button>
        <Button
          disabled={busy || failed}
          onClick={() => run(async () => onStarted((await restoreImage(image.id, target, acknowledged)).job.id))}
          kind="primary"
          data-testid="restore-start"
        >
          Restore
        </Button>
      </div>
    </Modal>
  );
}
