// `npm run user:add -- --admin NAME` (or --operator / --viewer): creates a user, or resets an existing
// one's password and role. The password comes from FERRY_PASSWORD, else a random one is printed once.
import { randomBytes } from "node:crypto";
import { openDatabase } from "../lib/db/client";
import { AuthService } from "../lib/auth/service";
import { usernameSchema, newPasswordSchema } from "../lib/auth/schema";
import { isRole } from "../lib/auth/roles";

const args = process.argv.slice(2);
const roleFlag = args.find((a) => /^--(admin|operator|viewer)$/.test(a))?.slice(2) ?? "viewer";
const name = args.find((a) => !a.startsWith("--"));
const parsedName = usernameSchema.safeParse(name ?? "");
if (!parsedName.success || !isRole(roleFlag)) {
  console.error(
    `usage: npm run user:add -- [--admin|--operator|--viewer] <name>\n${parsedName.success ? "" : parsedName.error.issues[0].message}`,
  );
  process.exit(2);
}
const given = process.env.FERRY_PASSWORD;
if (given !== undefined && !newPasswordSchema.safeParse(given).success) {
  console.error("FERRY_PASSWORD: a password has at least 12 characters.");
  process.exit(2);
}
const password = given ?? randomBytes(15).toString("base64url");
const { db } = await openDatabase();
const user = await new AuthService(db).upsertUser(parsedName.data, roleFlag, password);
await db.$disconnect();
console.log(`${user.username} (${user.role}) ready.${given === undefined ? ` Password: ${password}` : ""}`);
