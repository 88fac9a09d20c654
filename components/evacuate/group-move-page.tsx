"use client";
import Link from "next/link";
import { useEffect, useState } from "react";
import type { EvacuationView } from "@/lib/evacuate/service";
import { Alert } from "../ui/alert";
import { Board } from "./board";
import { getEvacuation, stopEvacuation } from "./api";

/** A group move (or a balancing plan) as it runs: its board (each move's state and job), Stop, and the plan it runs. */
export function GroupMovePage({ initial, canAct }: { initial: EvacuationView; canAct: boolean }) {
  const [move, setMove] = useState(initial);
  const [error, setError] = useState<string | null>(null);
  const live = move.status === "running" || move.status === "stopping";
  useEffect(() => {
    if (!live) return;
    const t = setInterval(() => {
      getEvacuation(move.id).then(
        (r) => setMove(r.evacuation),
        () => undefined, // the next tick asks again; the board keeps what it last knew
      );
    }, 1000);
    return () => clearInterval(t);
  }, [live, move.id]);
  const stop = async (cancelRunning: boolean) => {
    setError(null);
    try {
      setMove((await stopEvacuation(move.id, cancelRunning)).evacuation);
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return (
    <div className="mx-auto max-w-5xl space-y-4 p-4" data-testid="group-move-page">
      <header>
        <h1 className="text-xl font-semibold">
          {move.kind === "balance" ? `Balancing (${move.hostName})` : `Group move to ${move.hostName}`}
        </h1>
        <p className="text-sm text-slate-600">
          Each domain moves live by its own job (the job's page shows its rounds); a move that fails leaves its domain
          where it ran and does not stop the others.
          {move.kind === "balance" && !live && (
            <>
              {" "}
              <Link href="/balance" className="text-sky-800 underline" data-testid="balance-replan">
                Recommend again
              </Link>{" "}
              from what the hosts carry now.
            </>
          )}
        </p>
      </header>
      {error && (
        <Alert tone="error" testId="group-move-error">
          {error}
        </Alert>
      )}
      <Board evacuation={move} canAct={canAct} onStop={stop} />
    </div>
  );
}
