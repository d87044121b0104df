#!/bin/sh
# Registers the namespace Rapport runs in (NAMESPACE, Rapport's TEMPORAL_NAMESPACE) unless it exists.
# Runs in temporalio/admin-tools, whose `temporal` CLI reads TEMPORAL_ADDRESS. The server's port opens
# before its frontend serves, so this waits for the cluster to report healthy first.
set -eu
NAMESPACE=${NAMESPACE:-default}

tries=0
until temporal operator cluster health >/dev/null 2>&1; do
  tries=$((tries + 1))
  if [ "$tries" -ge 60 ]; then
    echo "Temporal at $TEMPORAL_ADDRESS is not healthy after 60 tries" >&2
    exit 1
  fi
  sleep 2
done

if temporal operator namespace describe --namespace "$NAMESPACE" >/dev/null 2>&1; then
  echo "namespace $NAMESPACE exists"
else
  # Closed workflows stay visible (and replayable for debugging) for a week.
  temporal operator namespace create --namespace "$NAMESPACE" --retention 7d
  echo "namespace $NAMESPACE created"
fi

# Rapport's search attributes (workflows/search-attributes.ts): operators filter alerts by them in the UI.
for name in RapportStatus RapportTopic RapportRequester; do
  if temporal operator search-attribute create --namespace "$NAMESPACE" --name "$name" --type Keyword >/dev/null 2>&1; then
    echo "search attribute $name created"
  else
    echo "search attribute $name exists (or could not be created; Rapport then runs without it)"
  fi
done
