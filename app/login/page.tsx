import { redirect } from "next/navigation";
import { currentSession } from "@/lib/auth/page";
import { getServices } from "@/lib/runtime";
import { LoginForm } from "@/components/auth/login-form";

export const dynamic = "force-dynamic";
export const metadata = { title: "Log in" };

const reasons: Record<string, string> = {
  session_expired: "Your session has expired. Log in again.",
  unauthorized: "Log in to use Ferry.",
};

// GET /login – sign in (or go to /setup on a first start with no users)
export default async function LoginPage({
  searchParams,
}: {
  searchParams: Promise<{ next?: string; reason?: string }>;
}) {
  const { next, reason } = await searchParams;
  const safeNext = next?.startsWith("/") && !next.startsWith("//") ? next : "/";
  if ((await currentSession()).session) redirect(safeNext);
  if (getServices().auth.setupPending && (await getServices().auth.userCount()) === 0) redirect("/setup");
  return <LoginForm next={safeNext} notice={reason ? (reasons[reason] ?? null) : null} />;
}
