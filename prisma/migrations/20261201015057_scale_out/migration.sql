ALTER TABLE "Evacuation" ADD COLUMN "ownerId" TEXT;

ALTER TABLE "Job" ADD COLUMN "ownerId" TEXT;

CREATE TABLE "DomainLock" (
    "domainName" TEXT NOT NULL PRIMARY KEY,
    "jobId" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "DomainLock_jobId_fkey" FOREIGN KEY ("jobId") REFERENCES "Job" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

CREATE TABLE "Instance" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "url" TEXT,
    "startedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "seenAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE UNIQUE INDEX "DomainLock_jobId_key" ON "DomainLock"("jobId");

CREATE INDEX "Instance_seenAt_idx" ON "Instance"("seenAt");
