// Chart colours as the palette's CSS variables, so that charts turn over with the rest of the page in dark
// mode (app/globals.css). SVG presentation attributes take var() in every browser Ferry supports.
export const chart = {
  grid: "var(--color-slate-200)",
  muted: "var(--color-slate-400)",
  remaining: "var(--color-sky-300)",
  primary: "var(--color-sky-700)",
  secondary: "var(--color-sky-600)",
  alarm: "var(--color-red-600)",
  warn: "var(--color-amber-700)",
  good: "var(--color-emerald-600)",
} as const;
