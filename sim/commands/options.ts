import type { CommandFn } from "../sh/run";

// A simulated host answers only what it implements: an option it does not know is refused, never accepted and
// ignored (a test trusts the answers, and an ignored option answers a different question than the one asked).

/** The options a simulated command implements: flags, and options that take the next word as their value. */
export type OptionSpec = { flags?: string[]; valued?: string[] };

/**
 * Wraps a simulated command: an option outside `spec` is refused on stderr with exit status 1, saying it is not
 * simulated (it may well be a real option of the real tool). Words after `--`, and a lone `-`, are operands.
 */
export function withOptions(name: string, spec: OptionSpec, run: CommandFn): CommandFn {
  const flags = new Set(spec.flags ?? []);
  const valued = new Set(spec.valued ?? []);
  return (argv, io) => {
    for (let i = 1; i < argv.length; i++) {
      const a = argv[i];
      if (a === "--") break;
      if (!a.startsWith("-") || a === "-") continue;
      if (valued.has(a)) i++;
      else if (!flags.has(a)) {
        const known = [...flags, ...[...valued].map((v) => `${v} VALUE`)];
        io.err(
          `${name}: option '${a}' is not simulated on this host (simulated: ${known.length ? known.join(", ") : "no options"})\n`,
        );
        return 1;
      }
    }
    return run(argv, io);
  };
}
