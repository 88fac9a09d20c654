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
  // Security headers on every page and API answer. The policy here forbids framing (clickjacking), plugins and
  // foreign form targets; pages get proxy.ts's stricter one on top (scripts only with the request's nonce).
  async headers() {
    const common = [
      {
        key: "Content-Security-Policy",
        value: "frame-ancestors 'none'; object-src 'none'; base-uri 'self'; form-action 'self'",
      },
      { key: "X-Frame-Options", value: "DENY" },
      { key: "X-Content-Type-Options", value: "nosniff" },
      { key: "Referrer-Policy", value: "same-origin" },
    ];
    return [
      { source: "/:path*", headers: common },
      { source: "/api/:path*", headers: [{ key: "Cache-Control", value: "no-store" }] },
    ];
  },
};
export default nextConfig;
