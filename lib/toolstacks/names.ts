import { z } from "zod";

// What Ferry lets reach a toolstack's command line. Xen and libvirt accept more, but no operator
// needs shell metacharacters, whitespace or a leading '-' in a domain name or image path, and
// refusing them at the door means they can never become a second command or an option.

export const DOMAIN_NAME_RULE =
  "A domain name uses letters, digits, '_', '.' and '-' (at most 64), and starts with a letter or digit.";
export const domainNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, DOMAIN_NAME_RULE)
  .refine(
    (v) => !/--(incoming|migratedaway)$/.test(v),
    "Names ending in --incoming or --migratedaway are xl's own, used during a migration.",
  );

export const IMAGE_PATH_RULE =
  "An image path is absolute, and each part uses letters, digits, '_', '.' and '-' and does not start with '-' or '.'.";
export const imagePathSchema = z
  .string()
  .max(1024, "An image path has at most 1024 characters.")
  .regex(/^(\/[A-Za-z0-9_][A-Za-z0-9_.-]*)+$/, IMAGE_PATH_RULE);

/** True when `path` lies inside `dir` (both validated, absolute, no '.' or '..' parts). */
export function isInside(dir: string, path: string): boolean {
  const d = dir.endsWith("/") ? dir : `${dir}/`;
  return path.startsWith(d) && path.length > d.length;
}
