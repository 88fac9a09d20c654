CREATE TABLE "MemorySample" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "hostId" TEXT NOT NULL,
    "at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "freeMiB" INTEGER NOT NULL,
    "totalMiB" INTEGER NOT NULL,
    "domainsJson" TEXT NOT NULL
);

CREATE INDEX "MemorySample_hostId_at_idx" ON "MemorySample"("hostId", "at");

CREATE INDEX "MemorySample_at_idx" ON "MemorySample"("at");
