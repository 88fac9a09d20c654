/**
 * Remembers each key's result (failures as null, too) for ttlMs, so a dialog and the job launched from it
 * share one measurement. Used by the link probe and the dirty-rate measurement. Callers that ask while a
 * measurement is under way wait for that one: two at once would disturb each other (two timed transfers
 * halve the link) or be refused (QEMU measures one dirty rate at a time) — and a refusal cached as null
 * would hide the good figure for the whole TTL.
 */
export function cachedFor<T>(ttlMs: number) {
  /** `at` is when the measurement ended; null while it is under way */
  const cache = new Map<string, { at: number | null; value: Promise<T | null> }>();
  return async (key: string, compute: () => Promise<T | null>): Promise<T | null> => {
    const hit = cache.get(key);
    if (hit && (hit.at === null || Date.now() - hit.at < ttlMs)) return hit.value;
    const entry: { at: number | null; value: Promise<T | null> } = {
      at: null,
      value: compute().catch(() => null),
    };
    cache.set(key, entry);
    const value = await entry.value;
    entry.at = Date.now();
    return value;
  };
}
