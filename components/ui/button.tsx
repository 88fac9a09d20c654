import type { ComponentProps } from "react";

// The app's buttons: primary (the one action a form or dialog is for), secondary (Cancel, Close, the others) and
// caution (an action that stops a guest). One place for their look, focus ring and disabled state.

const look = {
  primary: "bg-sky-700 font-medium text-white hover:bg-sky-800",
  secondary: "border border-slate-300 bg-white hover:bg-slate-50",
  caution: "bg-amber-700 font-medium text-white hover:bg-amber-800",
} as const;

export function Button({
  kind = "secondary",
  small = false,
  className = "",
  type = "button",
  ...rest
}: ComponentProps<"button"> & {
  kind?: keyof typeof look;
  /** a row's own action (Remove, Save…), smaller than a form's */
  small?: boolean;
}) {
  return (
    <button
      type={type}
      className={`rounded-md disabled:opacity-40 ${small ? "px-2 py-0.5 text-xs" : "px-3 py-1.5 text-sm"} ${look[kind]} ${className}`}
      {...rest}
    />
  );
}

/** A dialog's or form's row of buttons, at its end. */
export function Actions({ children, className = "mt-5" }: { children: React.ReactNode; className?: string }) {
  return <div className={`flex justify-end gap-2 ${className}`}>{children}</div>;
}
