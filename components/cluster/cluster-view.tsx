"use client";
import Link from "next/link";
import { useState } from "react";
import { useInventory, type StreamStatus } from "../use-inventory";
import { HostColumn } from "./host-column";
import type { HostView } from "@/lib/inventory/types";

export function ClusterView({ initialHosts }: { initialHosts: HostView[] }) {
  const { hosts, stream, lastRefresh, refresh } = useInventory(initialHosts);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const online = hosts.filter((h) => h.status === "online").length;
  const domains = hosts.reduce((n, h) => n + h.domains.filter((d) => d.id !== 0).length, 0);

  const onRefresh = async () => {
    setBusy(true);
    setError(null);
    try { await refresh(); } catch (e) { setError((e as Error).message); } finally { setBusy(false); }
  };

  return (
    <div>
      <div className="mb-5 flex flex-wrap items-end justify-between gap-3">
        <div>
          <h1 className="text-2xl font-semibold">Cluster</h1>
          <p className="text-sm text-slate-600" data-testid="cluster-summary">
            {hosts.length} hosts · {online} online · {domains} domains
            {lastRefresh && <> · last refresh {Math.round(lastRefresh.ms)} ms</>}
          </p>
        </div>
        <div className="flex items-center gap-3">
          <StreamBadge status={stream} />
          <button onClick={onRefresh} disabled={busy} data-testid="refresh"
            className="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm hover:bg-slate-100 disabled:opacity-50">
            {busy ? "Refreshing…" : "Refresh now"}
          </button>
        </div>
      </div>
      {error && <p role="alert" className="mb-4 rounded-md bg-red-50 px-3 py-2 text-sm text-red-800">{error}</p>}
      {hosts.length === 0 ? (
        <div className="rounded-lg border border-dashed border-slate-300 bg-white p-10 text-center" data-testid="cluster-empty">
          <p className="text-lg font-medium">No hosts yet</p>
          <p className="mt-1 text-sm text-slate-600">Add a Xen host over SSH and its domains appear here, live.</p>
          <Link href="/hosts" className="mt-4 inline-block rounded-md bg-sky-700 px-4 py-2 text-sm font-medium text-white hover:bg-sky-800">Add a host</Link>
        </div>
      ) : (
        <div className="grid gap-4 [grid-template-columns:repeat(auto-fill,minmax(300px,1fr))]">
          {hosts.map((h) => <HostColumn key={h.id} host={h} />)}
        </div>
      )}
    </div>
  );
}

function StreamBadge({ status }: { status: StreamStatus }) {
  const look = { connecting: "bg-amber-100 text-amber-800", live: "bg-emerald-100 text-emerald-800", disconnected: "bg-red-100 text-red-800", "signed-out": "bg-red-100 text-red-800" }[status];
  const words = { connecting: "connecting…", live: "live", disconnected: "disconnected — retrying", "signed-out": "session ended — log in again" }[status];
  if (status === "signed-out") return <a href="/login" className={`rounded-full px-2.5 py-0.5 text-xs font-medium ${look}`} data-testid="stream-status" data-status={status}>{words}</a>;
  return <span className={`rounded-full px-2.5 py-0.5 text-xs font-medium ${look}`} data-testid="stream-status" data-status={status}>{words}</span>;
}
