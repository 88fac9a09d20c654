"use client";
import { EmptyState } from "@/components/ui/empty-state";
import { Alert } from "@/components/ui/alert";
import { TableScroll } from "@/components/table-scroll";
import { LocalTime } from "../time";
import Link from "next/link";
import { useState } from "react";
import { api } from "../api";
import type { ImageView } from "@/lib/images/catalog";
import { formatBytes } from "@/lib/format-bytes";
import { formatMiB } from "@/lib/format";

import { RestoreDialog, type HostOption } from "./restore-dialog";
import { ImageHistoryLine } from "./image-history";
import { RetentionPanel } from "./retention-panel";
import type { RetentionReview } from "@/lib/images/retention-service";
const integrityLook = {
  verified: "bg-emerald-100 text-emerald-800",
  changed: "bg-red-100 text-red-800",
  missing: "bg-slate-200 text-slate-700",
  unverified: "bg-amber-100 text-amber-900",
} as const;

export function ImagesView({
  initialImages,
  initialReview,
  hosts,
  canAct,
}: {
  initialImages: ImageView[];
  initialReview: RetentionReview;
  hosts: HostOption[];
  canAct: boolean;
}) {
  const [images, setImages] = useState(initialImages);
  const [review, setReview] = useState(initialReview);
  const flags = new Map(review.verdicts.flagged.map((f) => [f.image.id, f.why]));
  const doomed = new Set(review.verdicts.delete.map((d) => d.image.id));
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [restoring, setRestoring] = useState<ImageView | null>(null);
  const [busy, setBusy] = useState(false);
  const reload = async () => {
    setImages((await api<{ images: ImageView[] }>("GET", "/api/images")).images);
    setReview(await api<RetentionReview>("GET", "/api/images/retention"));
  };
  const act = async (fn: () => Promise<unknown>, ok?: string) => {
    setError(null);
    setNotice(null);
    setBusy(true);
    try {
      await fn();
      await reload();
      if (ok) setNotice(ok);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div>
      <div className="mb-4 flex flex-wrap items-end justify-between gap-2">
        <div>
          <h1 className="text-2xl font-semibold">Images</h1>
          <p className="text-sm text-slate-600">
            Saved domains: every image Ferry made, and every save file (in any toolstack&apos;s format) found in the
            hosts&apos; image directories. Images are unencrypted memory.
          </p>
        </div>
        {canAct && (
          <button
            type="button"
            disabled={busy}
            onClick={() =>
              act(async () => {
                const r = await api<{ found: number; missing: number }>("POST", "/api/images/discover");
                setNotice(`Scan done: ${r.found} new, ${r.missing} missing.`);
              })
            }
            className="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm"
            data-testid="images-discover"
          >
            Scan hosts
          </button>
        )}
      </div>
      {error && (
        <Alert tone="error" className="mb-3" testId="images-error">
          {error}
        </Alert>
      )}
      {notice && (
        <Alert tone="ok" className="mb-3" testId="images-notice">
          {notice}
        </Alert>
      )}
      {images.length > 0 && (
        <RetentionPanel
          review={review}
          images={images}
          canAct={canAct}
          onChanged={async (ok) => {
            setError(null);
            setNotice(ok ?? null);
            await reload();
          }}
        />
      )}
      {images.length === 0 ? (
        <EmptyState title="No images yet" testId="images-empty">
          Save a domain from the Cluster page, or scan the hosts for save files made outside Ferry.
        </EmptyState>
      ) : (
        <TableScroll label="Saved images table">
          <table
            className="stack-on-phone w-full overflow-hidden rounded-lg border border-slate-200 bg-white text-sm"
            data-testid="images-table"
          >
            <thead className="bg-slate-50 text-left text-xs text-slate-600">
              <tr>
                <th className="px-3 py-2">Domain</th>
                <th className="px-3 py-2">Memory</th>
                <th className="px-3 py-2">Size</th>
                <th className="px-3 py-2">Host and path</th>
                <th className="px-3 py-2">Created</th>
                <th className="px-3 py-2">Source</th>
                <th className="px-3 py-2">Integrity</th>
                <th className="px-3 py-2" />
              </tr>
            </thead>
            <tbody>
              {images.map((img) => (
                <tr
                  key={img.id}
                  className="border-t border-slate-100 align-top"
                  data-testid={`image-${img.domainName}`}
                >
                  <td data-label="Domain" className="px-3 py-1.5 font-medium">
                    {img.domainName}
                  </td>
                  <td data-label="Memory" className="px-3 py-1.5">
                    {formatMiB(img.memoryMiB)}
                  </td>
                  <td data-label="Size" className="px-3 py-1.5" data-testid="image-size">
                    {formatBytes(img.sizeBytes)}
                  </td>
                  <td data-label="Host and path" className="px-3 py-1.5">
                    {img.shared ? (
                      <span
                        className="text-slate-600"
                        title={`on shared storage; Ferry reaches it through ${img.hostName}`}
                      >
                        shared storage{" "}
                      </span>
                    ) : (
                      <span className="text-slate-600">{img.hostName}:</span>
                    )}
                    <span className="font-mono text-xs">{img.path}</span>
                    <ImageHistoryLine image={img} />
                    {img.mode && <span className="text-xs text-slate-500"> · mode {img.mode}</span>}
                    {img.formatLabel && (
                      <span className="text-xs text-slate-500" data-testid="image-format">
                        {" "}
                        · {img.formatLabel} image{img.arch ? `, ${img.arch}` : ""}
                      </span>
                    )}
                  </td>
                  <td data-label="Created" className="whitespace-nowrap px-3 py-1.5 text-xs">
                    <LocalTime iso={img.createdAt} />
                  </td>
                  <td data-label="Source" className="px-3 py-1.5 text-xs">
                    {img.jobId ? (
                      <Link className="text-sky-800 underline" href={`/jobs/${img.jobId}`}>
                        job
                      </Link>
                    ) : (
                      "found on host"
                    )}
                  </td>
                  <td data-label="Integrity" className="px-3 py-1.5">
                    <span
                      className={`rounded px-1.5 py-0.5 text-xs ${integrityLook[img.integrity]}`}
                      data-testid="image-integrity"
                      title={img.sha256 ?? "no checksum recorded"}
                    >
                      {img.integrity}
                    </span>
                    {flags.has(img.id) && (
                      <span className="mt-0.5 block text-xs text-amber-800" data-testid="image-flag">
                        {flags.get(img.id)}
                      </span>
                    )}
                    {doomed.has(img.id) && (
                      <span className="mt-0.5 block text-xs text-amber-800" data-testid="image-doomed">
                        a rule would delete it
                      </span>
                    )}
                  </td>
                  <td className="whitespace-nowrap px-3 py-1.5 text-right">
                    {canAct && (
                      <>
                        <button
                          type="button"
                          disabled={busy}
                          onClick={() => setRestoring(img)}
                          className="mr-1 rounded border border-slate-300 px-2 py-0.5 text-xs"
                          data-testid="image-restore"
                        >
                          Restore…
                        </button>
                        <button
                          type="button"
                          disabled={busy}
                          onClick={() =>
                            act(async () => {
                              const r = await api<{ image: ImageView }>("POST", `/api/images/${img.id}/verify`);
                              setNotice(`${img.domainName}: ${r.image.integrity}.`);
                            })
                          }
                          className="mr-1 rounded border border-slate-300 px-2 py-0.5 text-xs"
                          data-testid="image-verify"
                        >
                          Verify
                        </button>
                        <button
                          type="button"
                          disabled={busy}
                          onClick={() => {
                            if (confirm(`Delete ${img.hostName}:${img.path}? The saved domain is lost with it.`))
                              void act(() => api("DELETE", `/api/images/${img.id}`), "Image deleted.");
                          }}
                          className="rounded border border-red-300 px-2 py-0.5 text-xs text-red-700"
                          data-testid="image-delete"
                        >
                          Delete
                        </button>
                      </>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
      {restoring && (
        <RestoreDialog
          image={restoring}
          // only hosts whose toolstack can read this image's format are offered (the checks refuse the rest too)
          hosts={hosts.filter((h) => !restoring.format || h.toolstack === restoring.format)}
          onClose={() => setRestoring(null)}
          onStarted={(jobId) => {
            setRestoring(null);
            window.location.href = `/jobs/${jobId}`;
          }}
        />
      )}
    </div>
  );
}
