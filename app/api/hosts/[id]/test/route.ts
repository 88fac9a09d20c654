import { handler } from "@/lib/http/handler";
import { getServices } from "@/lib/runtime";

type Ctx = { params: Promise<{ id: string }> };

// POST /api/hosts/:id/test – reconnect now (skipping backoff) and read the host; returns its view
export const POST = handler(async (_req, { params }: Ctx) => ({ host: await getServices().hosts.test((await params).id) }));
