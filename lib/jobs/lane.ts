import type { CommandRunner } from "../toolstacks/types";

/** A host's runner whose commands take the job lane: the channels kept in reserve for running jobs. */
export function jobLane(runner: CommandRunner): CommandRunner {
  return { exec: (argv, opts) => runner.exec(argv, { ...opts, lane: "job" }) };
}
