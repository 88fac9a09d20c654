"use client";
import { EmptyState } from "@/components/ui/empty-state";
import { TimeAgo } from "../time";
import { useState } from "react";
import { useInventory } from "../use-inventory";
import { AddHostForm } from "./add-host-form";
import type { ToolstackName } from "@/lib/toolstacks/types";
import { removeHost, testHost } from "./api";
import type { HostView } from "@/lib/inventory/types";
import { count } from "@/lib/format";
import { ImageDirWarning } from "../cluster/image-dir-warning";

export function HostsManager({
  initialHosts,
  initialRefresh,
  toolstacks,
  canManage,
  canTest,
}: {
  initialHosts: HostView[];
  /** the inventory's last whole refresh when the page was rendered */
  initialRefresh: { at: string; ms: number } | null;
  toolstacks: { name: ToolstackName; label: string }[];
  canManage: boolean;
  canTest: boolean;
}) {
  const { hosts, lastRefresh } = useInventory(initialHosts, [], [], initialRefresh);
  return (
    <div className={`grid gap-6 ${canManage ? "lg:grid-cols-[1fr_380px]" : ""}`}>
      <section>
        <h1 className="mb-4 text-2xl font-semibold">Hosts</h1>
        {hosts.length === 0 ? (
          <EmptyState title="No hosts yet" testId="hosts-empty">
            Add the first one with the form: Ferry shows its host key for you to accept before it stores anything.
          </EmptyState>
        ) : (
          <ul className="divide-y divide-slate-100 rounded-lg border border-slate-200 bg-white" data-testid="host-rows">
            {hosts.map((h) => (
              <HostRow key={h.id} host={h} seenAt={seenAt(h, lastRefresh)} canManage={canManage} canTest={canTest} />
            ))}
          </ul>
        )}
      </section>
      {canManage ? (
        <AddHostForm toolstacks={toolstacks} />
      ) : (
        <p className="text-sm text-slate-500" data-testid="hosts-readonly">
          Only admins add and remove hosts.
        </p>
      )}
    </div>
  );
}

/**
 * When a host was last seen. A view comes again only when more than its clocks changed (lib/inventory/clocks.ts):
 * a host online in it, and not since reported otherwise, answered every refresh since — the last one ended at
 * `lastRefresh.at` (within the refresh's milliseconds of the host's own answer).
 */
function seenAt(host: HostView, lastRefresh: { at: string } | null): string | null {
  if (host.status !== "online" || !lastRefresh || !host.lastSeenAt) return host.lastSeenAt;
  return Date.parse(lastRefresh.at) > Date.parse(host.lastSeenAt) ? lastRefresh.at : host.lastSeenAt;
}

function HostRow({
  host,
  seenAt,
  canManage,
  canTest,
}: {
  host: HostView;
  seenAt: string | null;
  canManage: boolean;
  canTest: boolean;
}) {
  const [busy, setBusy] = useState<"test" | "remove" | null>(null);
  const [message, setMessage] = useState<{ kind: "ok" | "error"; text: string } | null>(null);
  const [confirming, setConfirming] = useState(false);

  const onTest = async () => {
    setBusy("test");
    setMessage(null);
    try {
      const { host: v } = await testHost(host.id);
      setMessage(
        v.status === "online"
          ? { kind: "ok", text: `Reached in ${v.refreshMs} ms: ${count(v.domains.length, "domain")}.` }
          : { kind: "error", text: v.reason ?? "Unreachable." },
      );
    } catch (e) {
      setMessage({ kind: "error", text: (e as Error).message });
    } finally {
      setBusy(null);
    }
  };
  const onRemove = async () => {
    setBusy("remove");
    setMessage(null);
    try {
      await removeHost(host.id);
    } catch (e) {
      setMessage({ kind: "error", text: (e as Error).message });
      setBusy(null);
    }
  };

  return (
    <li className="p-4" data-testid={`host-row-${host.name}`}>
      <div className="flex flex-wrap items-center justify-between gap-2">
        <div>
          <p className="font-medium">
            {host.name}{" "}
            <span className="ml-1 text-xs font-normal text-slate-500">
              {host.user}@{host.address}:{host.port}
            </span>
          </p>
          <p className="text-xs text-slate-500">
            {host.status} · <span data-testid="host-toolstack">{host.toolstack}</span>
            {host.facts ? ` (${host.facts.hypervisor} ${host.facts.hypervisorVersion})` : ""} ·{" "}
            {host.authMethod === "agent" ? "ssh-agent" : (host.keyPath ?? "an SSH key")} · images in {host.imageDir} ·
            last seen <TimeAgo iso={seenAt} testId="host-last-seen" />
          </p>
          <p className="font-mono text-[11px] text-slate-500" title="pinned host key">
            {host.fingerprint}
          </p>
          {host.maintenance && (
            <p className="mt-1 text-xs font-medium text-amber-800" data-testid="host-maintenance">
              In maintenance ({host.maintenance.by}): receives nothing.
            </p>
          )}
        </div>
        <div className="flex gap-2">
          <a
            href={`/hosts/${host.id}/maintenance`}
            className="rounded-md border border-slate-300 px-3 py-1.5 text-sm"
            data-testid="host-maintenance-link"
          >
            Maintenance…
          </a>
          {canTest && (
            <button
              type="button"
              onClick={onTest}
              disabled={busy !== null}
              className="rounded-md border border-slate-300 px-3 py-1 text-sm hover:bg-slate-50 disabled:opacity-50"
              data-testid="host-test"
            >
              {busy === "test" ? "Testing…" : "Test"}
            </button>
          )}
          {!canManage ? null : confirming ? (
            <>
              <button
                type="button"
                onClick={onRemove}
                disabled={busy !== null}
                className="rounded-md bg-red-600 px-3 py-1 text-sm text-white hover:bg-red-700"
                data-testid="host-remove-confirm"
              >
                Remove {host.name}
              </button>
              <button
                type="button"
                onClick={() => setConfirming(false)}
                className="rounded-md border border-slate-300 px-3 py-1 text-sm"
              >
                Keep
              </button>
            </>
          ) : (
            <button
              type="button"
              onClick={() => setConfirming(true)}
              className="rounded-md border border-red-300 px-3 py-1 text-sm text-red-700 hover:bg-red-50"
              data-testid="host-remove"
            >
              Remove
            </button>
          )}
        </div>
      </div>
      <ImageDirWarning dir={host.facts?.imageDir ?? null} />
      {message && (
        <p
          className={`mt-2 text-xs ${message.kind === "ok" ? "text-emerald-700" : "text-red-700"}`}
          role="status"
          data-testid="host-message"
        >
          {message.text}
        </p>
      )}
    </li>
  );
}
