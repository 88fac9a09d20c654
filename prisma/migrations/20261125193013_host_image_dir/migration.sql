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
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

INSERT INTO "new_Host" ("address", "authMethod", "createdAt", "factsJson", "fingerprint", "id", "keyPath", "lastSeenAt", "name", "port", "toolstack", "updatedAt", "user") SELECT "address", "authMethod", "createdAt", "factsJson", "fingerprint", "id", "keyPath", "lastSeenAt", "name", "port", "toolstack", "updatedAt", "user" FROM "Host";

DROP TABLE "Host";

ALTER TABLE "new_Host" RENAME TO "Host";

CREATE UNIQUE INDEX "Host_name_key" ON "Host"("name");

PRAGMA foreign_keys=ON;

PRAGMA defer_foreign_keys=OFF;
