PRAGMA defer_foreign_keys=ON;

PRAGMA foreign_keys=OFF;

CREATE TABLE "new_Image" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "hostId" TEXT NOT NULL,
    "hostName" TEXT NOT NULL,
    "path" TEXT NOT NULL,
    "domainName" TEXT NOT NULL,
    "domainUuid" TEXT,
    "memoryMiB" INTEGER NOT NULL,
    "sizeBytes" BIGINT NOT NULL,
    "sha256" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "jobId" TEXT,
    "state" TEXT NOT NULL DEFAULT 'present',
    "integrity" TEXT NOT NULL DEFAULT 'unverified',
    "verifiedAt" DATETIME,
    "mode" TEXT,
    "format" TEXT,
    "arch" TEXT,
    "shared" BOOLEAN NOT NULL DEFAULT false
);

INSERT INTO "new_Image" ("createdAt", "domainName", "domainUuid", "hostId", "hostName", "id", "integrity", "jobId", "memoryMiB", "mode", "path", "sha256", "sizeBytes", "state", "verifiedAt") SELECT "createdAt", "domainName", "domainUuid", "hostId", "hostName", "id", "integrity", "jobId", "memoryMiB", "mode", "path", "sha256", "sizeBytes", "state", "verifiedAt" FROM "Image";

DROP TABLE "Image";

ALTER TABLE "new_Image" RENAME TO "Image";

CREATE UNIQUE INDEX "Image_hostId_path_key" ON "Image"("hostId", "path");

PRAGMA foreign_keys=ON;

PRAGMA defer_foreign_keys=OFF;
