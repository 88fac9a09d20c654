"use client";
import { Alert } from "../ui/alert";
import { Actions, Button } from "../ui/button";
import { Modal } from "../modal";
import { useEffect, useState } from "react";
import type { DomainInfo } from "@/lib/toolstacks/types";
import { formatMiB } from "@/lib/format";
import { checkSave, saveDomain } from "./api";

/** Save a running domain to one of its host's image directories (it leaves the active list). */
export function SaveDialog({
  domain,
  hostId,
  hostName,
  dirs,
  onClose,
  onStarted,
}: {
  domain: DomainInfo;
  hostId: string;
  hostName: string;
  dirs: string[];
  onClose(): void;
  /** the save started (its job's page may open); without it the dialog just closes */
  onStarted?(jobId: string): void;
}) {
  const [dir, setDir] = useState(dirs[0]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // each directory's checks, asked when the dialog opens: propose one that passes, never submit one that fails
  const [answers, setAnswers] = useState<Awaited<ReturnType<typeof checkSave>>["dirs"] | null>(null);
  useEffect(() => {
    let live = true;
    checkSave(domain.name, hostId).then(
      (r) => {
        if (!live) return;
        setAnswers(r.dirs);
        const good = r.dirs.find((d) => !d.checks.some((c) => c.status === "fail"));
        if (good) setDir(good.dir);
      },
      (e: Error) => live && setError(e.message),
    );
    return () => {
      live = false;
    };
  }, [domain.name, hostId]);
  const answer = answers?.find((a) => a.dir === dir);
  const refused = answer?.checks.filter((c) => c.status === "fail") ?? [];
  const onSave = async () => {
    setBusy(true);
    setError(null);
    try {
      const { job } = await saveDomain(domain.name, hostId, dir);
      if (onStarted) onStarted(job.id);
      else onClose();
    } catch (e) {
      setError((e as Error).message);
      setBusy(false);
    }
  };
  return (
    <Modal title={<>Save {domain.name}</>} onClose={onClose} testId="save-dialog" width="max-w-md">
      <p className="mt-1 text-sm text-slate-600">
        Writes its whole memory ({formatMiB(domain.memoryMiB)}) to an image on {hostName}; the domain stops running
        until you restore it, on this or another host. The image is unencrypted memory: Ferry writes it 0600 into a
        private directory and records its sha256.
      </p>
      <label className="mt-4 block text-sm">
        Directory
        <select
          className="mt-1 w-full rounded-md border border-slate-300 px-2 py-1.5 text-sm"
          value={dir}
          onChange={(e) => setDir(e.target.value)}
          data-testid="save-dir"
        >
          {dirs.map((d) => {
            const a = answers?.find((x) => x.dir === d);
            const bad = a?.checks.some((c) => c.status === "fail");
            return (
              <option key={d} value={d}>
                {d}
                {a?.shared ? " (shared)" : ""}
                {bad ? " — refused (choose it to read why)" : ""}
              </option>
            );
          })}
        </select>
      </label>
      <p className="mt-2 font-mono text-xs text-slate-500">
        {dir}/{domain.name}-&lt;time&gt;.save
      </p>
      {answers === null && !error && <p className="mt-2 text-xs text-slate-500">Checking the directories…</p>}
      {refused.length > 0 && (
        <ul className="mt-2 space-y-1 text-sm text-red-800" data-testid="save-refused">
          {refused.map((c) => (
            <li key={c.id}>
              <span className="font-medium">{c.label}:</span> {c.reason}
            </li>
          ))}
        </ul>
      )}
      {error && (
        <Alert tone="error" testId="save-error" className="mt-3">
          {error}
        </Alert>
      )}
      <Actions>
        <Button onClick={onClose}>Close</Button>
        <Button
          kind="primary"
          onClick={onSave}
          disabled={busy || answer === undefined || refused.length > 0}
          data-testid="save-start"
        >
          {busy ? "Starting…" : "Save"}
        </Button>
      </Actions>
    </Modal>
  );
}
