"use client";
import { Button } from "@/components/ui/button";
import { Alert } from "@/components/ui/alert";
import type { ToolstackName } from "@/lib/toolstacks/types";
import { useState } from "react";
import { addHostSchema, describeIssues, scanHostSchema } from "@/lib/hosts/schema";
import { addHost, scanHost } from "./api";

interface Fields {
  name: string;
  address: string;
  port: string;
  user: string;
  authMethod: "key" | "agent";
  keyPath: string;
  imageDir: string;
  toolstack: "auto" | ToolstackName;
}
const empty: Fields = {
  name: "",
  address: "",
  port: "22",
  user: "root",
  authMethod: "key",
  keyPath: "",
  imageDir: "/xen-saved-images",
  toolstack: "auto",
};

/** Two steps: fetch the host key (first contact), then accept its fingerprint and add the host. */
export function AddHostForm({ toolstacks }: { toolstacks: { name: ToolstackName; label: string }[] }) {
  const [f, setF] = useState<Fields>(empty);
  const [scanned, setScanned] = useState<{
    fingerprint: string;
    keyType: string;
    knownAs: string | null;
    refusal: string | null;
  } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const set = (k: keyof Fields) => (e: React.ChangeEvent<HTMLInputElement | HTMLSelectElement>) => {
    setF({ ...f, [k]: e.target.value });
    if (k === "address" || k === "port" || k === "name") setScanned(null); // a new target (or name) is checked again
  };

  const onScan = async (e: React.FormEvent) => {
    e.preventDefault();
    setError(null);
    setNotice(null);
    const parsed = addHostSchema.safeParse({ ...f, fingerprint: `SHA256:${"A".repeat(43)}` });
    if (!parsed.success) return setError(describeIssues(parsed.error));
    const target = scanHostSchema.parse({ address: f.address, port: f.port, name: f.name });
    setBusy(true);
    try {
      setScanned(await scanHost(target));
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const onAccept = async () => {
    if (!scanned) return;
    setError(null);
    const parsed = addHostSchema.safeParse({ ...f, fingerprint: scanned.fingerprint });
    if (!parsed.success) return setError(describeIssues(parsed.error));
    setBusy(true);
    try {
      const { host } = await addHost(parsed.data);
      setNotice(`${host.name} added: ${host.domains.filter((d) => d.id !== 0).length} guest domains found.`);
      setF(empty);
      setScanned(null);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const input =
    "mt-1 w-full rounded-md border border-slate-300 px-2 py-1.5 text-sm focus:border-sky-600 focus:outline-none";
  return (
    <section className="h-fit rounded-lg border border-slate-200 bg-white p-4">
      <h2 className="mb-3 text-lg font-semibold">Add a host</h2>
      <form onSubmit={onScan} className="space-y-3" data-testid="add-host-form" noValidate>
        <label className="block text-sm">
          Name
          <input className={input} value={f.name} onChange={set("name")} placeholder="hostD" data-testid="field-name" />
        </label>
        <div className="grid grid-cols-[1fr_90px] gap-2">
          <label className="block text-sm">
            Address
            <input
              className={input}
              value={f.address}
              onChange={set("address")}
              placeholder="192.168.1.70"
              data-testid="field-address"
            />
          </label>
          <label className="block text-sm">
            Port
            <input
              className={input}
              value={f.port}
              onChange={set("port")}
              inputMode="numeric"
              data-testid="field-port"
            />
          </label>
        </div>
        <label className="block text-sm">
          SSH user
          <input className={input} value={f.user} onChange={set("user")} data-testid="field-user" />
        </label>
        <label className="block text-sm">
          Authentication
          <select className={input} value={f.authMethod} onChange={set("authMethod")} data-testid="field-auth">
            <option value="key">Private key file on the Ferry server</option>
            <option value="agent">ssh-agent (SSH_AUTH_SOCK of the Ferry server)</option>
          </select>
        </label>
        {f.authMethod === "key" && (
          <label className="block text-sm">
            Private key path
            <input
              className={input}
              value={f.keyPath}
              onChange={set("keyPath")}
              placeholder="/root/.ssh/id_ed25519"
              data-testid="field-keypath"
            />
          </label>
        )}
        <label className="block text-sm">
          Toolstack
          <select className={input} value={f.toolstack} onChange={set("toolstack")} data-testid="field-toolstack">
            <option value="auto">Detect (tries {toolstacks.map((t) => t.name).join(", then ")})</option>
            {toolstacks.map((t) => (
              <option key={t.name} value={t.name}>
                {t.label}
              </option>
            ))}
          </select>
        </label>
        <label className="block text-sm">
          Image directory on the host
          <input className={input} value={f.imageDir} onChange={set("imageDir")} data-testid="field-imagedir" />
        </label>
        {!scanned && (
          <Button type="submit" disabled={busy} kind="primary" className="w-full" data-testid="scan">
            {busy ? "Contacting host…" : "Fetch host key"}
          </Button>
        )}
      </form>
      {scanned?.refusal && (
        <div className="mt-4 rounded-md border border-red-300 bg-red-50 p-3 text-sm" data-testid="known-host">
          <p className="font-medium text-red-800">{scanned.refusal}</p>
          <p className="mt-2 break-all font-mono text-xs">{scanned.fingerprint}</p>
          <button
            type="button"
            onClick={() => setScanned(null)}
            className="mt-3 rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm"
            data-testid="known-host-close"
          >
            Close
          </button>
        </div>
      )}
      {scanned && !scanned.refusal && (
        <div className="mt-4 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm" data-testid="fingerprint-box">
          <p className="font-medium">
            First contact with {f.address}:{f.port}
          </p>
          <p className="mt-1 text-xs text-slate-700">
            It offers this {scanned.keyType} host key. Compare it with{" "}
            <code>ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub</code> on the host before you accept: Ferry will
            refuse any other key from now on.
          </p>
          <p className="mt-2 break-all rounded bg-white px-2 py-1 font-mono text-xs" data-testid="fingerprint">
            {scanned.fingerprint}
          </p>
          <div className="mt-3 flex gap-2">
            <Button onClick={onAccept} disabled={busy} kind="primary" data-testid="accept">
              {busy ? "Connecting…" : "Accept key and add host"}
            </Button>
            <button
              type="button"
              onClick={() => setScanned(null)}
              className="rounded-md border border-slate-300 px-3 py-1.5 text-sm"
            >
              Cancel
            </button>
          </div>
        </div>
      )}
      {error && (
        <Alert tone="error" className="mt-3" testId="form-error">
          {error}
        </Alert>
      )}
      {notice && (
        <Alert tone="ok" className="mt-3" testId="form-notice">
          {notice}
        </Alert>
      )}
    </section>
  );
}
