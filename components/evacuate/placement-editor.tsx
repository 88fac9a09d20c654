"use client";
import { useState } from "react";
import { addRule, removeRule, saveDomainSetting, type PlacementSettings } from "./api";

/** Per-domain priority and maximum downtime, and the affinity rules every plan and every drop respects. */
export function PlacementEditor({
  domains,
  initial,
  canAct,
}: {
  domains: string[];
  initial: PlacementSettings;
  canAct: boolean;
}) {
  const [settings, setSettings] = useState(initial);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [rule, setRule] = useState({ name: "", kind: "anti-affinity", domains: "" });
  const act = (p: Promise<PlacementSettings>, done: string) =>
    p.then(
      (s) => {
        setSettings(s);
        setMessage({ ok: true, text: done });
      },
      (e: Error) => setMessage({ ok: false, text: e.message }),
    );
  const of = (d: string) => settings.domains.find((x) => x.domain === d);
  return (
    <section className="rounded-lg border border-slate-200 bg-white p-3" data-testid="placement">
      <h2 className="text-sm font-semibold">Placement settings</h2>
      <p className="text-xs text-slate-600">
        Higher priority moves first (0–100, default {settings.defaults.priority}); no plan stops a domain longer than
        its maximum downtime (default {settings.defaults.maxDowntimeMs} ms).
      </p>
      {domains.length > 0 && (
        <div className="overflow-x-auto">
          <table className="stack-on-phone mt-2 w-full min-w-[28rem] text-left text-sm">
            <thead className="text-xs text-slate-500">
              <tr>
                <th>Domain</th>
                <th>Priority</th>
                <th>Maximum downtime (ms)</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {domains.map((d) => (
                <DomainRow
                  key={d}
                  domain={d}
                  priority={of(d)?.priority ?? settings.defaults.priority}
                  defaultPriority={settings.defaults.priority}
                  maxDowntimeMs={of(d)?.maxDowntimeMs ?? null}
                  canAct={canAct}
                  onSave={(p, m) => act(saveDomainSetting(d, p, m), `Saved ${d}.`)}
                />
              ))}
            </tbody>
          </table>
        </div>
      )}
      <h3 className="mt-3 text-xs font-semibold">Rules</h3>
      <ul className="text-sm" data-testid="rules">
        {settings.rules.length === 0 && <li className="text-xs text-slate-500">No rules.</li>}
        {settings.rules.map((r) => (
          <li key={r.id} className="flex items-center gap-2" data-testid={`rule-${r.name}`}>
            <span>
              <b>{r.name}</b> ({r.kind === "anti-affinity" ? "never on one host" : "always together"}):{" "}
              {r.domains.join(", ")}
            </span>
            {canAct && (
              <button
                type="button"
                className="text-xs text-red-700 underline"
                onClick={() => act(removeRule(r.id), `Removed "${r.name}".`)}
              >
                remove
              </button>
            )}
          </li>
        ))}
      </ul>
      {canAct && (
        <form
          className="mt-2 flex flex-wrap items-end gap-2 text-xs"
          onSubmit={(e) => {
            e.preventDefault();
            const names = rule.domains
              .split(/[,\s]+/)
              .map((x) => x.trim())
              .filter(Boolean);
            void act(addRule(rule.name, rule.kind, names), `Added "${rule.name}".`);
          }}
        >
          <label>
            Name
            <input
              className="ml-1 rounded border border-slate-300 px-1 py-0.5"
              value={rule.name}
              onChange={(e) => setRule({ ...rule, name: e.target.value })}
              data-testid="rule-name"
            />
          </label>
          <label>
            Kind
            <select
              className="ml-1 rounded border border-slate-300 px-1 py-0.5"
              value={rule.kind}
              onChange={(e) => setRule({ ...rule, kind: e.target.value })}
              data-testid="rule-kind"
            >
              <option value="anti-affinity">never on one host (anti-affinity)</option>
              <option value="affinity">always together (affinity)</option>
            </select>
          </label>
          <label>
            Domains (comma-separated)
            <input
              className="ml-1 w-64 rounded border border-slate-300 px-1 py-0.5"
              value={rule.domains}
              onChange={(e) => setRule({ ...rule, domains: e.target.value })}
              data-testid="rule-domains"
            />
          </label>
          <button type="submit" className="rounded border border-slate-300 px-2 py-1" data-testid="rule-add">
            Add rule
          </button>
        </form>
      )}
      {message && (
        <p
          role="status"
          className={`mt-2 text-xs ${message.ok ? "text-emerald-700" : "text-red-700"}`}
          data-testid="placement-message"
        >
          {message.text}
        </p>
      )}
    </section>
  );
}

function DomainRow({
  domain,
  priority,
  defaultPriority,
  maxDowntimeMs,
  canAct,
  onSave,
}: {
  domain: string;
  priority: number;
  /** what an emptied priority field means */
  defaultPriority: number;
  maxDowntimeMs: number | null;
  canAct: boolean;
  onSave(priority: number, maxDowntimeMs: number | null): void;
}) {
  const [p, setP] = useState(String(priority));
  const [m, setM] = useState(maxDowntimeMs === null ? "" : String(maxDowntimeMs));
  return (
    <tr className="border-t border-slate-100" data-testid={`setting-${domain}`}>
      <td className="py-1 font-medium sm:font-normal">{domain}</td>
      <td data-label="Priority">
        <input
          aria-label={`Priority of ${domain}`}
          className="w-14 rounded border border-slate-300 px-1 py-0.5"
          inputMode="numeric"
          placeholder={String(defaultPriority)}
          value={p}
          disabled={!canAct}
          onChange={(e) => setP(e.target.value)}
          data-testid="setting-priority"
        />
      </td>
      <td data-label="Maximum downtime (ms)">
        <input
          aria-label={`Maximum downtime of ${domain}`}
          className="w-20 rounded border border-slate-300 px-1 py-0.5"
          inputMode="numeric"
          placeholder="default"
          value={m}
          disabled={!canAct}
          onChange={(e) => setM(e.target.value)}
          data-testid="setting-downtime"
        />
      </td>
      <td>
        {canAct && (
          <button
            type="button"
            className="rounded border border-slate-300 px-2 py-0.5 text-xs"
            // an empty priority is the default one, as an empty maximum downtime is
            onClick={() => onSave(p.trim() ? Number(p) : defaultPriority, m.trim() ? Number(m) : null)}
            data-testid="setting-save"
          >
            Save
          </button>
        )}
      </td>
    </tr>
  );
}
