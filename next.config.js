/** @type {import('next').NextConfig} */
const nextConfig = {
  // Native and SSH modules stay outside the bundle; server.ts owns them (lib/runtime.ts).
  serverExternalPackages: [
    "ssh2",
    "better-sqlite3",
    "@prisma/client",
    "@prisma/adapter-better-sqlite3",
    "pino",
    "argon2",
    "rate-limiter-flexible",
  ],
  poweredByHeader: false,
};
export default nextConfig;
