"use client";

// The browser's calls to Ferry's API: JSON in and out, the CSRF token on every mutation, errors by
// code. Components call the functions built on this, never fetch directly.

export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    /** the job a refusal names (another job already working on the domain) */
    readonly jobId?: string,
  ) {
    super(message);
  }
}

function csrfToken(): string {
  return document.querySelector<HTMLMetaElement>('meta[name="csrf-token"]')?.content ?? "";
}

export async function api<T>(method: string, url: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers["content-type"] = "application/json";
  if (method !== "GET") headers["x-csrf-token"] = csrfToken();
  const res = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const json = await res.json().catch(() => null);
  if (!res.ok) {
    const code = json?.error?.code ?? "internal";
    if (res.status === 401 && !url.startsWith("/api/auth/") && !url.startsWith("/api/setup")) {
      window.location.href = `/login?next=${encodeURIComponent(window.location.pathname)}&reason=${code}`;
    }
    throw new ApiError(code, json?.error?.message ?? `The server answered ${res.status}.`, json?.error?.jobId);
  }
  return json as T;
}
