import type { SimHost, World } from "../world";

// iproute2's `ip` on a simulated host, in the forms Ferry runs: `ip -o addr`, `ip -o link show type bridge`,
// `ip route get ADDRESS` (one-line output as iproute2 prints it).

export function ipCommand(
  _world: World,
  h: SimHost,
  args: string[],
  out: (t: string) => void,
  err: (t: string) => void,
): number {
  const oneLine = args[0] === "-o";
  const rest = oneLine ? args.slice(1) : args;
  if (["addr", "address", "a"].includes(rest[0] ?? "")) {
    const broadcast = h.ip.replace(/\.\d+$/, ".255");
    const sep = oneLine ? "\\" : "\n";
    out(
      `1: lo    inet 127.0.0.1/8 scope host lo${sep}       valid_lft forever preferred_lft forever\n` +
        `3: ${h.nic}    inet ${h.ip}/${h.prefix} brd ${broadcast} scope global ${h.nic}${sep}       valid_lft forever preferred_lft forever\n`,
    );
    return 0;
  }
  // ip -o link show type bridge: the host's bridges (iproute2's one-line form)
  if (rest[0] === "link" && rest[1] === "show" && rest[2] === "type" && rest[3] === "bridge") {
    (h.bridges ?? [h.bridge ?? h.nic]).forEach((b, k) => {
      const mac = `00:16:3e:${h.ip
        .split(".")
        .slice(1)
        .map((o) => Number(o).toString(16).padStart(2, "0"))
        .join(":")}`;
      out(
        `${4 + k}: ${b}: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT group default qlen 1000${oneLine ? "\\" : "\n"}    link/ether ${mac} brd ff:ff:ff:ff:ff:ff\n`,
      );
    });
    return 0;
  }
  if (rest[0] === "route" && rest[1] === "get" && rest[2]) {
    const dst = rest[2];
    if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(dst) || dst.split(".").some((o) => Number(o) > 255)) {
      err(`Error: any valid prefix is expected rather than "${dst}".\n`);
      return 1;
    }
    if (dst === h.ip || dst.startsWith("127.")) {
      out(`local ${dst} dev lo src ${dst === h.ip ? h.ip : "127.0.0.1"} uid 0 \n    cache <local> \n`);
      return 0;
    }
    const sameNet = dst.split(".").slice(0, 3).join(".") === h.ip.split(".").slice(0, 3).join(".");
    out(
      sameNet
        ? `${dst} dev ${h.nic} src ${h.ip} uid 0 \n    cache \n`
        : `${dst} via ${h.ip.replace(/\.\d+$/, ".1")} dev ${h.nic} src ${h.ip} uid 0 \n    cache \n`,
    );
    return 0;
  }
  err(`Object "${rest[0] ?? ""}" is unknown, try "ip help".\n`);
  return 255;
}
