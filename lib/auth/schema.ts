import { z } from "zod";
import { roles } from "./roles";

export const usernameSchema = z
  .string()
  .trim()
  .min(2, "A user name has 2 to 32 characters.")
  .max(32, "A user name has 2 to 32 characters.")
  .regex(
    /^[a-z][a-z0-9._-]*$/,
    "A user name uses lowercase letters, digits, '.', '_' and '-', and starts with a letter.",
  );

export const newPasswordSchema = z
  .string()
  .min(12, "A password has at least 12 characters.")
  .max(256, "A password has at most 256 characters.")
  // twelve spaces, or one key held down, is as good as none
  .refine(
    (p) => new Set(p.replace(/\s/g, "")).size >= 4,
    "A password has at least 4 different characters besides spaces.",
  );

export const roleSchema = z.enum(roles, { error: "The role is viewer, operator or admin." });

export const loginSchema = z.object({
  username: z.string().trim().min(1, "Enter your user name.").max(64, "Unknown user name or wrong password."),
  password: z.string().min(1, "Enter your password.").max(256, "Unknown user name or wrong password."),
});

export const createUserSchema = z.object({ username: usernameSchema, password: newPasswordSchema, role: roleSchema });
export const updateUserSchema = z.object({ role: roleSchema }).strict();
export const setupSchema = z.object({
  secret: z.string().trim().min(1, "Enter the one-time secret printed by the server."),
  username: usernameSchema,
  password: newPasswordSchema,
});

/** A user changing their own password: the current one proves it is them. */
export const changePasswordSchema = z
  .object({
    current: z.string().min(1, "Enter your current password.").max(256, "Your current password is not right."),
    next: newPasswordSchema,
  })
  .strict();
/** An admin setting another user's password (they choose their own afterwards). */
export const resetPasswordSchema = z.object({ password: newPasswordSchema }).strict();

export type CreateUserInput = z.infer<typeof createUserSchema>;

/** An API token to make (the Users page, POST /api/tokens). */
export const createTokenSchema = z
  .object({
    userId: z.string().min(1, "Choose the user the token acts for.").max(64),
    name: z
      .string()
      .trim()
      .min(1, "Name the token (what uses it, e.g. nightly-evacuation).")
      .max(64, "A token's name has at most 64 characters.")
      .regex(/^[\w .:-]+$/, "A token's name uses letters, digits, spaces and . _ : - only."),
    role: roleSchema,
  })
  .strict();
export type CreateTokenInput = z.infer<typeof createTokenSchema>;
