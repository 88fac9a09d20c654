import type { SimDomain } from "../world";

// `virsh qemu-monitor-command DOMAIN JSON` — libvirt's passthrough to QEMU's monitor — for the two QMP commands Ferry
// sends (lib/toolstacks/virsh/stuck-cancel.ts): query-migrate and migrate-continue, answered as QEMU 7.2 answers them
// in the lab (lib/toolstacks/virsh/fixtures/qmp-*-lab.json): one line of JSON, QEMU's errors inside it with exit 0.
// Any other command is refused: the simulator does not run QEMU.

let replies = 0;
/** QEMU's reply: the id after a result, before an error (as the lab's printed them) */
const reply = (body: { return: object } | { error: object }) => {
  const id = `libvirt-${++replies}`;
  return `${JSON.stringify("error" in body ? { id, ...body } : { ...body, id })}\n`;
};

/** QEMU's migration status for the domain: "cancelling" while it waits on a missed cancel, "active" during a migration. */
function status(d: SimDomain): string | null {
  if (d.job?.operation !== "Outgoing migration" || d.job.type !== "Unbounded") return null;
  return d.job.cancelling && !d.job.continued ? "cancelling" : "active";
}

export function qemuMonitorCommand(
  d: SimDomain,
  json: string | undefined,
): { code: 0; out: string } | { code: 1; err: string } {
  let cmd: { execute?: unknown; arguments?: { state?: unknown } };
  try {
    cmd = JSON.parse(json ?? "");
  } catch {
    return { code: 1, err: `internal error: cannot parse json ${json ?? ""}: lexical error` };
  }
  const now = status(d);
  switch (cmd.execute) {
    case "query-migrate": {
      if (!now || !d.job) return { code: 0, out: reply({ return: {} }) };
      const j = d.job;
      return {
        code: 0,
        out: reply({
          return: {
            "expected-downtime": j.expectedDowntimeMs,
            status: now,
            "total-time": Date.now() - j.startedAt,
            ram: { total: j.total, remaining: j.remaining, transferred: j.processed, "page-size": 4096 },
          },
        }),
      };
    }
    case "migrate-continue": {
      const want = cmd.arguments?.state;
      if (now !== "cancelling" || want !== "cancelling")
        return {
          code: 0,
          out: reply({
            error: { class: "GenericError", desc: `Migration not in expected state: ${now ?? "none"}` },
          }),
        };
      d.job!.continued = true;
      return { code: 0, out: reply({ return: {} }) };
    }
    default:
      return {
        code: 1,
        err: `the simulated QEMU answers only query-migrate and migrate-continue, not ${JSON.stringify(cmd.execute)}`,
      };
  }
}
