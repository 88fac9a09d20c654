-- AlterTable
ALTER TABLE "ApiToken" ADD COLUMN     "hint" TEXT NOT NULL DEFAULT '';
