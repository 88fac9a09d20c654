"use client";
import { Button } from "@/components/ui/button";
import { Alert } from "@/components/ui/alert";
import { useState } from "react";
import { api } from "../api";
import { loginSchema } from "@/lib/auth/schema";
import { describeIssues } from "@/lib/hosts/schema";

export function LoginForm({ next, notice }: { next: string; notice: string | null }) {
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const onSubmit = async (e: React.FormEvent) => {
    e.preventDefault();
    setError(null);
    const parsed = loginSchema.safeParse({ username, password });
    if (!parsed.success) return setError(describeIssues(parsed.error));
    setBusy(true);
    try {
      await api("POST", "/api/auth/login", parsed.data);
      window.location.href = next; // a full load picks up the new session and its CSRF token
    } catch (err) {
      setError((err as Error).message);
      setBusy(false);
    }
  };
  const input =
    "mt-1 w-full rounded-md border border-slate-300 px-2 py-1.5 text-sm focus:border-sky-600 focus:outline-none";
  return (
    <form
      onSubmit={onSubmit}
      noValidate
      className="mx-auto mt-10 max-w-sm space-y-3 rounded-lg border border-slate-200 bg-white p-6"
      data-testid="login-form"
    >
      <h1 className="text-xl font-semibold">Log in to Ferry</h1>
      {notice && (
        <p className="rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900" data-testid="login-notice">
          {notice}
        </p>
      )}
      <label className="block text-sm">
        User name
        <input
          className={input}
          value={username}
          onChange={(e) => setUsername(e.target.value)}
          autoComplete="username"
          data-testid="login-username"
        />
      </label>
      <label className="block text-sm">
        Password
        <input
          className={input}
          type="password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          autoComplete="current-password"
          data-testid="login-password"
        />
      </label>
      <Button type="submit" disabled={busy} kind="primary" className="w-full" data-testid="login-submit">
        {busy ? "Checking…" : "Log in"}
      </Button>
      {error && (
        <Alert tone="error" testId="login-error">
          {error}
        </Alert>
      )}
    </form>
  );
}
