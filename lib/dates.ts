import { z } from "zod";

// A calendar day in a query string (History and Audit filters, their APIs): YYYY-MM-DD that names a real day —
// 2026-13-45 is refused with a sentence instead of reaching the database as an invalid date.

export const dayString = z.string().refine((s) => {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}, "Dates are real days written like 2026-11-25.");

/** The start of `from` and the end of `to`, in UTC; a range that ends before it starts is refused by `orderedRange`. */
export const dayRange = (from?: string, to?: string) => ({
  from: from ? new Date(`${from}T00:00:00Z`) : undefined,
  to: to ? new Date(`${to}T23:59:59.999Z`) : undefined,
});

export const orderedRange: [(q: { from?: string; to?: string }) => boolean, { message: string; path: string[] }] = [
  (q) => !q.from || !q.to || q.from <= q.to,
  { message: "The start date is after the end date.", path: ["from"] },
];
