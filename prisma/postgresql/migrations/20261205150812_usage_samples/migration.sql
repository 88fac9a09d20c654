-- AlterTable
ALTER TABLE "MemorySample" ADD COLUMN     "cpuSeconds" DOUBLE PRECISION,
ADD COLUMN     "nic" TEXT,
ADD COLUMN     "nrCpus" INTEGER,
ADD COLUMN     "rxBytes" BIGINT,
ADD COLUMN     "txBytes" BIGINT;
