"use client";
import { api } from "../api";

export function LogoutButton() {
  const onClick = async () => {
    await api("POST", "/api/auth/logout").catch(() => {});
    window.location.href = "/login";
  };
  return (
    <button
      type="button"
      onClick={onClick}
      className="text-sm text-slate-600 hover:text-slate-900"
      data-testid="logout"
    >
      Log out
    </button>
  );
}
