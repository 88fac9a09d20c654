"use client";
import { Alert } from "../ui/alert";
import { Button } from "../ui/button";
import { useState } from "react";
import { api } from "../api";
import { changePasswordSchema } from "@/lib/auth/schema";
import { fieldIssues } from "@/lib/hosts/schema";

// A user's own password: the current one, the new one twice. Each field's problem is said beside it; the server
// checks the current one (and ends the user's other sessions).

const input =
  "mt-1 block w-full rounded-md border border-slate-300 px-2 py-1.5 text-sm aria-[invalid=true]:border-red-600";

export function PasswordForm() {
  const [f, setF] = useState({ current: "", next: "", again: "" });
  const [problems, setProblems] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);
  const onSubmit = async (e: React.FormEvent) => {
    e.preventDefault();
    setError(null);
    setDone(false);
    const parsed = changePasswordSchema.safeParse({ current: f.current, next: f.next });
    const found = parsed.success ? {} : fieldIssues(parsed.error);
    if (f.again !== f.next) found.again = "The two new passwords differ.";
    setProblems(found);
    if (!parsed.success || found.again) return;
    setBusy(true);
    try {
      await api("POST", "/api/auth/password", parsed.data);
      setF({ current: "", next: "", again: "" });
      setDone(true);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const field = (key: "current" | "next" | "again", label: string, autoComplete: string) => (
    <label className="block text-sm">
      {label}
      <input
        type="password"
        className={input}
        autoComplete={autoComplete}
        value={f[key]}
        onChange={(e) => setF({ ...f, [key]: e.target.value })}
        aria-invalid={problems[key] ? true : undefined}
        aria-describedby={problems[key] ? `pw-problem-${key}` : undefined}
        data-testid={`pw-${key}`}
      />
      {problems[key] && (
        <span id={`pw-problem-${key}`} className="mt-0.5 block text-xs text-red-700" data-testid={`pw-problem-${key}`}>
          {problems[key]}
        </span>
      )}
    </label>
  );
  return (
    <form
      onSubmit={onSubmit}
      noValidate
      className="max-w-sm space-y-3 rounded-lg border border-slate-200 bg-white p-4"
      data-testid="password-form"
    >
      <h2 className="text-sm font-semibold">Change your password</h2>
      {field("current", "Current password", "current-password")}
      {field("next", "New password (12 characters or more)", "new-password")}
      {field("again", "New password again", "new-password")}
      {error && (
        <Alert tone="error" testId="pw-error">
          {error}
        </Alert>
      )}
      {done && (
        <Alert tone="ok" testId="pw-done">
          Your password is changed. Your other sessions have ended; this one goes on.
        </Alert>
      )}
      <Button kind="primary" type="submit" disabled={busy} data-testid="pw-submit">
        {busy ? "Changing…" : "Change password"}
      </Button>
    </form>
  );
}
