import type { Role } from "@/lib/auth/roles";

export function Forbidden({ username, role, need }: { username: string; role: Role; need: string }) {
  return (
    <div className="mx-auto max-w-lg rounded-lg border border-amber-300 bg-amber-50 p-6" data-testid="forbidden">
      <h1 className="text-lg font-semibold">Not for your role</h1>
      <p className="mt-2 text-sm text-slate-700">
        You are signed in as <b>{username}</b> ({role}). This page is for {need}.
      </p>
    </div>
  );
}
