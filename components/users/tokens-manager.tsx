"use client";
import { Button } from "@/components/ui/button";
import { Alert } from "@/components/ui/alert";
import { useState } from "react";
import { api } from "../api";
import { LocalTime, TimeAgo } from "../time";
import { createTokenSchema } from "@/lib/auth/schema";
import { describeIssues } from "@/lib/hosts/schema";
import type { Role } from "@/lib/auth/roles";
import type { TokenView } from "@/lib/auth/tokens";
import { RoleSelect } from "./role-select";

type TokenRow = TokenView;

/** API tokens for automation: made for a user with a role no higher than theirs, shown once, revocable. */
export function TokensManager({
  initialTokens,
  users,
}: {
  initialTokens: TokenRow[];
  users: { id: string; username: string; role: Role }[];
}) {
  const [tokens, setTokens] = useState(initialTokens);
  const [error, setError] = useState<string | null>(null);
  const [shown, setShown] = useState<{ name: string; token: string } | null>(null);
  const [form, setForm] = useState({ userId: users[0]?.id ?? "", name: "", role: "viewer" as Role });
  const reload = async () => setTokens((await api<{ tokens: TokenRow[] }>("GET", "/api/tokens")).tokens);
  const onCreate = async (e: React.FormEvent) => {
    e.preventDefault();
    setError(null);
    const parsed = createTokenSchema.safeParse(form);
    if (!parsed.success) return setError(describeIssues(parsed.error));
    try {
      const r = await api<{ token: string; tokenInfo: TokenRow }>("POST", "/api/tokens", parsed.data);
      setShown({ name: r.tokenInfo.name, token: r.token });
      setForm({ ...form, name: "" });
      await reload();
    } catch (err) {
      setError((err as Error).message);
    }
  };
  const revoke = async (t: TokenRow) => {
    if (!confirm(`Revoke ${t.username}'s token ${t.name}? Scripts using it stop at once.`)) return;
    setError(null);
    try {
      await api("DELETE", `/api/tokens/${t.id}`);
      await reload();
    } catch (err) {
      setError((err as Error).message);
    }
  };
  const input = "rounded-md border border-slate-300 px-2 py-1.5 text-sm";
  return (
    <section className="mt-8" aria-labelledby="tokens-title" data-testid="tokens">
      <h2 id="tokens-title" className="mb-1 text-xl font-semibold">
        API tokens
      </h2>
      <p className="mb-3 text-sm text-slate-600">
        For scripts: send <code>Authorization: Bearer &lt;token&gt;</code> instead of logging in. A token acts for its
        user with its own role, never higher than the user's; every use is in the audit log.
      </p>
      {error && (
        <Alert tone="error" className="mb-3" testId="tokens-error">
          {error}
        </Alert>
      )}
      {shown && (
        <div className="mb-3 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm" data-testid="token-shown">
          <p className="mb-1 font-medium text-amber-900">
            The token {shown.name}: copy it now — Ferry keeps only a hash and cannot show it again.
          </p>
          <code className="block break-all rounded bg-white px-2 py-1" data-testid="token-secret">
            {shown.token}
          </code>
          <button type="button" className="mt-2 text-xs text-amber-900 underline" onClick={() => setShown(null)}>
            I have copied it
          </button>
        </div>
      )}
      <ul
        className="mb-4 divide-y divide-slate-100 rounded-lg border border-slate-200 bg-white"
        data-testid="token-rows"
      >
        {tokens.length === 0 && <li className="p-3 text-sm text-slate-500">No tokens.</li>}
        {tokens.map((t) => (
          <li
            key={t.id}
            className="flex flex-wrap items-center justify-between gap-2 p-3 text-sm"
            data-testid={`token-row-${t.name}`}
          >
            <span>
              <b>{t.name}</b> for {t.username} · {t.role}{" "}
              {t.hint && (
                <code className="rounded bg-slate-100 px-1 text-xs" data-testid="token-hint">
                  {t.hint}…
                </code>
              )}{" "}
              <span className="text-xs text-slate-500">
                made by {t.createdBy} <LocalTime iso={t.createdAt} testId="token-created" />, last used{" "}
                <TimeAgo iso={t.lastUsedAt} />
              </span>
            </span>
            <button
              type="button"
              className="rounded-md border border-red-300 px-3 py-1 text-sm text-red-700"
              data-testid="token-revoke"
              onClick={() => void revoke(t)}
            >
              Revoke
            </button>
          </li>
        ))}
      </ul>
      <form
        onSubmit={onCreate}
        noValidate
        className="flex flex-wrap items-end gap-2 rounded-lg border border-slate-200 bg-white p-3"
        data-testid="add-token-form"
      >
        <label className="text-xs text-slate-600">
          For user
          <br />
          <select
            className={input}
            value={form.userId}
            onChange={(e) => setForm({ ...form, userId: e.target.value })}
            data-testid="token-user"
          >
            {users.map((u) => (
              <option key={u.id} value={u.id}>
                {u.username} ({u.role})
              </option>
            ))}
          </select>
        </label>
        <label className="text-xs text-slate-600">
          Name
          <br />
          <input
            className={input}
            value={form.name}
            onChange={(e) => setForm({ ...form, name: e.target.value })}
            data-testid="token-name"
          />
        </label>
        <label className="text-xs text-slate-600" htmlFor="token-role">
          Role
          <br />
          <RoleSelect
            id="token-role"
            value={form.role}
            testId="token-role"
            onChange={(role) => setForm({ ...form, role })}
          />
        </label>
        <Button type="submit" kind="primary" data-testid="add-token">
          Make token
        </Button>
      </form>
    </section>
  );
}
