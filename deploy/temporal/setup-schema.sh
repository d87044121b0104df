#!/bin/sh
# Creates or upgrades Temporal's two PostgreSQL databases (persistence and visibility) to the schema of
# the temporal-sql-tool running it; safe to run on every `docker compose up`. Runs in
# temporalio/admin-tools (same version as temporalio/server), which ships the tool and the schemas.
# The tool reads SQL_PLUGIN, SQL_HOST, SQL_PORT, SQL_USER and SQL_PASSWORD from the environment.
set -eu
SCHEMA_DIR=${SCHEMA_DIR:-/etc/temporal/schema/postgresql/v12}

for pair in temporal:temporal temporal_visibility:visibility; do
  db=${pair%%:*}
  schema=${pair##*:}
  # create-database fails when the database exists (a restart): that is fine.
  temporal-sql-tool --database "$db" create-database 2>/dev/null || echo "database $db exists"
  # setup-schema -v 0.0 creates the version table on a fresh database and leaves an existing one alone;
  # update-schema then applies every versioned step the database is missing.
  temporal-sql-tool --database "$db" setup-schema -v 0.0
  temporal-sql-tool --database "$db" update-schema -d "$SCHEMA_DIR/$schema/versioned"
done
echo "Temporal schemas ready"
