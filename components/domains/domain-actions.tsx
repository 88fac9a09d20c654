"use client";
import { Button } from "../ui/button";
import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";
import type { ImageView } from "@/lib/images/catalog";
import type { DomainInfo } from "@/lib/toolstacks/types";
import { MigrateDialog } from "../jobs/migrate-dialog";
import { SaveDialog } from "../jobs/save-dialog";
import { RestoreDialog, type HostOption } from "../images/restore-dialog";
import { PowerButtons } from "./power-buttons";

// A domain's actions on its own page — the same dialogs as the Cluster page's drag, table and cards: migrate (or
// move by save/restore, from the migrate dialog) to a host chosen here, save, restore one of its images (each job
// opens its page once started); and, on libvirt hosts, start, shut down and reboot.

export interface DomainHere {
  domain: DomainInfo;
  host: { id: string; name: string; toolstack: string };
  /** its host's image directories (its own and the shared ones) */
  dirs: string[];
  /** its toolstack starts, shuts down and reboots domains (libvirt) */
  powerable: boolean;
}

export function DomainActions({
  here,
  hosts,
  images,
}: {
  /** where it runs, if it runs */
  here: DomainHere | null;
  /** every host (targets and restore hosts) */
  hosts: HostOption[];
  images: ImageView[];
}) {
  const router = useRouter();
  const others = here ? hosts.filter((h) => h.id !== here.host.id) : [];
  // another host of its toolstack first: a live migration stays within one toolstack
  const [targetId, setTargetId] = useState(
    () => (others.find((h) => h.toolstack === here?.host.toolstack && h.status === "online") ?? others[0])?.id ?? "",
  );
  const [open, setOpen] = useState<"migrate" | "save" | "restore" | null>(null);
  const [imageId, setImageId] = useState(images[0]?.id ?? "");
  // the buttons act once React has attached them (a click on the server's markup before that does nothing)
  const [ready, setReady] = useState(false);
  useEffect(() => setReady(true), []);
  const target = others.find((h) => h.id === targetId);
  const image = images.find((i) => i.id === imageId);
  const started = (jobId: string) => {
    setOpen(null);
    router.push(`/jobs/${jobId}`);
  };
  const running = here && (here.domain.state === "running" || here.domain.state === "idle");
  return (
    <section
      className="flex flex-wrap items-end gap-3 rounded-lg border border-slate-200 bg-white p-3"
      id="actions"
      data-testid="domain-actions"
      data-ready={ready ? "1" : undefined}
      aria-label="Actions"
    >
      {here && running && others.length > 0 && (
        <div className="flex flex-wrap items-end gap-2">
          <label className="text-xs text-slate-600">
            Migrate to
            <select
              className="mt-0.5 block rounded-md border border-slate-300 px-2 py-1.5 text-sm"
              value={targetId}
              onChange={(e) => setTargetId(e.target.value)}
              data-testid="action-target"
            >
              {others.map((h) => (
                <option key={h.id} value={h.id}>
                  {h.name}
                  {h.toolstack !== here.host.toolstack ? ` (${h.toolstack}: another toolstack)` : ""}
                  {h.status !== "online" ? ` (${h.status})` : ""}
                </option>
              ))}
            </select>
          </label>
          <Button kind="primary" disabled={!target} onClick={() => setOpen("migrate")} data-testid="action-migrate">
            Migrate…
          </Button>
        </div>
      )}
      {here && running && (
        <Button onClick={() => setOpen("save")} data-testid="action-save">
          Save…
        </Button>
      )}
      {images.length > 0 && (
        <div className="flex flex-wrap items-end gap-2">
          <label className="text-xs text-slate-600">
            Image
            <select
              className="mt-0.5 block max-w-[16rem] rounded-md border border-slate-300 px-2 py-1.5 text-sm"
              value={imageId}
              onChange={(e) => setImageId(e.target.value)}
              data-testid="action-image"
            >
              {images.map((i) => (
                <option key={i.id} value={i.id}>
                  {i.hostName}: {i.path.split("/").at(-1)}
                </option>
              ))}
            </select>
          </label>
          <Button onClick={() => setOpen("restore")} data-testid="action-restore">
            Restore…
          </Button>
        </div>
      )}
      {here?.powerable && here.domain.id !== 0 && (running || here.domain.id < 0) && (
        <PowerButtons
          hostId={here.host.id}
          hostName={here.host.name}
          domain={here.domain.name}
          running={Boolean(running)}
        />
      )}
      {!running && images.length === 0 && !here?.powerable && (
        <p className="text-sm text-slate-600">
          Nothing to do from here: {here ? "it is not running" : "it runs on no host and has no saved image"}.
        </p>
      )}
      {open === "migrate" && here && target && (
        <MigrateDialog
          target={{
            domain: here.domain,
            sourceId: here.host.id,
            sourceName: here.host.name,
            targetId: target.id,
            targetName: target.name,
          }}
          initialChecks={null}
          onClose={() => setOpen(null)}
          onStarted={started}
        />
      )}
      {open === "save" && here && (
        <SaveDialog
          domain={here.domain}
          hostId={here.host.id}
          hostName={here.host.name}
          dirs={here.dirs}
          onClose={() => setOpen(null)}
          onStarted={started}
        />
      )}
      {open === "restore" && image && (
        <RestoreDialog
          image={image}
          hosts={hosts.filter((h) => !image.format || h.toolstack === image.format)}
          onClose={() => setOpen(null)}
          onStarted={started}
        />
      )}
    </section>
  );
}
