import type { Metadata } from "next";
import Link from "next/link";
import "./globals.css";
import { currentSession } from "@/lib/auth/page";
import { hasRole } from "@/lib/auth/roles";
import { LogoutButton } from "@/components/auth/logout-button";

export const metadata: Metadata = {
  // each page names itself: "History · Ferry"
  title: { default: "Ferry", template: "%s · Ferry" },
  description: "Move running virtual machines between Xen and KVM hosts",
};

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  const { session } = await currentSession();
  const link = "text-sm text-slate-600 hover:text-slate-900";
  const pages = session
    ? [
        { id: "cluster", href: "/", label: "Cluster" },
        { id: "hosts", href: "/hosts", label: "Hosts" },
        { id: "images", href: "/images", label: "Images" },
        { id: "history", href: "/history", label: "History" },
        { id: "audit", href: "/audit", label: "Audit" },
        ...(hasRole(session.user.role, "admin") ? [{ id: "users", href: "/users", label: "Users" }] : []),
      ]
    : [];
  return (
    <html lang="en">
      <head>{session && <meta name="csrf-token" content={session.csrfToken} />}</head>
      <body className="min-h-screen">
        <header className="border-b border-slate-200 bg-white">
          <nav className="mx-auto flex max-w-7xl items-center gap-6 px-3 py-3 sm:px-6" aria-label="Main">
            <Link href="/" className="flex items-center gap-2 text-lg font-semibold text-sky-800">
              <span aria-hidden className="inline-block h-5 w-5 rounded-sm bg-sky-700" /> Ferry
            </Link>
            {session && (
              <>
                {/* wide screens: the links in a row */}
                <div className="hidden items-center gap-6 md:flex">
                  {pages.map((p) => (
                    <Link key={p.href} href={p.href} className={link} data-testid={`nav-${p.id}`}>
                      {p.label}
                    </Link>
                  ))}
                </div>
                <span className="ml-auto hidden text-sm text-slate-500 md:inline" data-testid="whoami">
                  {session.user.username} · {session.user.role}
                </span>
                <span className="hidden md:inline">
                  <LogoutButton />
                </span>
                {/* phones: the same links behind a menu button (a native disclosure: keyboard and screen readers know it) */}
                <details className="relative ml-auto md:hidden" data-testid="nav-menu">
                  <summary className="cursor-pointer list-none rounded-md border border-slate-300 px-3 py-1.5 text-sm">
                    Menu
                  </summary>
                  <div className="absolute right-0 z-40 mt-2 flex w-56 flex-col gap-1 rounded-md border border-slate-200 bg-white p-2 shadow-lg">
                    {pages.map((p) => (
                      <Link key={p.href} href={p.href} className={`${link} rounded px-2 py-1.5`}>
                        {p.label}
                      </Link>
                    ))}
                    <span className="border-t border-slate-100 px-2 pt-2 text-xs text-slate-500">
                      {session.user.username} · {session.user.role}
                    </span>
                    <span className="px-2">
                      <LogoutButton testId="logout-menu" />
                    </span>
                  </div>
                </details>
              </>
            )}
          </nav>
        </header>
        <main className="mx-auto max-w-7xl px-3 py-6 sm:px-6">{children}</main>
      </body>
    </html>
  );
}
