-- CreateTable
CREATE TABLE "Node" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "address" TEXT NOT NULL,
    "labels" TEXT NOT NULL DEFAULT '{}',
    "tokenHash" TEXT,
    "tokenCreatedAt" DATETIME,
    "tokenRevokedAt" DATETIME,
    "agentVersion" TEXT,
    "lastSeenAt" DATETIME,
    "lastVia" TEXT,
    "lastSeq" INTEGER,
    "lastHealthy" BOOLEAN,
    "lastRole" TEXT,
    "lastEpoch" INTEGER,
    "lastComponents" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateIndex
CREATE UNIQUE INDEX "Node_name_key" ON "Node"("name");

-- CreateIndex
CREATE UNIQUE INDEX "Node_tokenHash_key" ON "Node"("tokenHash");
