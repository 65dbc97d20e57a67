#!/bin/sh
# Run once by the postgres image when its volume is empty (mounted into
# /docker-entrypoint-initdb.d by compose.yaml): the two roles of
# docs/deploy.md.  linkdesk_owner owns the database and the schema and runs
# `linkdesk migrate`; linkdesk, the server's role, gets only what migrate
# grants it.  The owner is a member of linkdesk so that migrate can hand it
# the evidence files (large objects) of a restored dump.
set -eu
psql -X -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
	-v owner_password="$LINKDESK_OWNER_DB_PASSWORD" \
	-v app_password="$LINKDESK_DB_PASSWORD" <<'SQL'
CREATE ROLE linkdesk_owner LOGIN PASSWORD :'owner_password';
CREATE ROLE linkdesk LOGIN PASSWORD :'app_password';
GRANT linkdesk TO linkdesk_owner;
CREATE DATABASE linkdesk OWNER linkdesk_owner;
SQL
