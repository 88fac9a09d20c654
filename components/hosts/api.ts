"use client";
import { api } from "../api";
import type { HostView } from "@/lib/inventory/types";
import type { AddHostInput, ScanHostInput } from "@/lib/hosts/schema";

export const scanHost = (input: ScanHostInput) =>
  api<{ fingerprint: string; keyType: string; knownAs: string | null; refusal: string | null }>(
    "POST",
    "/api/hosts/scan",
    input,
  );
export const addHost = (input: AddHostInput) => api<{ host: HostView }>("POST", "/api/hosts", input);
export const testHost = (id: string) => api<{ host: HostView }>("POST", `/api/hosts/${encodeURIComponent(id)}/test`);
export const removeHost = (id: string) => api<{ ok: true }>("DELETE", `/api/hosts/${encodeURIComponent(id)}`);
