import type { Metadata } from "next";
import Link from "next/link";
import "./globals.css";
import { currentSession } from "@/lib/auth/page";
import { hasRole } from "@/lib/auth/roles";
import { LogoutButton } from "@/components/auth/logout-button";

export const metadata: Metadata = {
  title: "Ferry",
  description: "Move running virtual machines between Xen and KVM hosts",
};

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  const { session } = await currentSession();
  const link = "text-sm text-slate-600 hover:text-slate-900";
  return (
    <html lang="en">
      <head>{session && <meta name="csrf-token" content={session.csrfToken} />}</head>
      <body className="min-h-screen">
        <header className="border-b border-slate-200 bg-white">
          <nav className="mx-auto flex max-w-7xl items-center gap-6 px-6 py-3">
            <Link href="/" className="flex items-center gap-2 text-lg font-semibold text-sky-800">
              <span aria-hidden className="inline-block h-5 w-5 rounded-sm bg-sky-700" /> Ferry
            </Link>
            {session && (
              <>
                <Link href="/" className={link} data-testid="nav-cluster">
                  Cluster
                </Link>
                <Link href="/hosts" className={link} data-testid="nav-hosts">
                  Hosts
                </Link>
                <Link href="/images" className={link} data-testid="nav-images">
                  Images
                </Link>
                <Link href="/history" className={link} data-testid="nav-history">
                  History
                </Link>
                <Link href="/audit" className={link} data-testid="nav-audit">
                  Audit
                </Link>
                {hasRole(session.user.role, "admin") && (
                  <Link href="/users" className={link} data-testid="nav-users">
                    Users
                  </Link>
                )}
                <span className="ml-auto text-sm text-slate-500" data-testid="whoami">
                  {session.user.username} · {session.user.role}
                </span>
                <LogoutButton />
              </>
            )}
          </nav>
        </header>
        <main className="mx-auto max-w-7xl px-6 py-6">{children}</main>
      </body>
    </html>
  );
}
