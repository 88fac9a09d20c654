import { z } from "zod";
import { toolstackNames } from "../toolstacks/types";
import { imagePathSchema } from "../toolstacks/names";

// Host input, shared by the Hosts form (client) and the route handlers (server).

export const hostNameSchema = z
  .string()
  .trim()
  .min(1, "Give the host a name.")
  .max(63, "A host name has at most 63 characters.")
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]*$/,
    "A host name uses letters, digits, '.', '_' and '-', and starts with a letter or digit.",
  );

const HOSTNAME =
  /^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
export const addressSchema = z
  .string()
  .trim()
  .min(1, "Enter the host's address.")
  .refine(
    (v) => z.ipv4().safeParse(v).success || z.ipv6().safeParse(v).success || (HOSTNAME.test(v) && !/^[0-9.]+$/.test(v)),
    "Enter an IPv4 or IPv6 address or a DNS name (letters, digits, '-' and '.').",
  );

export const portSchema = z.coerce
  .number({ error: "The port is a number from 1 to 65535." })
  .int("The port is a whole number.")
  .min(1, "The port is a number from 1 to 65535.")
  .max(65535, "The port is a number from 1 to 65535.");

export const sshUserSchema = z
  .string()
  .trim()
  .min(1, "Enter the SSH user.")
  .regex(
    /^[a-z_][a-z0-9_.-]{0,31}$/i,
    "An SSH user name uses letters, digits, '_', '.' and '-' (at most 32), and starts with a letter or '_'.",
  );

export const keyPathSchema = z
  .string()
  .trim()
  .min(1, "Enter the path of the private key file on the Ferry server.")
  .regex(/^\//, "The key path must be absolute (start with /).")
  .refine((v) => !v.includes("\0") && !v.includes("\n"), "The key path contains a control character.");

export const fingerprintSchema = z
  .string()
  .regex(/^SHA256:[A-Za-z0-9+/]{43}$/, "A fingerprint looks like SHA256: followed by 43 base64 characters.");

/** First contact: the address to fetch a key from, and (optionally) the name it will be added under, checked then. */
export const scanHostSchema = z.object({
  address: addressSchema,
  port: portSchema.default(22),
  name: hostNameSchema.optional(),
});

export const addHostSchema = z
  .discriminatedUnion("authMethod", [
    z.object({ authMethod: z.literal("key"), keyPath: keyPathSchema }),
    z.object({ authMethod: z.literal("agent") }),
  ])
  .and(
    z.object({
      name: hostNameSchema,
      address: addressSchema,
      port: portSchema.default(22),
      user: sshUserSchema.default("root"),
      fingerprint: fingerprintSchema,
      imageDir: imagePathSchema.default("/xen-saved-images"),
      toolstack: z
        .enum(["auto", ...toolstackNames], {
          error: `The toolstack is auto, ${toolstackNames.slice(0, -1).join(", ")} or ${toolstackNames.at(-1)}.`,
        })
        .default("auto"),
    }),
  );

export type ScanHostInput = z.infer<typeof scanHostSchema>;
export type AddHostInput = z.infer<typeof addHostSchema>;

/** One readable sentence from a zod error: the first problem of each field. */
/** Each field's first problem, by the field's name (top-level key): for messages beside the fields. */
export function fieldIssues(error: z.ZodError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of error.issues) {
    const field = String(issue.path[0] ?? "input");
    out[field] ??= humanIssue(issue);
  }
  return out;
}

/**
 * A sentence for zod's own messages (a schema's messages are already sentences): "Invalid input: expected string,
 * received undefined" becomes "targetId is missing.", an unknown key "Ferry does not take hostId here."
 */
export function humanIssue(issue: z.core.$ZodIssue): string {
  const field = issue.path.join(".") || "the request";
  if (issue.code === "unrecognized_keys")
    return `Ferry does not take ${issue.keys.join(", ")} here${issue.path.length ? ` (in ${field})` : ""}.`;
  const typed = /^Invalid input: expected (\w+), received (\w+)$/.exec(issue.message);
  if (typed)
    return typed[2] === "undefined"
      ? `${field} is missing.`
      : `${field} should be ${article(typed[1])}, not ${article(typed[2])}.`;
  if (issue.message === "Invalid input") return `${field} is not valid here.`;
  return issue.message;
}
const article = (t: string) => (t === "undefined" || t === "null" ? t : /^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`);

export function describeIssues(error: z.ZodError): string {
  const seen = new Set<string>();
  const parts: string[] = [];
  for (const issue of error.issues) {
    const field = issue.path.join(".") || "input";
    if (seen.has(field)) continue;
    seen.add(field);
    parts.push(humanIssue(issue));
  }
  return parts.join(" ");
}
