import { requirePage } from "@/lib/auth/page";
import { PasswordForm } from "@/components/users/password-form";

export const dynamic = "force-dynamic";
export const metadata = { title: "Your account" };

// GET /account – who you are, and your own password
export default async function AccountPage() {
  const { session } = await requirePage("/account");
  return (
    <div className="space-y-4">
      <div>
        <h1 className="text-2xl font-semibold">Your account</h1>
        <p className="text-sm text-slate-600" data-testid="account-who">
          Signed in as <b>{session.user.username}</b> ({session.user.role}).
        </p>
      </div>
      <PasswordForm />
    </div>
  );
}
