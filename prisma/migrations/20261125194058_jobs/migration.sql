CREATE TABLE "Job" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "kind" TEXT NOT NULL,
    "domainName" TEXT NOT NULL,
    "domainUuid" TEXT,
    "memoryMiB" INTEGER NOT NULL,
    "sourceHostId" TEXT NOT NULL,
    "targetHostId" TEXT,
    "sourceName" TEXT NOT NULL,
    "targetName" TEXT,
    "status" TEXT NOT NULL DEFAULT 'queued',
    "phase" TEXT NOT NULL DEFAULT 'pre-migration',
    "createdBy" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" DATETIME,
    "finishedAt" DATETIME,
    "bytesSent" BIGINT NOT NULL DEFAULT 0,
    "rounds" INTEGER,
    "downtimeMs" INTEGER,
    "downtimeBound" BOOLEAN NOT NULL DEFAULT false,
    "errorCode" TEXT,
    "errorMessage" TEXT,
    "locationHost" TEXT,
    "locationNote" TEXT,
    "optionsJson" TEXT,
    "forecastJson" TEXT
);

CREATE TABLE "JobEvent" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "jobId" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,
    "at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "phase" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "payloadJson" TEXT NOT NULL,
    CONSTRAINT "JobEvent_jobId_fkey" FOREIGN KEY ("jobId") REFERENCES "Job" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

CREATE INDEX "Job_status_idx" ON "Job"("status");

CREATE INDEX "Job_domainName_idx" ON "Job"("domainName");

CREATE INDEX "Job_createdAt_idx" ON "Job"("createdAt");

CREATE UNIQUE INDEX "JobEvent_jobId_seq_key" ON "JobEvent"("jobId", "seq");
