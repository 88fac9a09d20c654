"use client";
import { Button } from "@/components/ui/button";
import { Alert } from "@/components/ui/alert";
import { useState } from "react";
import { api } from "../api";
import { setupSchema } from "@/lib/auth/schema";
import { describeIssues } from "@/lib/hosts/schema";

export function SetupForm() {
  const [f, setF] = useState({ secret: "", username: "", password: "" });
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const onSubmit = async (e: React.FormEvent) => {
    e.preventDefault();
    setError(null);
    const parsed = setupSchema.safeParse(f);
    if (!parsed.success) return setError(describeIssues(parsed.error));
    try {
      await api("POST", "/api/setup", parsed.data);
      setDone(true);
    } catch (err) {
      setError((err as Error).message);
    }
  };
  const input = "mt-1 w-full rounded-md border border-slate-300 px-2 py-1.5 text-sm";
  if (done)
    return (
      <p className="mx-auto mt-10 max-w-sm rounded-md bg-emerald-50 p-4 text-sm">
        Admin created.{" "}
        <a className="underline" href="/login">
          Log in
        </a>
        .
      </p>
    );
  return (
    <form
      onSubmit={onSubmit}
      noValidate
      className="mx-auto mt-10 max-w-sm space-y-3 rounded-lg border border-slate-200 bg-white p-6"
    >
      <h1 className="text-xl font-semibold">Create the first admin</h1>
      <p className="text-xs text-slate-600">
        The server printed a one-time secret to its console when it started with no users.
      </p>
      <label className="block text-sm">
        One-time secret
        <input className={input} value={f.secret} onChange={(e) => setF({ ...f, secret: e.target.value })} />
      </label>
      <label className="block text-sm">
        Admin user name
        <input className={input} value={f.username} onChange={(e) => setF({ ...f, username: e.target.value })} />
      </label>
      <label className="block text-sm">
        Password (12+ characters)
        <input
          className={input}
          type="password"
          value={f.password}
          onChange={(e) => setF({ ...f, password: e.target.value })}
        />
      </label>
      <Button type="submit" kind="primary" className="w-full">
        Create admin
      </Button>
      {error && <Alert tone="error">{error}</Alert>}
    </form>
  );
}
