import { redirect } from "next/navigation";
import { getServices } from "@/lib/runtime";
import { SetupForm } from "@/components/auth/setup-form";

export const dynamic = "force-dynamic";
export const metadata = { title: "First start" };

// GET /setup – first start only: create the first admin with the one-time secret from the console
export default async function SetupPage() {
  if ((await getServices().auth.userCount()) > 0) redirect("/login");
  return <SetupForm />;
}
