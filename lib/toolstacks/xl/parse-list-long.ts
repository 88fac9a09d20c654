import { z } from "zod";
import { AppError } from "../../errors";

// `xl list -l`: a JSON array of {domid, config}; fields at their default are omitted, so almost
// everything is optional. Parsed with JSON.parse, never by layout (yajl and json-c indent differently).

const entrySchema = z.object({
  domid: z.number().int().nullable(),
  config: z
    .object({
      c_info: z.object({ name: z.string(), uuid: z.string().optional(), type: z.string().optional() }).loose(),
      b_info: z
        .object({
          max_vcpus: z.number().optional(),
          max_memkb: z.number().optional(),
          target_memkb: z.number().optional(),
        })
        .loose()
        .optional(),
      disks: z.array(z.object({ pdev_path: z.string().optional(), vdev: z.string().optional() }).loose()).optional(),
      nics: z.array(z.object({ bridge: z.string().optional() }).loose()).optional(),
    })
    .loose(),
});

export interface XlLongEntry {
  domid: number | null;
  name: string;
  uuid: string | null;
  type: string | null;
  disks: { path: string; vdev: string }[];
  /** its interfaces' bridges (xl's default is xenbr0 when a nic names none) */
  bridges: string[];
}

export function parseXlListLong(text: string): XlLongEntry[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new AppError(
      "toolstack_parse_error",
      '`xl list -l` did not print JSON (is output_format="sxp" set in /etc/xen/xl.conf?).',
      { text: text.slice(0, 300) },
    );
  }
  const parsed = z.array(entrySchema).safeParse(Array.isArray(json) ? json : [json]);
  if (!parsed.success)
    throw new AppError("toolstack_parse_error", "`xl list -l` printed JSON of an unexpected shape.", {
      issues: parsed.error.issues.slice(0, 3),
    });
  return parsed.data.map((e) => ({
    domid: e.domid,
    name: e.config.c_info.name,
    uuid: e.config.c_info.uuid ?? null,
    type: e.config.c_info.type ?? null,
    disks: (e.config.disks ?? []).map((d) => ({ path: d.pdev_path ?? "", vdev: d.vdev ?? "" })),
    bridges: (e.config.nics ?? []).map((n) => n.bridge ?? "xenbr0"),
  }));
}
