#!/bin/sh
# One heartbeat over plain HTTP, for a node without Node.js. Run it every interval (a systemd timer, or a loop).
# Needs: SERVER, NODE_ID, a header file holding "Authorization: Bearer <token>" (mode 0600: no token in `ps`).
: "${SERVER:?}" "${NODE_ID:?}" "${AUTH_HEADER_FILE:=/etc/switchyard/auth-header}" "${STATE_DIR:=/var/lib/switchyard-beat}" "${PROCESS:=postgres}"
mkdir -p "$STATE_DIR"; SEQ=$(( $(cat "$STATE_DIR/seq" 2>/dev/null || echo 0) + 1 )); echo "$SEQ" > "$STATE_DIR/seq"
if pgrep -x "$PROCESS" >/dev/null; then OK=true; else OK=false; fi
curl -fsS -m 5 -X POST "$SERVER/api/v1/nodes/$NODE_ID/heartbeat" -H "@$AUTH_HEADER_FILE" -H 'Content-Type: application/json' \
  -d "{\"seq\":$SEQ,\"sentAt\":$(date +%s)000,\"healthy\":$OK,\"role\":\"unknown\",\"epoch\":0,
       \"components\":[{\"name\":\"$PROCESS\",\"kind\":\"process\",\"healthy\":$OK}]}"
