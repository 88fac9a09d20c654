"use client";
import { useState } from "react";
import { balanceSettingsSchema, type BalanceSettings } from "@/lib/balance/schema";
import type { SavedBalanceSettings } from "@/lib/balance/settings";
import { LocalTime } from "../time";
import { Alert } from "../ui/alert";
import { Button } from "../ui/button";
import { saveBalanceSettings } from "./api";

// The saved settings (admins): the mode, headroom and threshold a recommendation starts from, the guard against
// moving a domain back, and the automatic mode, off unless turned on here.

const field = "ml-1 w-16 rounded border border-slate-300 px-1 py-0.5";

export function BalanceSettingsForm({
  initial,
  onSaved,
}: {
  initial: SavedBalanceSettings;
  onSaved(s: SavedBalanceSettings): void;
}) {
  const [form, setForm] = useState({
    mode: initial.mode,
    headroomPct: String(initial.headroomPct),
    thresholdPts: String(initial.thresholdPts),
    guardMinutes: String(initial.guardMinutes),
    auto: initial.auto,
    everyMinutes: String(initial.everyMinutes),
  });
  const [saved, setSaved] = useState(initial);
  const [message, setMessage] = useState<{ tone: "ok" | "error"; text: string } | null>(null);
  const parsed = balanceSettingsSchema.safeParse({
    ...form,
    headroomPct: Number(form.headroomPct),
    thresholdPts: Number(form.thresholdPts),
    guardMinutes: Number(form.guardMinutes),
    everyMinutes: Number(form.everyMinutes),
  });
  const problem = parsed.success ? null : (parsed.error.issues[0]?.message ?? "Check the settings.");
  const save = async () => {
    if (!parsed.success) return;
    setMessage(null);
    try {
      const r = await saveBalanceSettings(parsed.data as BalanceSettings);
      setSaved(r.settings);
      onSaved(r.settings);
      setMessage({ tone: "ok", text: r.settings.auto ? "Saved. The automatic mode is on." : "Saved." });
    } catch (e) {
      setMessage({ tone: "error", text: (e as Error).message });
    }
  };
  const text = (key: "headroomPct" | "thresholdPts" | "guardMinutes" | "everyMinutes", label: string) => (
    <label className="text-xs">
      {label}
      <input
        className={field}
        inputMode="decimal"
        value={form[key]}
        onChange={(e) => setForm({ ...form, [key]: e.target.value })}
        data-testid={`balance-setting-${key}`}
      />
    </label>
  );
  return (
    <section className="rounded-lg border border-slate-200 bg-white p-3" data-testid="balance-settings">
      <h2 className="text-sm font-semibold">Settings</h2>
      <p className="text-xs text-slate-600">
        What a recommendation starts from, for everyone. The automatic mode applies the recommendation every interval,
        only moves whose forecast downtime is within the domain&apos;s maximum, and writes each plan to the audit log as
        &quot;automatic balancing&quot;.
        {saved.updatedBy && (
          <>
            {" "}
            Last saved by {saved.updatedBy}, <LocalTime iso={saved.updatedAt!} />.
          </>
        )}
      </p>
      <div className="mt-2 flex flex-wrap items-end gap-3">
        <label className="text-xs">
          Mode
          <select
            className="ml-1 rounded border border-slate-300 px-1 py-0.5"
            value={form.mode}
            onChange={(e) => setForm({ ...form, mode: e.target.value as "spread" | "pack" })}
            data-testid="balance-setting-mode"
          >
            <option value="spread">spread</option>
            <option value="pack">pack</option>
          </select>
        </label>
        {text("headroomPct", "Headroom %")}
        {text("thresholdPts", "Acceptable imbalance (points)")}
        {text("guardMinutes", "Leave a moved domain for (min)")}
        <label className="flex items-center gap-1 text-xs">
          <input
            type="checkbox"
            checked={form.auto}
            onChange={(e) => setForm({ ...form, auto: e.target.checked })}
            data-testid="balance-setting-auto"
          />
          Automatic
        </label>
        {text("everyMinutes", "every (min)")}
        <Button onClick={save} disabled={problem !== null} data-testid="balance-settings-save">
          Save settings
        </Button>
      </div>
      {problem && (
        <p className="mt-1 text-xs text-red-700" data-testid="balance-settings-problem">
          {problem}
        </p>
      )}
      {message && (
        <Alert tone={message.tone} testId="balance-settings-message" className="mt-2">
          {message.text}
        </Alert>
      )}
    </section>
  );
}
