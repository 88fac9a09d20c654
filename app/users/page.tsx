import { getServices } from "@/lib/runtime";
import { requirePage } from "@/lib/auth/page";
import { Forbidden } from "@/components/auth/forbidden";
import { UsersManager } from "@/components/users/users-manager";
import { TokensManager } from "@/components/users/tokens-manager";

export const dynamic = "force-dynamic";
export const metadata = { title: "Users" };

// GET /users – admins add users, change roles, remove users
export default async function UsersPage() {
  const { session, allowed } = await requirePage("/users");
  if (!allowed) return <Forbidden username={session.user.username} role={session.user.role} need="admins" />;
  const users = (await getServices().auth.listUsers()).map((u) => ({
    ...u,
    createdAt: u.createdAt.toISOString(),
    lastLoginAt: u.lastLoginAt?.toISOString() ?? null,
  }));
  const tokens = await getServices().tokens.list();
  return (
    <>
      <UsersManager initialUsers={users} me={session.user.id} />
      <TokensManager
        initialTokens={tokens}
        users={users.map((u) => ({ id: u.id, username: u.username, role: u.role }))}
      />
    </>
  );
}
