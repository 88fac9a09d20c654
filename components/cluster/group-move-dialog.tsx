"use client";
import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";
import type { Plan } from "@/lib/evacuate/plan";
import { Modal } from "../modal";
import { Alert } from "../ui/alert";
import { Actions, Button } from "../ui/button";
import { PlanView } from "../evacuate/plan-view";
import { planGroup, runGroup, type GroupSelection } from "../evacuate/api";

/**
 * The plan for the selected domains — where each goes, in which order, each move's forecast time and downtime, what
 * cannot go and why — read before anything runs; Move starts it and opens its board.
 */
export function GroupMoveDialog({ selection, onClose }: { selection: GroupSelection; onClose(): void }) {
  const router = useRouter();
  const [plan, setPlan] = useState<{ plan: Plan; targetName: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [running, setRunning] = useState(false);
  useEffect(() => {
    let gone = false;
    planGroup(selection).then(
      (p) => !gone && setPlan(p),
      (e: Error) => !gone && setError(e.message),
    );
    return () => {
      gone = true;
    };
  }, [selection]);
  const run = async () => {
    if (!plan) return;
    setRunning(true);
    setError(null);
    try {
      const { evacuation } = await runGroup(selection, plan.plan);
      router.push(`/group-moves/${evacuation.id}`);
    } catch (e) {
      setError((e as Error).message);
      setRunning(false);
    }
  };
  const n = selection.domains.length;
  return (
    <Modal
      title={`Move ${n} ${n === 1 ? "domain" : "domains"} to ${plan?.targetName ?? (selection.targetId ? "the chosen host" : "anywhere that fits")}`}
      onClose={onClose}
      testId="group-move-dialog"
      // back to the bar's Plan button (the bar stays while the selection does)
      returnFocus={() => document.querySelector<HTMLElement>('[data-testid="selection-plan"]')}
      width="max-w-4xl"
      data={{ "data-state": error ? "error" : plan ? "planned" : "planning" }}
    >
      {!plan && !error && (
        <p className="text-sm text-slate-600" role="status" data-testid="group-planning">
          Asking each move's checks and forecast…
        </p>
      )}
      {error && (
        <Alert tone="error" testId="group-move-error" className="mt-2">
          {error}
        </Alert>
      )}
      {plan && <PlanView plan={plan.plan} kind="group" onRun={run} running={running} />}
      <Actions>
        <Button onClick={onClose} data-testid="group-move-close">
          Close
        </Button>
      </Actions>
    </Modal>
  );
}
