-- CreateTable
CREATE TABLE "BalanceSetting" (
    "id" TEXT NOT NULL DEFAULT 'cluster',
    "mode" TEXT NOT NULL DEFAULT 'spread',
    "headroomPct" INTEGER NOT NULL DEFAULT 10,
    "thresholdPts" DOUBLE PRECISION NOT NULL DEFAULT 2,
    "guardMinutes" INTEGER NOT NULL DEFAULT 60,
    "auto" BOOLEAN NOT NULL DEFAULT false,
    "everyMinutes" INTEGER NOT NULL DEFAULT 15,
    "updatedBy" TEXT,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "BalanceSetting_pkey" PRIMARY KEY ("id")
);
