CREATE TABLE "Host" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "address" TEXT NOT NULL,
    "port" INTEGER NOT NULL DEFAULT 22,
    "user" TEXT NOT NULL DEFAULT 'root',
    "authMethod" TEXT NOT NULL DEFAULT 'key',
    "keyPath" TEXT,
    "fingerprint" TEXT NOT NULL,
    "toolstack" TEXT NOT NULL DEFAULT 'xl',
    "factsJson" TEXT,
    "lastSeenAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

CREATE UNIQUE INDEX "Host_name_key" ON "Host"("name");
