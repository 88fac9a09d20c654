CREATE TABLE "BalanceSetting" (
    "id" TEXT NOT NULL PRIMARY KEY DEFAULT 'cluster',
    "mode" TEXT NOT NULL DEFAULT 'spread',
    "headroomPct" INTEGER NOT NULL DEFAULT 10,
    "thresholdPts" REAL NOT NULL DEFAULT 2,
    "guardMinutes" INTEGER NOT NULL DEFAULT 60,
    "auto" BOOLEAN NOT NULL DEFAULT false,
    "everyMinutes" INTEGER NOT NULL DEFAULT 15,
    "updatedBy" TEXT,
    "updatedAt" DATETIME NOT NULL
);
