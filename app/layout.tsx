import type { Metadata } from "next";
import Link from "next/link";
import "./globals.css";

export const metadata: Metadata = {
  title: "Ferry",
  description: "Move running virtual machines between Xen and KVM hosts",
};

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-screen">
        <header className="border-b border-slate-200 bg-white">
          <nav className="mx-auto flex max-w-7xl items-center gap-6 px-6 py-3">
            <Link href="/" className="flex items-center gap-2 text-lg font-semibold text-sky-800">
              <span aria-hidden className="inline-block h-5 w-5 rounded-sm bg-sky-700" /> Ferry
            </Link>
            <Link href="/" className="text-sm text-slate-600 hover:text-slate-900" data-testid="nav-cluster">Cluster</Link>
            <Link href="/hosts" className="text-sm text-slate-600 hover:text-slate-900" data-testid="nav-hosts">Hosts</Link>
          </nav>
        </header>
        <main className="mx-auto max-w-7xl px-6 py-6">{children}</main>
      </body>
    </html>
  );
}
