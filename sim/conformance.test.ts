import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createDemoWorld } from "./default-world";
import { virshCommand } from "./commands/virsh";
import { runSimCommand } from "./testing";

// Conformance: the same virsh command lines against a simulated KVM host and, where the lab is up (e2e/lab/up.sh;
// CI builds it first), against the lab's real libvirt 9.0. What is compared is the shape a client notices: exit
// status, stderr (domain names normalised), whether stdout is empty, ends with virsh's extra "\n", has a table
// header, and which labels a label listing has. Without the lab the simulated side is still held to the shapes
// recorded from the lab (EXPECTED), so a change that loosens the simulator fails here too.

const LAB_DIR = process.env.LAB ?? "/tmp/ferry-lab";
const labUp = fs.existsSync(path.join(LAB_DIR, "lab.env"));

interface Shape {
  code: number;
  stderr: string;
  stdout: "empty" | "newline only" | "table" | "table, no header" | "labels";
  labels?: string[];
}

function shapeOf(code: number, out: string, err: string, dom: string): Shape {
  const stderr = err.replaceAll(dom, "<dom>");
  let stdout: Shape["stdout"];
  let labels: string[] | undefined;
  if (out === "") stdout = "empty";
  else if (out === "\n") stdout = "newline only";
  else if (/^ \S.*\n-{5,}\n/.test(out)) stdout = "table";
  else if (/^[\w() -]+:\s/m.test(out)) {
    stdout = "labels";
    // "Messages: tainted: …" appears only for a domain with taint messages (the lab's guest runs with high
    // privileges; the simulated ones have none): a difference this test found, and which Ferry's parser ignores
    labels = [...out.matchAll(/^([^:\n]+):/gm)].map((m) => m[1].trim()).filter((l) => l !== "Messages");
  } else stdout = "table, no header";
  return { code, stderr, stdout, ...(labels ? { labels } : {}) };
}

type GuestState = "running" | "shut off";
const RUNNING_LABELS = [
  "Id",
  "Name",
  "UUID",
  "OS Type",
  "State",
  "CPU(s)",
  "CPU time",
  "Max memory",
  "Used memory",
  "Persistent",
  "Autostart",
  "Managed save",
  "Security model",
  "Security DOI",
];

// `state`: the case needs the domain in that state (virsh prints "CPU time" only for an active domain); the other
// cases do not care. The simulated side runs each against a domain in the state it needs.
const CASES: { argv: (dom: string) => string[]; expected: Shape; state?: GuestState }[] = [
  {
    argv: (d) => ["dominfo", d],
    state: "running",
    expected: { code: 0, stderr: "", stdout: "labels", labels: RUNNING_LABELS },
  },
  {
    argv: (d) => ["dominfo", d],
    state: "shut off",
    expected: { code: 0, stderr: "", stdout: "labels", labels: RUNNING_LABELS.filter((l) => l !== "CPU time") },
  },
  {
    argv: () => ["dominfo", "nosuch"],
    expected: { code: 1, stderr: "error: failed to get domain 'nosuch'\n", stdout: "newline only" },
  },
  {
    argv: (d) => ["dominfo", "--bogus", d],
    expected: { code: 1, stderr: "error: command 'dominfo' doesn't support option --bogus\n", stdout: "empty" },
  },
  {
    argv: () => ["dominfo"],
    expected: { code: 1, stderr: "error: command 'dominfo' requires <domain> option\n", stdout: "empty" },
  },
  {
    argv: () => ["migrate"],
    expected: {
      code: 1,
      stderr: "error: command 'migrate' requires <domain> option\nerror: command 'migrate' requires <desturi> option\n",
      stdout: "empty",
    },
  },
  {
    argv: () => ["nosuchcmd"],
    expected: { code: 1, stderr: "error: unknown command: 'nosuchcmd'\n", stdout: "empty" },
  },
  { argv: () => ["list", "--all"], expected: { code: 0, stderr: "", stdout: "table" } },
  { argv: () => ["-q", "list", "--all"], expected: { code: 0, stderr: "", stdout: "table, no header" } },
  {
    argv: () => ["list", "--bogus"],
    expected: { code: 1, stderr: "error: command 'list' doesn't support option --bogus\n", stdout: "empty" },
  },
];

// the demo world's web-kvm runs on kvmA, win-test is shut off on kvmB
const SIM_DOMAIN: Record<GuestState, { host: string; dom: string }> = {
  running: { host: "kvmA", dom: "web-kvm" },
  "shut off": { host: "kvmB", dom: "win-test" },
};

async function simulated(c: (typeof CASES)[number]): Promise<Shape> {
  const { host, dom } = SIM_DOMAIN[c.state ?? "running"];
  const argv = c.argv(dom);
  const r = await runSimCommand(virshCommand(createDemoWorld(), host), ["virsh", ...argv]);
  return shapeOf(r.code, r.stdout, r.stderr, dom);
}

function real(host: string, argv: string[], dom: string): Shape {
  try {
    const out = execFileSync(path.join(LAB_DIR, "bin", "hx"), [host, "virsh", ...argv], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, LC_ALL: "C" },
    });
    return shapeOf(0, out, "", dom);
  } catch (e) {
    const x = e as { status: number; stdout: string; stderr: string };
    return shapeOf(x.status, x.stdout, x.stderr, dom);
  }
}

function labText(host: string, argv: string[]): string {
  return execFileSync(path.join(LAB_DIR, "bin", "hx"), [host, "virsh", ...argv], {
    encoding: "utf8",
    env: { ...process.env, LC_ALL: "C" },
  });
}

describe("the simulated virsh answers in the shapes the real one does", () => {
  const title = (c: (typeof CASES)[number]) => `${c.argv("<dom>").join(" ")}${c.state ? ` (${c.state})` : ""}`;
  it.each(CASES.map((c) => [title(c), c] as const))("virsh %s (simulated)", async (_name, c) => {
    expect(await simulated(c)).toEqual(c.expected);
  });

  // skipped without the lab, saying so: the real side needs it (e2e/lab/up.sh, root); CI builds it first
  const real9 = `and the lab's real libvirt 9.0 answers the same${labUp ? "" : " (skipped: the lab is down; sudo npm run lab:up)"}`;
  it.skipIf(!labUp)(real9, () => {
    // the lab's guest is defined on one of the two hosts (the lab suite moves it); it is shut off until the lab
    // suite starts it, running after: the cases that depend on the state are compared in the state it is in
    const where = ["hostB", "hostC"].find((h) => /^labvm1$/m.test(labText(h, ["list", "--all", "--name"])));
    expect(where, "the lab's guest labvm1 is defined on hostB or hostC").toBeDefined();
    const state = labText(where!, ["domstate", "labvm1"]).trim();
    expect(["running", "shut off"]).toContain(state);
    const differences = CASES.filter((c) => !c.state || c.state === state)
      .map((c) => {
        const got = real(where!, c.argv("labvm1"), "labvm1");
        return { command: title(c), got, expected: c.expected };
      })
      .filter((d) => JSON.stringify(d.got) !== JSON.stringify(d.expected));
    expect(differences).toEqual([]);
  });
});
