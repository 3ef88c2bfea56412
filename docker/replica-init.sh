#!/bin/sh
# Points the replica at the primary (GET_SOURCE_PUBLIC_KEY: the primary's root uses caching_sha2).
# Run inside the replica container, or from another one with MYSQL_HOST=replica (compose.yml does).
set -e
HOST_ARG=""
if [ -n "${MYSQL_HOST:-}" ]; then HOST_ARG="-h${MYSQL_HOST}"; fi
mysql $HOST_ARG -uroot -poschange -e "
  CHANGE REPLICATION SOURCE TO SOURCE_HOST='primary', SOURCE_PORT=3306, SOURCE_USER='root',
    SOURCE_PASSWORD='oschange', SOURCE_AUTO_POSITION=0, GET_SOURCE_PUBLIC_KEY=1;
  START REPLICA;"
mysql $HOST_ARG -uroot -poschange -e "SHOW REPLICA STATUS\G" | grep -E 'Replica_(IO|SQL)_Running:'
