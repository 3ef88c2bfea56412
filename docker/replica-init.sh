#!/bin/sh
# Points the replica at the primary (GET_SOURCE_PUBLIC_KEY: the primary's root uses caching_sha2).
set -e
mysql -uroot -poschange -e "
  CHANGE REPLICATION SOURCE TO SOURCE_HOST='primary', SOURCE_PORT=3306, SOURCE_USER='root',
    SOURCE_PASSWORD='oschange', SOURCE_AUTO_POSITION=0, GET_SOURCE_PUBLIC_KEY=1;
  START REPLICA;"
mysql -uroot -poschange -e "SHOW REPLICA STATUS\G" | grep -E 'Replica_(IO|SQL)_Running:'
