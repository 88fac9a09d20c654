"use client";
import { Button } from "@/components/ui/button";
import { Alert } from "@/components/ui/alert";
import { TimeAgo } from "../time";
import { useState } from "react";
import { api } from "../api";
import { createUserSchema } from "@/lib/auth/schema";
import { describeIssues } from "@/lib/hosts/schema";
import { roles, roleWords, type Role } from "@/lib/auth/roles";
import { RoleSelect } from "./role-select";
import { ResetPasswordDialog } from "./reset-password-dialog";

interface UserRow {
  id: string;
  username: string;
  role: Role;
  createdAt: string;
  lastLoginAt: string | null;
}

export function UsersManager({ initialUsers, me }: { initialUsers: UserRow[]; me: string }) {
  const [users, setUsers] = useState(initialUsers);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [form, setForm] = useState({ username: "", password: "", role: "viewer" as Role });
  /** the user whose password an admin is setting (a forgotten one) */
  const [resetting, setResetting] = useState<UserRow | null>(null);
  const reload = async () => setUsers((await api<{ users: UserRow[] }>("GET", "/api/users")).users);
  const act = async (fn: () => Promise<unknown>) => {
    setError(null);
    try {
      await fn();
      await reload();
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const onAdd = (e: React.FormEvent) => {
    e.preventDefault();
    const parsed = createUserSchema.safeParse(form);
    if (!parsed.success) return setError(describeIssues(parsed.error));
    void act(async () => {
      await api("POST", "/api/users", parsed.data);
      setForm({ username: "", password: "", role: "viewer" });
    });
  };
  const input = "rounded-md border border-slate-300 px-2 py-1.5 text-sm";
  return (
    <div>
      <h1 className="mb-1 text-2xl font-semibold">Users</h1>
      <p className="mb-4 text-sm text-slate-600">{roles.map((r) => roleWords[r]).join("; ")}.</p>
      {error && (
        <Alert tone="error" className="mb-3" testId="users-error">
          {error}
        </Alert>
      )}
      <ul
        className="mb-6 divide-y divide-slate-100 rounded-lg border border-slate-200 bg-white"
        data-testid="user-rows"
      >
        {users.map((u) => (
          <li
            key={u.id}
            className="flex flex-wrap items-center justify-between gap-2 p-3"
            data-testid={`user-row-${u.username}`}
          >
            <span>
              <b>{u.username}</b>
              {u.id === me && <span className="text-xs text-slate-500"> (you)</span>}{" "}
              <span className="text-xs text-slate-500">
                last login <TimeAgo iso={u.lastLoginAt} />
              </span>
            </span>
            <span className="flex gap-2">
              <RoleSelect
                value={u.role}
                label={`role of ${u.username}`}
                testId="user-role"
                onChange={(role) => act(() => api("PATCH", `/api/users/${u.id}`, { role }))}
              />
              {u.id !== me && (
                <button
                  type="button"
                  className="rounded-md border border-slate-300 px-3 py-1 text-sm"
                  data-testid="user-reset"
                  onClick={() => setResetting(u)}
                >
                  Set password…
                </button>
              )}
              <button
                type="button"
                className="rounded-md border border-red-300 px-3 py-1 text-sm text-red-700"
                data-testid="user-remove"
                onClick={() => {
                  if (confirm(`Remove ${u.username}?`)) void act(() => api("DELETE", `/api/users/${u.id}`));
                }}
              >
                Remove
              </button>
            </span>
          </li>
        ))}
      </ul>
      {resetting && (
        <ResetPasswordDialog
          user={resetting}
          onClose={() => setResetting(null)}
          onDone={(text) => {
            setResetting(null);
            setNotice(text);
          }}
        />
      )}
      {notice && (
        <Alert tone="ok" className="mb-3" testId="users-notice">
          {notice}
        </Alert>
      )}
      <form
        onSubmit={onAdd}
        noValidate
        className="flex flex-wrap items-end gap-2 rounded-lg border border-slate-200 bg-white p-3"
        data-testid="add-user-form"
      >
        <label className="text-xs text-slate-600">
          User name
          <br />
          <input
            className={input}
            value={form.username}
            onChange={(e) => setForm({ ...form, username: e.target.value })}
            data-testid="new-username"
          />
        </label>
        <label className="text-xs text-slate-600">
          Password (12+)
          <br />
          <input
            type="password"
            className={input}
            value={form.password}
            onChange={(e) => setForm({ ...form, password: e.target.value })}
            data-testid="new-password"
          />
        </label>
        <label className="text-xs text-slate-600" htmlFor="new-role">
          Role
          <br />
          <RoleSelect
            id="new-role"
            value={form.role}
            testId="new-role"
            onChange={(role) => setForm({ ...form, role })}
          />
        </label>
        <Button type="submit" kind="primary" data-testid="add-user">
          Add user
        </Button>
      </form>
    </div>
  );
}
