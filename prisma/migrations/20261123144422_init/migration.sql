-- CreateTable
CREATE TABLE "Event" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "at" DATETIME NOT NULL,
    "kind" TEXT NOT NULL,
    "pairId" TEXT,
    "nodeId" TEXT,
    "actor" TEXT NOT NULL DEFAULT 'system',
    "message" TEXT NOT NULL,
    "details" TEXT NOT NULL DEFAULT '{}'
);

-- CreateIndex
CREATE INDEX "Event_pairId_at_idx" ON "Event"("pairId", "at");

-- CreateIndex
CREATE INDEX "Event_kind_at_idx" ON "Event"("kind", "at");
