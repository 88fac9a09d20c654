-- AlterTable
ALTER TABLE "Evacuation" ADD COLUMN     "ownerId" TEXT;

-- AlterTable
ALTER TABLE "Job" ADD COLUMN     "ownerId" TEXT;

-- CreateTable
CREATE TABLE "DomainLock" (
    "domainName" TEXT NOT NULL,
    "jobId" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "DomainLock_pkey" PRIMARY KEY ("domainName")
);

-- CreateTable
CREATE TABLE "Instance" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "url" TEXT,
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "seenAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Instance_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "DomainLock_jobId_key" ON "DomainLock"("jobId");

-- CreateIndex
CREATE INDEX "Instance_seenAt_idx" ON "Instance"("seenAt");

-- AddForeignKey
ALTER TABLE "DomainLock" ADD CONSTRAINT "DomainLock_jobId_fkey" FOREIGN KEY ("jobId") REFERENCES "Job"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Tables the schema does not model, used only when several instances share this database (lib/cluster):
-- the login limits (rate-limiter-flexible's RateLimiterPostgres layout), the per-account delays, and the
-- socket.io adapter's attachments (payloads over NOTIFY's 8000 bytes, @socket.io/postgres-adapter's layout).
CREATE TABLE "ferry_login_limits" (
    "key" VARCHAR(255) PRIMARY KEY,
    "points" INTEGER NOT NULL DEFAULT 0,
    "expire" BIGINT
);

CREATE TABLE "ferry_login_delays" (
    "account" TEXT PRIMARY KEY,
    "failures" INTEGER NOT NULL,
    "next_at" TIMESTAMPTZ NOT NULL,
    "last_at" TIMESTAMPTZ NOT NULL
);

CREATE TABLE "socket_io_attachments" (
    "id" BIGSERIAL UNIQUE,
    "created_at" TIMESTAMPTZ DEFAULT NOW(),
    "payload" BYTEA
);
