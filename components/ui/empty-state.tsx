import type { ReactNode } from "react";

/** What a page shows when it has nothing yet: what is missing, what to do about it, and (optionally) the way to. */
export function EmptyState({
  title,
  children,
  action,
  testId,
}: {
  title: string;
  children?: ReactNode;
  /** a link or button: the first step */
  action?: ReactNode;
  testId?: string;
}) {
  return (
    <div className="rounded-lg border border-dashed border-slate-300 bg-white p-8 text-center" data-testid={testId}>
      <p className="text-base font-medium">{title}</p>
      {children && <p className="mt-1 text-sm text-slate-600">{children}</p>}
      {action && <div className="mt-4">{action}</div>}
    </div>
  );
}
