/**
 * Remembers each key's result (failures as null, too) for ttlMs, so a dialog and the job launched from it
 * share one measurement. Used by the link probe and the dirty-rate measurement.
 */
export function cachedFor<T>(ttlMs: number) {
  const cache = new Map<string, { at: number; value: T | null }>();
  return async (key: string, compute: () => Promise<T | null>): Promise<T | null> => {
    const hit = cache.get(key);
    if (hit && Date.now() - hit.at < ttlMs) return hit.value;
    const value = await compute().catch(() => null);
    cache.set(key, { at: Date.now(), value });
    return value;
  };
}
