import type { SimDomain } from "../world";

// A simulated domain's configuration as libxl writes it (`xl list -l`, and the JSON in a save image's header).

export function domainConfig(d: SimDomain) {
  const vcpus = Array.from({ length: d.vcpus }, (_, k) => k);
  const memkb = d.memoryMiB * 1024;
  return {
    c_info: { type: d.type, name: d.name, uuid: d.uuid, run_hotplug_scripts: "True" },
    b_info: {
      max_vcpus: d.vcpus,
      avail_vcpus: vcpus,
      max_memkb: memkb,
      target_memkb: memkb,
      ...(d.type === "pv"
        ? { kernel: d.kernel, "type.pv": {} }
        : d.type === "pvh"
          ? { kernel: d.kernel, "type.pvh": { pvshim: "False" } }
          : { "type.hvm": {} }),
    },
    ...(d.disks.length
      ? { disks: d.disks.map((k) => ({ pdev_path: k.target, vdev: k.vdev, format: "raw", readwrite: 1 })) }
      : {}),
    nics: [{ devid: 0, mac: d.mac, bridge: "xenbr0" }],
    on_reboot: "restart",
  };
}
