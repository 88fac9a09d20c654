ALTER TABLE "Job" ADD COLUMN "evacuationId" TEXT;

CREATE TABLE "DomainSetting" (
    "domainName" TEXT NOT NULL PRIMARY KEY,
    "priority" INTEGER NOT NULL DEFAULT 50,
    "maxDowntimeMs" INTEGER,
    "updatedAt" DATETIME NOT NULL
);

CREATE TABLE "PlacementRule" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "domainsJson" TEXT NOT NULL,
    "createdBy" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE "Evacuation" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "kind" TEXT NOT NULL DEFAULT 'evacuate',
    "hostId" TEXT NOT NULL,
    "hostName" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'running',
    "planJson" TEXT NOT NULL,
    "movesJson" TEXT NOT NULL,
    "createdBy" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" DATETIME
);

PRAGMA defer_foreign_keys=ON;

PRAGMA foreign_keys=OFF;

CREATE TABLE "new_Host" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "address" TEXT NOT NULL,
    "port" INTEGER NOT NULL DEFAULT 22,
    "user" TEXT NOT NULL DEFAULT 'root',
    "authMethod" TEXT NOT NULL DEFAULT 'key',
    "keyPath" TEXT,
    "fingerprint" TEXT NOT NULL,
    "toolstack" TEXT NOT NULL DEFAULT 'xl',
    "imageDir" TEXT NOT NULL DEFAULT '/xen-saved-images',
    "factsJson" TEXT,
    "lastSeenAt" DATETIME,
    "maintenance" BOOLEAN NOT NULL DEFAULT false,
    "maintenanceSince" DATETIME,
    "maintenanceBy" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

INSERT INTO "new_Host" ("address", "authMethod", "createdAt", "factsJson", "fingerprint", "id", "imageDir", "keyPath", "lastSeenAt", "name", "port", "toolstack", "updatedAt", "user") SELECT "address", "authMethod", "createdAt", "factsJson", "fingerprint", "id", "imageDir", "keyPath", "lastSeenAt", "name", "port", "toolstack", "updatedAt", "user" FROM "Host";

DROP TABLE "Host";

ALTER TABLE "new_Host" RENAME TO "Host";

CREATE UNIQUE INDEX "Host_name_key" ON "Host"("name");

PRAGMA foreign_keys=ON;

PRAGMA defer_foreign_keys=OFF;

CREATE UNIQUE INDEX "PlacementRule_name_key" ON "PlacementRule"("name");

CREATE INDEX "Evacuation_hostId_idx" ON "Evacuation"("hostId");

CREATE INDEX "Evacuation_status_idx" ON "Evacuation"("status");
