"use client";
import { useState } from "react";
import type { RetentionReview } from "@/lib/images/retention-service";
import { placeOf, ruleInputSchema, ruleWords } from "@/lib/images/retention";
import type { ImageView } from "@/lib/images/catalog";
import { formatBytes } from "@/lib/format-bytes";
import { count } from "@/lib/format";
import { fieldIssues } from "@/lib/hosts/schema";
import { api } from "../api";
import { Modal } from "../modal";
import { Alert } from "../ui/alert";
import { Actions, Button } from "../ui/button";

/**
 * The catalog kept in check: each directory's total, the retention rules (keep each domain's newest N, flag what is
 * older than D days — per directory or per domain), and the list of what they would delete, read before anything is.
 */
export function RetentionPanel({
  review,
  images,
  canAct,
  onChanged,
}: {
  review: RetentionReview;
  images: ImageView[];
  canAct: boolean;
  /** after a rule changed or images were deleted: the page reads the catalog and the review again */
  onChanged(notice?: string): Promise<void>;
}) {
  const [form, setForm] = useState({ scope: "dir", value: "", keepLast: "", olderThanDays: "" });
  const [problems, setProblems] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const doomed = review.verdicts.delete;
  const doomedBytes = doomed.reduce((a, d) => a + d.image.sizeBytes, 0);
  const suggestions =
    form.scope === "dir"
      ? [...new Set(images.map((i) => i.path.slice(0, i.path.lastIndexOf("/")) || "/"))].sort()
      : [...new Set(images.map((i) => i.domainName))].sort();
  const run = async (fn: () => Promise<unknown>, notice?: string) => {
    setError(null);
    setBusy(true);
    try {
      await fn();
      await onChanged(notice);
    } catch (e) {
      setError((e as Error).message);
      // part of a list may have gone: show what is there now
      await onChanged().catch(() => undefined);
    } finally {
      setBusy(false);
    }
  };
  const add = () => {
    const input = {
      scope: form.scope,
      value: form.value,
      keepLast: form.keepLast.trim() ? Number(form.keepLast) : null,
      olderThanDays: form.olderThanDays.trim() ? Number(form.olderThanDays) : null,
    };
    const parsed = ruleInputSchema.safeParse(input);
    if (!parsed.success) {
      setProblems(fieldIssues(parsed.error));
      return;
    }
    setProblems({});
    void run(async () => {
      await api("POST", "/api/images/retention/rules", parsed.data);
      setForm({ ...form, value: "", keepLast: "", olderThanDays: "" });
    }, "Rule added. Nothing is deleted until you review the list below and confirm it.");
  };
  const field = (name: keyof typeof form, label: string, extra: React.InputHTMLAttributes<HTMLInputElement>) => (
    <label className="text-xs">
      {label}
      <input
        className="mt-0.5 block rounded border border-slate-300 px-1.5 py-1 text-sm"
        value={form[name]}
        onChange={(e) => setForm({ ...form, [name]: e.target.value })}
        aria-invalid={problems[name] ? true : undefined}
        aria-describedby={problems[name] ? `ret-${name}-problem` : undefined}
        data-testid={`ret-${name}`}
        {...extra}
      />
      {problems[name] && (
        <span id={`ret-${name}-problem`} className="mt-0.5 block text-red-700" data-testid={`ret-problem-${name}`}>
          {problems[name]}
        </span>
      )}
    </label>
  );
  return (
    <section className="mb-5 space-y-3 rounded-lg border border-slate-200 bg-white p-3" data-testid="retention">
      <div>
        <h2 className="text-sm font-semibold">Space and retention</h2>
        <ul className="mt-1 flex flex-wrap gap-x-5 gap-y-1 text-sm" data-testid="place-totals">
          {review.totals.map((t) => (
            <li key={t.place} data-testid="place-total">
              <span className="font-mono text-xs">{t.place}</span>: {count(t.images, "image")}, {formatBytes(t.bytes)}
            </li>
          ))}
        </ul>
      </div>
      {error && (
        <Alert tone="error" testId="ret-error">
          {error}
        </Alert>
      )}
      <ul className="space-y-1 text-sm" data-testid="ret-rules">
        {review.rules.length === 0 && <li className="text-slate-600">No retention rules: every image is kept.</li>}
        {review.rules.map((r) => (
          <li key={r.id} className="flex flex-wrap items-center gap-2" data-testid="ret-rule">
            <span>
              <b>{ruleWords(r)}</b>:{" "}
              {[
                r.keepLast !== null ? `keep each domain's newest ${r.keepLast}` : null,
                r.olderThanDays !== null ? `flag images older than ${r.olderThanDays} days` : null,
              ]
                .filter(Boolean)
                .join("; ")}
            </span>
            {canAct && (
              <Button
                small
                disabled={busy}
                onClick={() => run(() => api("DELETE", `/api/images/retention/rules/${r.id}`), "Rule removed.")}
                aria-label={`Remove the rule for ${ruleWords(r)}`}
                data-testid="ret-rule-remove"
              >
                Remove
              </Button>
            )}
          </li>
        ))}
      </ul>
      {canAct && (
        <div className="flex flex-wrap items-start gap-2" data-testid="ret-form">
          <label className="text-xs">
            For
            <select
              className="mt-0.5 block rounded border border-slate-300 px-1.5 py-1 text-sm"
              value={form.scope}
              onChange={(e) => setForm({ ...form, scope: e.target.value, value: "" })}
              data-testid="ret-scope"
            >
              <option value="dir">a directory</option>
              <option value="domain">a domain</option>
            </select>
          </label>
          {field("value", form.scope === "dir" ? "Directory" : "Domain", {
            list: "ret-suggestions",
            placeholder: form.scope === "dir" ? "/xen-saved-images" : "web-kvm",
            className: "mt-0.5 block w-48 rounded border border-slate-300 px-1.5 py-1 text-sm",
          })}
          <datalist id="ret-suggestions">
            {suggestions.map((s) => (
              <option key={s} value={s} />
            ))}
          </datalist>
          {field("keepLast", "Keep the newest (per domain)", { inputMode: "numeric", size: 6 })}
          {field("olderThanDays", "Flag older than (days)", { inputMode: "numeric", size: 6 })}
          <Button kind="primary" className="mt-4" disabled={busy} onClick={add} data-testid="ret-add">
            Add rule
          </Button>
        </div>
      )}
      {doomed.length > 0 && (
        <div className="rounded border border-amber-300 bg-amber-50 p-2 text-sm" data-testid="ret-doomed">
          <p className="font-medium">
            The rules would delete {count(doomed.length, "image")} ({formatBytes(doomedBytes)}):
          </p>
          <ul className="mt-1 space-y-0.5 text-xs">
            {doomed.map((d) => (
              <li key={d.image.id} data-testid={`ret-doomed-${d.image.id}`}>
                <span className="font-mono">
                  {placeOf(d.image)}/{d.image.path.slice(d.image.path.lastIndexOf("/") + 1)}
                </span>{" "}
                — {d.why}
              </li>
            ))}
          </ul>
          {canAct && (
            <Button kind="caution" className="mt-2" onClick={() => setConfirming(true)} data-testid="ret-apply">
              {doomed.length === 1 ? "Delete this image…" : `Delete these ${doomed.length} images…`}
            </Button>
          )}
        </div>
      )}
      {review.verdicts.flagged.length > 0 && (
        <p className="text-xs text-slate-700" data-testid="ret-flagged">
          Flagged (kept): {review.verdicts.flagged.map((f) => `${f.image.domainName} — ${f.why}`).join("; ")}.
        </p>
      )}
      {confirming && (
        <Modal
          title={`Delete ${count(doomed.length, "image")}?`}
          onClose={() => setConfirming(false)}
          testId="ret-confirm"
        >
          <p className="text-sm">
            {count(doomed.length, "file")} ({formatBytes(doomedBytes)}) are removed from their hosts: the saved memory
            in them is gone. Each domain's newest image stays.
          </p>
          <Actions>
            <Button onClick={() => setConfirming(false)} data-testid="ret-confirm-no">
              Cancel
            </Button>
            <Button
              kind="caution"
              disabled={busy}
              data-testid="ret-confirm-yes"
              onClick={() =>
                run(
                  async () => {
                    const r = await api<{ deleted: string[]; failed: { id: string; message: string }[] }>(
                      "POST",
                      "/api/images/retention/apply",
                      { expect: doomed.map((d) => d.image.id) },
                    );
                    setConfirming(false);
                    if (r.failed.length)
                      throw new Error(
                        `Deleted ${r.deleted.length}; not deleted: ${r.failed.map((f) => f.message).join(" ")}`,
                      );
                  },
                  `Deleted ${count(doomed.length, "image")}.`,
                )
              }
            >
              Delete them
            </Button>
          </Actions>
        </Modal>
      )}
    </section>
  );
}
