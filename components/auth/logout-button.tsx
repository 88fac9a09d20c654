"use client";
import { useEffect, useState } from "react";
import { api } from "../api";

export function LogoutButton({ testId = "logout" }: { testId?: string }) {
  // data-ready once React has attached the handler (a click on the server's markup before that does nothing)
  const [ready, setReady] = useState(false);
  useEffect(() => setReady(true), []);
  const onClick = async () => {
    await api("POST", "/api/auth/logout").catch(() => {});
    window.location.href = "/login";
  };
  return (
    <button
      type="button"
      onClick={onClick}
      className="text-sm text-slate-600 hover:text-slate-900"
      data-testid={testId}
      data-ready={ready ? "1" : undefined}
    >
      Log out
    </button>
  );
}
