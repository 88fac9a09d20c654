"use client";
import { useCallback, useEffect, useState } from "react";

/**
 * State this browser keeps across reloads (localStorage, as JSON under `key`). The first render uses `initial` — the
 * same on the server and in the browser, so hydration matches — and the kept value follows once mounted; `read`
 * turns what was kept into a value (or null: ignore it). Without storage (a private window) it is plain state.
 */
export function useStored<T>(key: string, initial: T, read: (kept: unknown) => T | null): [T, (next: T) => void] {
  const [value, setValue] = useState(initial);
  // biome-ignore lint/correctness/useExhaustiveDependencies: read once, when mounted
  useEffect(() => {
    try {
      const kept = localStorage.getItem(key);
      const v = kept === null ? null : read(JSON.parse(kept));
      if (v !== null) setValue(v);
    } catch {
      // no storage, or something else wrote there: the initial value stands
    }
  }, [key]);
  const set = useCallback(
    (next: T) => {
      setValue(next);
      try {
        localStorage.setItem(key, JSON.stringify(next));
      } catch {
        // not kept across reloads then
      }
    },
    [key],
  );
  return [value, set];
}
