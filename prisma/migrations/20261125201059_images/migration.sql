ALTER TABLE "Job" ADD COLUMN "imageId" TEXT;

ALTER TABLE "Job" ADD COLUMN "imagePath" TEXT;

CREATE TABLE "Image" (
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
    "mode" TEXT
);

CREATE UNIQUE INDEX "Image_hostId_path_key" ON "Image"("hostId", "path");
