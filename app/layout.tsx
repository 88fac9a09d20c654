import type { Metadata } from "next";
import Link from "next/link";
import "./globals.css";
import { currentSession } from "@/lib/auth/page";
import { hasRole } from "@/lib/auth/roles";
import { LogoutButton } from "@/components/auth/logout-button";
import { NavLink } from "@/components/nav/nav-link";
import { PhoneMenu } from "@/components/nav/phone-menu";
import { TaskBar } from "@/components/tasks/task-bar";

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
        { id: "balance", href: "/balance", label: "Balance" },
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
        {/* keyboard users skip the navigation (the first Tab of every page) */}
        <a
          href="#main"
          className="sr-only rounded-md bg-white px-3 py-2 text-sm text-sky-800 focus:not-sr-only focus:absolute focus:top-2 focus:left-2 focus:z-50"
          data-testid="skip-link"
        >
          Skip to content
        </a>
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
                    <NavLink key={p.href} href={p.href} className={link} data-testid={`nav-${p.id}`}>
                      {p.label}
                    </NavLink>
                  ))}
                </div>
                <NavLink
                  href="/account"
                  className="ml-auto hidden text-sm text-slate-500 hover:text-slate-900 md:inline"
                  data-testid="whoami"
                  title="Your account and password"
                >
                  {session.user.username} · {session.user.role}
                </NavLink>
                <span className="hidden md:inline">
                  <LogoutButton />
                </span>
                {/* phones: the same links behind a menu button */}
                <PhoneMenu pages={pages} who={`${session.user.username} · ${session.user.role}`} />
              </>
            )}
          </nav>
        </header>
        <main id="main" tabIndex={-1} className="mx-auto max-w-7xl px-3 py-6 pb-16 outline-none sm:px-6">
          {children}
        </main>
        {session && <TaskBar me={session.user.username} />}
      </body>
    </html>
  );
}
