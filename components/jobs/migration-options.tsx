"use client";
import type { ForecastHelp } from "@/lib/forecast/model";
import { fieldIssues } from "@/lib/hosts/schema";
import { migrationOptionsSchema, type MigrationOptionsInput } from "@/lib/jobs/schema";
import { DEFAULT_STALL_AFTER_SEC } from "@/lib/jobs/stall";

// The migrate dialog's libvirt options: what the operator typed, parsed as the API takes it, each field's problem
// said beside it as it is typed (Migrate waits until every field is right).

export interface OptionsForm {
  bandwidth: string;
  downtime: string;
  autoConverge: boolean;
  postcopy: boolean;
  onStall: "abort" | "postcopy";
  stallAfter: string;
}
export const emptyOptions: OptionsForm = {
  bandwidth: "",
  downtime: "",
  autoConverge: false,
  postcopy: false,
  onStall: "abort",
  stallAfter: String(DEFAULT_STALL_AFTER_SEC),
};

export interface ParsedOptions {
  options: MigrationOptionsInput | undefined;
  /** each field's problem, by the API's field name; empty when the options parse */
  problems: Record<string, string>;
}

/** The options as the API takes them (nothing chosen: undefined), or each field's problem. */
export function parseOptions(o: OptionsForm): ParsedOptions {
  const parsed = migrationOptionsSchema.safeParse({
    ...(o.bandwidth.trim() ? { bandwidthMiBps: Number(o.bandwidth) } : {}),
    ...(o.downtime.trim() ? { maxDowntimeMs: Number(o.downtime) } : {}),
    ...(o.autoConverge ? { autoConverge: true } : {}),
    ...(o.postcopy ? { postcopy: true } : {}),
    ...(o.onStall !== "abort" ? { onStall: o.onStall } : {}),
    // an empty stall time is the default one
    ...(o.stallAfter.trim() && Number(o.stallAfter) !== DEFAULT_STALL_AFTER_SEC
      ? { stallAfterSec: Number(o.stallAfter) }
      : {}),
  });
  if (!parsed.success) return { options: undefined, problems: fieldIssues(parsed.error) };
  return { options: Object.keys(parsed.data).length ? parsed.data : undefined, problems: {} };
}

function Problem({ field, problems }: { field: string; problems: Record<string, string> }) {
  if (!problems[field]) return null;
  return (
    <span id={`opt-problem-${field}`} className="mt-0.5 block text-red-700" data-testid={`opt-problem-${field}`}>
      {problems[field]}
    </span>
  );
}

const input = "mt-0.5 w-full rounded border border-slate-300 px-2 py-1 aria-[invalid=true]:border-red-600";

export function MigrationOptionsFields({
  label,
  value,
  onChange,
  problems,
  help,
}: {
  label: string;
  value: OptionsForm;
  onChange(o: OptionsForm): void;
  problems: Record<string, string>;
  /** the help the forecast chose for the operator, if it did */
  help: ForecastHelp | null;
}) {
  const bad = (field: string) =>
    problems[field] ? { "aria-invalid": true, "aria-describedby": `opt-problem-${field}` } : {};
  return (
    <fieldset className="mt-3 rounded border border-slate-200 px-3 py-2 text-sm" data-testid="libvirt-options">
      <legend className="px-1 text-xs font-medium text-slate-600">{label} options</legend>
      <div className="grid grid-cols-2 gap-2">
        <label className="text-xs">
          Bandwidth limit (MiB/s)
          <input
            className={input}
            inputMode="numeric"
            placeholder="no limit"
            value={value.bandwidth}
            onChange={(e) => onChange({ ...value, bandwidth: e.target.value })}
            data-testid="opt-bandwidth"
            {...bad("bandwidthMiBps")}
          />
          <Problem field="bandwidthMiBps" problems={problems} />
        </label>
        <label className="text-xs">
          Maximum downtime (ms)
          <input
            className={input}
            inputMode="numeric"
            placeholder="QEMU default 300"
            value={value.downtime}
            onChange={(e) => onChange({ ...value, downtime: e.target.value })}
            data-testid="opt-downtime"
            {...bad("maxDowntimeMs")}
          />
          <Problem field="maxDowntimeMs" problems={problems} />
        </label>
      </div>
      <label className="mt-2 flex items-center gap-2 text-xs">
        <input
          type="checkbox"
          checked={value.autoConverge}
          onChange={(e) => onChange({ ...value, autoConverge: e.target.checked })}
          data-testid="opt-autoconverge"
        />
        Auto-converge: slow the guest's vCPUs down if pre-copy cannot keep up
      </label>
      <label className="mt-1 flex items-center gap-2 text-xs">
        <input
          type="checkbox"
          checked={value.postcopy}
          onChange={(e) => onChange({ ...value, postcopy: e.target.checked })}
          data-testid="opt-postcopy"
        />
        Allow switching to post-copy during the migration (if the link breaks then, the guest is lost)
      </label>
      <div className="mt-2 flex flex-wrap items-center gap-1 text-xs">
        <label htmlFor="opt-stall-after">If pre-copy makes no progress for</label>
        <input
          id="opt-stall-after"
          className="w-14 rounded border border-slate-300 px-1 py-0.5 aria-[invalid=true]:border-red-600"
          inputMode="numeric"
          value={value.stallAfter}
          onChange={(e) => onChange({ ...value, stallAfter: e.target.value })}
          data-testid="opt-stall-after"
          {...bad("stallAfterSec")}
        />
        <label htmlFor="opt-stall-action">s, Ferry will</label>
        <select
          id="opt-stall-action"
          className="rounded border border-slate-300 px-1 py-0.5"
          value={value.onStall}
          onChange={(e) => onChange({ ...value, onStall: e.target.value as "abort" | "postcopy" })}
          data-testid="opt-stall-action"
        >
          <option value="abort">abort it (the guest stays on the source)</option>
          <option value="postcopy" disabled={!value.postcopy}>
            switch to post-copy{value.postcopy ? "" : " (allow post-copy first)"}
          </option>
        </select>
        <Problem field="stallAfterSec" problems={problems} />
        <Problem field="onStall" problems={problems} />
      </div>
      {help && (
        <p className="mt-2 text-xs text-amber-800" data-testid="help-chosen">
          Chosen for you, as the forecast suggests:{" "}
          {help.autoConverge ? "auto-converge" : `a maximum downtime of ${help.maxDowntimeMs} ms`}.
        </p>
      )}
    </fieldset>
  );
}
