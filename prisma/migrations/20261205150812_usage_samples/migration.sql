ALTER TABLE "MemorySample" ADD COLUMN "cpuSeconds" REAL;

ALTER TABLE "MemorySample" ADD COLUMN "nic" TEXT;

ALTER TABLE "MemorySample" ADD COLUMN "nrCpus" INTEGER;

ALTER TABLE "MemorySample" ADD COLUMN "rxBytes" BIGINT;

ALTER TABLE "MemorySample" ADD COLUMN "txBytes" BIGINT;
