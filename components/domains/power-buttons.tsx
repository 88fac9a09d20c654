"use client";
import { Alert } from "../ui/alert";
import { Button } from "../ui/button";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { api } from "../api";
import type { PowerAction } from "@/lib/toolstacks/types";

// Start a shut-off domain; shut down or reboot a running one — each asked once more in words before it is sent
// (a shutdown stops the guest's work; a reboot restarts it). What the host said is shown after, and the page
// re-reads the inventory.

const confirmWords: Record<PowerAction, (d: string, h: string) => string> = {
  start: (d, h) => `Start ${d} on ${h}?`,
  shutdown: (d, h) =>
    `Shut ${d} down on ${h}? The guest is asked to stop (ACPI), as its power button would; it stays defined there, shut off.`,
  reboot: (d, h) => `Reboot ${d} on ${h}? The guest restarts; its work is interrupted.`,
};
const label: Record<PowerAction, string> = { start: "Start", shutdown: "Shut down…", reboot: "Reboot…" };

export function PowerButtons({
  hostId,
  hostName,
  domain,
  running,
}: {
  hostId: string;
  hostName: string;
  domain: string;
  /** running: shut down and reboot; shut off: start */
  running: boolean;
}) {
  const router = useRouter();
  const [asking, setAsking] = useState<PowerAction | null>(null);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const send = async (action: PowerAction) => {
    setBusy(true);
    setMessage(null);
    try {
      const { result } = await api<{ result: { said: string } }>("POST", "/api/domains/power", {
        hostId,
        domain,
        action,
      });
      setMessage({ ok: true, text: `${hostName} says: ${result.said}` });
      router.refresh();
    } catch (e) {
      setMessage({ ok: false, text: (e as Error).message });
    } finally {
      setBusy(false);
      setAsking(null);
    }
  };
  const actions: PowerAction[] = running ? ["shutdown", "reboot"] : ["start"];
  return (
    <div className="flex flex-wrap items-end gap-2" data-testid="power">
      {actions.map((a) => (
        <Button
          key={a}
          disabled={busy}
          onClick={() => (a === "start" ? void send(a) : setAsking(a))}
          data-testid={`power-${a}`}
        >
          {label[a]}
        </Button>
      ))}
      {asking && (
        <div
          role="alertdialog"
          aria-label={confirmWords[asking](domain, hostName)}
          className="basis-full rounded-md border border-amber-300 bg-amber-50 p-2 text-sm"
          data-testid="power-confirm"
        >
          <p>{confirmWords[asking](domain, hostName)}</p>
          <div className="mt-2 flex gap-2">
            <Button kind="caution" disabled={busy} onClick={() => void send(asking)} data-testid="power-confirm-yes">
              {asking === "shutdown" ? "Shut it down" : "Reboot it"}
            </Button>
            <Button onClick={() => setAsking(null)} data-testid="power-confirm-no">
              Cancel
            </Button>
          </div>
        </div>
      )}
      {message && (
        <Alert tone={message.ok ? "ok" : "error"} className="basis-full" testId="power-message">
          {message.text}
        </Alert>
      )}
    </div>
  );
}
