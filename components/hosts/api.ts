"use client";
import type { HostView } from "@/lib/inventory/types";
import type { AddHostInput, ScanHostInput } from "@/lib/hosts/schema";

// The Hosts page's calls to the API. Components call these, never fetch directly.

export class ApiError extends Error {
  constructor(readonly code: string, message: string) { super(message); }
}

async function call<T>(method: string, url: string, body?: unknown): Promise<T> {
  const res = await fetch(url, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json().catch(() => null);
  if (!res.ok) throw new ApiError(json?.error?.code ?? "internal", json?.error?.message ?? `The server answered ${res.status}.`);
  return json as T;
}

export const scanHost = (input: ScanHostInput) => call<{ fingerprint: string; keyType: string }>("POST", "/api/hosts/scan", input);
export const addHost = (input: AddHostInput) => call<{ host: HostView }>("POST", "/api/hosts", input);
export const testHost = (id: string) => call<{ host: HostView }>("POST", `/api/hosts/${encodeURIComponent(id)}/test`);
export const removeHost = (id: string) => call<{ ok: true }>("DELETE", `/api/hosts/${encodeURIComponent(id)}`);
