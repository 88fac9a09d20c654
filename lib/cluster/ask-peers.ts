import { AppError } from "../errors";
import type { PeerAnswer } from "../events";
import type { JobSummary } from "../jobs/types";

// Several instances on PostgreSQL: a cancel or a tune asked of this instance for a job another one runs goes to every
// other instance over socket.io (lib/server/peers.ts sends it and answers); the one running the job answers, the others say null.

/** Several instances: a cancel or tune sent to every other instance; the one that runs the job answers. */
export function askPeers(send: (cb: (err: Error | null, answers: PeerAnswer[]) => void) => void): Promise<JobSummary> {
  return new Promise<JobSummary>((resolve, reject) =>
    send((err, answers) => {
      const a = (answers ?? []).find((x) => x);
      if (a?.ok) return resolve(a.value);
      if (a) return reject(new AppError(a.code, a.message));
      reject(
        new AppError(
          "conflict",
          err
            ? "The Ferry instance running this job did not answer in time; try again in a few seconds (if it died, another instance adopts the job)."
            : "No Ferry instance runs this job right now; it may just have ended, or is being adopted. Try again in a few seconds.",
        ),
      );
    }),
  );
}
