import type { ReactNode } from "react";

// One look for what a page or dialog tells the operator: an error (role="alert": read out at once), a success or
// a notice (role="status"), a warning. A style or accessibility change to them is one edit here.

const look = {
  error: "bg-red-50 text-red-800",
  ok: "bg-emerald-50 text-emerald-800",
  warn: "bg-amber-50 text-amber-900",
} as const;

export function Alert({
  tone,
  testId,
  className = "",
  children,
}: {
  tone: keyof typeof look;
  testId?: string;
  /** spacing where it sits (mt-3 …) */
  className?: string;
  children: ReactNode;
}) {
  return (
    <p
      role={tone === "error" ? "alert" : "status"}
      className={`rounded-md px-3 py-2 text-sm ${look[tone]} ${className}`}
      data-testid={testId}
    >
      {children}
    </p>
  );
}
