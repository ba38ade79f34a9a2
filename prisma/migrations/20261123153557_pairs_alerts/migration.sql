-- CreateTable
CREATE TABLE "Pair" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "profile" TEXT NOT NULL,
    "failbackPolicy" TEXT NOT NULL,
    "commandTimeoutMs" INTEGER NOT NULL DEFAULT 30000,
    "state" TEXT NOT NULL,
    "epoch" INTEGER NOT NULL DEFAULT 0,
    "activeNodeId" TEXT,
    "autoFailover" BOOLEAN NOT NULL DEFAULT false,
    "maintenance" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "PairMember" (
    "pairId" TEXT NOT NULL,
    "nodeId" TEXT NOT NULL,
    "weight" INTEGER NOT NULL,
    "position" INTEGER NOT NULL,

    PRIMARY KEY ("pairId", "nodeId"),
    CONSTRAINT "PairMember_pairId_fkey" FOREIGN KEY ("pairId") REFERENCES "Pair" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "PairMember_nodeId_fkey" FOREIGN KEY ("nodeId") REFERENCES "Node" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Alert" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "key" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "severity" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "pairId" TEXT,
    "nodeId" TEXT,
    "message" TEXT NOT NULL,
    "ackOnly" BOOLEAN NOT NULL,
    "raisedAt" DATETIME NOT NULL,
    "lastRaisedAt" DATETIME NOT NULL,
    "count" INTEGER NOT NULL DEFAULT 1,
    "clearedAt" DATETIME,
    "ackBy" TEXT,
    "ackAt" DATETIME,
    "ackComment" TEXT
);

-- CreateIndex
CREATE UNIQUE INDEX "Pair_name_key" ON "Pair"("name");

-- CreateIndex
CREATE UNIQUE INDEX "PairMember_nodeId_key" ON "PairMember"("nodeId");

-- CreateIndex
CREATE INDEX "Alert_key_state_idx" ON "Alert"("key", "state");

-- CreateIndex
CREATE INDEX "Alert_state_raisedAt_idx" ON "Alert"("state", "raisedAt");
