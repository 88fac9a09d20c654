import { describe, expect, it } from "vitest";
import { sameNetwork } from "./rules";
import { parseBridges, parseSubnets } from "../toolstacks/linux/host-commands";
import { parseDomiflist } from "../toolstacks/virsh/driver";

const src = { name: "hostB", facts: { subnets: ["192.168.1.0/24"], bridges: ["xenbr0"] } };
const dst = (facts: { subnets?: string[]; bridges?: string[] }) => ({ name: "hostC", facts });

describe("the guide's network precondition", () => {
  it("passes when the target has the domain's bridge and shares the source's subnet, naming the firewall port", () => {
    const v = sameNetwork(
      { name: "vm", bridges: ["xenbr0"] },
      src,
      dst({ subnets: ["192.168.1.0/24"], bridges: ["xenbr0"] }),
      "SSH (TCP 22)",
    );
    expect(v.status).toBe("ok");
    expect(v.reason).toContain("192.168.1.0/24");
    expect(v.reason).toContain("let SSH (TCP 22) through from hostB to hostC");
  });
  it("fails when the target lacks the bridge, saying which it has", () => {
    const v = sameNetwork(
      { name: "vm", bridges: ["xenbr1"] },
      src,
      dst({ subnets: ["192.168.1.0/24"], bridges: ["xenbr0"] }),
      "x",
    );
    expect(v).toMatchObject({ status: "fail" });
    expect(v.reason).toContain("no bridge xenbr1 (it has xenbr0)");
  });
  it("warns when the hosts share no subnet, or where it cannot tell", () => {
    expect(
      sameNetwork({ name: "vm", bridges: ["xenbr0"] }, src, dst({ subnets: ["10.0.0.0/8"], bridges: ["xenbr0"] }), "x"),
    ).toMatchObject({
      status: "warn",
      reason: expect.stringContaining("share no subnet"),
    });
    expect(sameNetwork({ name: "vm" }, src, dst({ subnets: ["192.168.1.0/24"] }), "x")).toMatchObject({
      status: "warn",
      reason: expect.stringContaining("cannot tell which bridge vm's interfaces use"),
    });
    expect(
      sameNetwork(
        { name: "vm", bridges: ["network:default"] },
        src,
        dst({ subnets: ["192.168.1.0/24"], bridges: [] }),
        "x",
      ),
    ).toMatchObject({ status: "warn", reason: expect.stringContaining("whether hostC has network:default") });
  });
});

describe("what the hosts say about their networks", () => {
  it("ip -o addr → subnets (global IPv4 only); ip -o link show type bridge → names; virsh domiflist → sources", () => {
    expect(
      parseSubnets(
        "1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever\n3: xenbr0    inet 192.168.1.68/24 brd 192.168.1.255 scope global xenbr0\\       valid_lft forever\n3: xenbr0    inet 10.1.2.3/16 scope global xenbr0\n",
      ),
    ).toEqual(["192.168.1.0/24", "10.1.0.0/16"]);
    expect(
      parseBridges(
        "4: xenbr0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT group default qlen 1000\\    link/ether 00:16:3e:00:00:01 brd ff:ff:ff:ff:ff:ff\n7: virbr0: <NO-CARRIER,BROADCAST,MULTICAST,UP> mtu 1500 qdisc noqueue state DOWN mode DEFAULT group default qlen 1000\\    link/ether 52:54:00:aa:bb:cc brd ff:ff:ff:ff:ff:ff\n",
      ),
    ).toEqual(["xenbr0", "virbr0"]);
    // libvirt 9.0's layout (captured in the lab)
    expect(
      parseDomiflist(
        " Interface   Type      Source    Model    MAC\n-------------------------------------------------------------\n vnet0       bridge    br0       virtio   52:54:00:6b:3c:58\n vnet1       network   default   virtio   52:54:00:11:22:33\n\n",
      ),
    ).toEqual(["br0", "network:default"]);
  });
});
