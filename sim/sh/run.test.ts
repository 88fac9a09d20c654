import { describe, expect, it } from "vitest";
import { runShell, type ShellEnv } from "./run";

function shell() {
  const ran: string[][] = [];
  const env: ShellEnv = {
    vars: { HOME: "/root", USER: "root" },
    commands: {
      echo: (argv, io) => {
        io.out(`${argv.slice(1).join(" ")}\n`);
        return 0;
      },
      printargs: (argv, io) => {
        io.out(JSON.stringify(argv.slice(1)));
        return 0;
      },
      locale: (_argv, io) => {
        io.out(`${io.vars?.LC_ALL ?? "-"} ${io.vars?.LANG ?? "-"}\n`);
        return 0;
      },
      true: () => 0,
      false: () => 1,
      cat: (_argv, io) => {
        io.out(io.stdin);
        return 0;
      },
      fail: (_argv, io) => {
        io.err("boom\n");
        return 3;
      },
    },
    onCommand: (argv) => ran.push(argv),
  };
  const run = async (src: string) => {
    let out = "";
    let err = "";
    const code = await runShell(src, env, {
      out: (t) => (out += t),
      err: (t) => (err += t),
      signal: new AbortController().signal,
    });
    return { code, out, err };
  };
  return { run, ran };
}

describe("sim shell: words", () => {
  it.each([
    [`printargs a 'b c' "d e"`, ["a", "b c", "d e"]],
    [`printargs 'it'\\''s'`, ["it's"]],
    [`printargs a\\ b \\"q\\"`, ["a b", '"q"']],
    [`printargs "$HOME/x" '$HOME' ~`, ["/root/x", "$HOME", "/root"]],
    [`printargs "" ''`, ["", ""]],
    [`printargs $NOPE`, []],
    [`printargs "a\\$b" "c\\\\d"`, ["a$b", "c\\d"]],
    [`printargs $(echo x y) "$(echo x y)"`, ["x", "y", "x y"]],
    [`printargs \`echo z\``, ["z"]],
    [`printargs --help -rf`, ["--help", "-rf"]],
  ])("%s", async (src, argv) => {
    const { run } = shell();
    const r = await run(src);
    expect(r.err).toBe("");
    expect(JSON.parse(r.out)).toEqual(argv);
  });
});

describe("sim shell: environment", () => {
  it("NAME=value before a command sets that command's environment only, as sh does; quoted, it is a word", async () => {
    const { run, ran } = shell();
    expect((await run("LC_ALL=C locale; locale")).out).toBe("C -\n- -\n");
    expect(ran).toEqual([["locale"], ["locale"]]);
    expect((await run("'LC_ALL=C' locale")).code).toBe(127);
    expect((await run("LANG=de_DE.UTF-8; locale")).out).toBe("- de_DE.UTF-8\n");
  });
});

describe("sim shell: lists, pipes, status", () => {
  it("runs ; && || in order and records every argv", async () => {
    const { run, ran } = shell();
    const r = await run("echo a; false && echo no || echo b; true && echo c");
    expect(r.out).toBe("a\nb\nc\n");
    expect(ran.map((a) => a[0])).toEqual(["echo", "false", "echo", "true", "echo"]);
  });

  it("pipes stdout into the next command and returns the last status", async () => {
    const { run } = shell();
    expect(await run("echo hi | cat")).toMatchObject({ code: 0, out: "hi\n" });
    expect(await run("echo hi | false")).toMatchObject({ code: 1, out: "" });
  });

  it("executes command substitution so injected commands are observable", async () => {
    const { run, ran } = shell();
    await run("echo $(fail)x");
    expect(ran.map((a) => a[0])).toEqual(["fail", "echo"]);
  });

  it("fails unknown commands as bash does: exit 127", async () => {
    const { run } = shell();
    expect(await run("nosuchcmd --x")).toEqual({
      code: 127,
      out: "",
      err: "bash: line 1: nosuchcmd: command not found\n",
    });
  });

  it("rejects bad syntax with exit 2 and runs nothing", async () => {
    const { run, ran } = shell();
    const r = await run("echo 'unterminated");
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/unexpected EOF/);
    expect(ran).toEqual([]);
    expect((await run("echo a ;; echo b")).code).toBe(2);
  });

  it("honours 2>&1 and >/dev/null", async () => {
    const { run } = shell();
    expect(await run("fail 2>&1")).toMatchObject({ out: "boom\n", err: "" });
    expect(await run("echo x >/dev/null")).toMatchObject({ out: "" });
  });
});

describe("sim keys", () => {
  it("every generated key pair reads back (ssh2 drops a leading zero byte of some ed25519 keys)", async () => {
    const fs = await import("node:fs");
    const os = await import("node:os");
    const path = await import("node:path");
    const ssh2 = (await import("ssh2")).default;
    const { ensureKeyPair } = await import("../keys");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ferry-keys-"));
    for (let i = 0; i < 600; i++) {
      const { publicKey, privateKey } = ensureKeyPair(path.join(dir, `k${i}`), "t");
      expect(ssh2.utils.parseKey(publicKey)).not.toBeInstanceOf(Error);
      expect(ssh2.utils.parseKey(privateKey)).not.toBeInstanceOf(Error);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe("sim sh -c with positional parameters", () => {
  it("passes $1 through as one word, metacharacters and all", async () => {
    const { startTestCluster } = await import("../testing");
    const sim = await startTestCluster();
    let out = "";
    const code = await sim.cluster.server("hostB").runCommand(`sh -c 'echo "[$1]" "$0"' name 'a b;$(x)'`, {
      out: (t) => (out += t),
      err: () => {},
      signal: new AbortController().signal,
    });
    expect(code).toBe(0);
    expect(out).toBe("[a b;$(x)] name\n");
    await sim.stop();
  });
});
