"use client";
import { roles, type Role } from "@/lib/auth/roles";

/** A role picker (viewer, operator, admin), as the Users page's forms and rows use it. */
export function RoleSelect({
  value,
  onChange,
  testId,
  label,
  id,
  className = "rounded-md border border-slate-300 px-2 py-1.5 text-sm",
}: {
  value: Role;
  onChange: (role: Role) => void;
  testId: string;
  label?: string;
  id?: string;
  className?: string;
}) {
  return (
    <select
      className={className}
      id={id}
      value={value}
      aria-label={label}
      data-testid={testId}
      onChange={(e) => onChange(e.target.value as Role)}
    >
      {roles.map((r) => (
        <option key={r} value={r}>
          {r}
        </option>
      ))}
    </select>
  );
}
