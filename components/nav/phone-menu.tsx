"use client";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { useEffect, useRef } from "react";
import { LogoutButton } from "../auth/logout-button";

/**
 * The main links behind a Menu button on phones: a native disclosure (keyboard and screen readers know it), closed
 * again when a page opens — the layout stays mounted across pages, and so would an open menu over the next one.
 */
export function PhoneMenu({ pages, who }: { pages: { id: string; href: string; label: string }[]; who: string }) {
  const menu = useRef<HTMLDetailsElement>(null);
  const pathname = usePathname();
  // biome-ignore lint/correctness/useExhaustiveDependencies: the menu closes whenever the path changes
  useEffect(() => {
    if (menu.current) menu.current.open = false;
  }, [pathname]);
  const close = () => {
    if (menu.current) menu.current.open = false;
  };
  return (
    <details
      ref={menu}
      className="relative ml-auto md:hidden"
      data-testid="nav-menu"
      onKeyDown={(e) => {
        if (e.key === "Escape" && menu.current?.open) {
          close();
          menu.current.querySelector("summary")?.focus();
        }
      }}
    >
      <summary className="cursor-pointer list-none rounded-md border border-slate-300 px-3 py-1.5 text-sm">
        Menu
      </summary>
      <div className="absolute right-0 z-40 mt-2 flex w-56 flex-col gap-1 rounded-md border border-slate-200 bg-white p-2 shadow-lg">
        {pages.map((p) => (
          <Link
            key={p.href}
            href={p.href}
            onClick={close}
            className="rounded px-2 py-1.5 text-sm text-slate-600 hover:text-slate-900"
            data-testid={`nav-menu-${p.id}`}
          >
            {p.label}
          </Link>
        ))}
        <Link
          href="/account"
          onClick={close}
          className="border-t border-slate-100 px-2 pt-2 text-xs text-slate-500"
          data-testid="nav-menu-account"
        >
          {who}
        </Link>
        <span className="px-2">
          <LogoutButton testId="logout-menu" />
        </span>
      </div>
    </details>
  );
}
