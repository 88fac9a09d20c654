import type { DomainState } from "../types";

// xm's six state letters (XendConstants.DOM_STATES_OLD: r b p s c d). A suspended domain (the last round of a
// migration, a save) has the shutdown flag: "---s--".
export function stateOfXmLetters(letters: string): DomainState {
  const [r, b, p, s, c, d] = letters;
  if (d === "d") return "dying";
  if (c === "c") return "crashed";
  if (s === "s") return "suspended";
  if (p === "p") return "paused";
  if (r === "r") return "running";
  if (b === "b") return "idle";
  return letters === "------" ? "running" : "unknown"; // a vCPU between states shows no letter
}
