CREATE TABLE "RetentionRule" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "scope" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "keepLast" INTEGER,
    "olderThanDays" INTEGER,
    "createdBy" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE UNIQUE INDEX "RetentionRule_scope_value_key" ON "RetentionRule"("scope", "value");
