"use client";
import { Actions, Button } from "../ui/button";
import { useState } from "react";
import { api } from "../api";
import { Modal } from "../modal";
import { resetPasswordSchema } from "@/lib/auth/schema";
import { fieldIssues } from "@/lib/hosts/schema";

/** An admin sets another user's password (a forgotten one): every session of that user ends. */
export function ResetPasswordDialog({
  user,
  onClose,
  onDone,
}: {
  user: { id: string; username: string };
  onClose(): void;
  onDone(text: string): void;
}) {
  const [password, setPassword] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const onSubmit = async (e: React.FormEvent) => {
    e.preventDefault();
    const parsed = resetPasswordSchema.safeParse({ password });
    if (!parsed.success) return setProblem(fieldIssues(parsed.error).password ?? "Choose a password.");
    setProblem(null);
    setBusy(true);
    try {
      await api("POST", `/api/users/${encodeURIComponent(user.id)}/password`, parsed.data);
      onDone(`${user.username}'s password is set, and their sessions have ended: give it to them by a safe way.`);
    } catch (err) {
      setProblem((err as Error).message);
      setBusy(false);
    }
  };
  return (
    <Modal title={<>Set {user.username}'s password</>} onClose={onClose} testId="reset-dialog" width="max-w-md">
      <form onSubmit={onSubmit} noValidate className="mt-3 space-y-3">
        <p className="text-sm text-slate-600">
          For a forgotten password. {user.username} is signed out everywhere; they can change it on their account page.
        </p>
        <label className="block text-sm">
          New password (12 characters or more)
          <input
            type="password"
            autoComplete="new-password"
            className="mt-1 block w-full rounded-md border border-slate-300 px-2 py-1.5 text-sm aria-[invalid=true]:border-red-600"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            aria-invalid={problem ? true : undefined}
            aria-describedby={problem ? "reset-problem" : undefined}
            data-testid="reset-password"
          />
          {problem && (
            <span id="reset-problem" className="mt-0.5 block text-xs text-red-700" data-testid="reset-problem">
              {problem}
            </span>
          )}
        </label>
        <Actions className="">
          <Button onClick={onClose}>Cancel</Button>
          <Button kind="primary" type="submit" disabled={busy} data-testid="reset-submit">
            {busy ? "Setting…" : "Set password"}
          </Button>
        </Actions>
      </form>
    </Modal>
  );
}
