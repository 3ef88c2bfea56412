#!/bin/sh
# Runs once, when the primary's data directory is created: the user oschange works as, with the
# privileges the README lists, and the schema of its queue and history (oschange.migrations).
set -e
mysql -uroot -p"$MYSQL_ROOT_PASSWORD" <<SQL
CREATE USER IF NOT EXISTS 'oschange'@'%' IDENTIFIED BY '${OSCHANGE_PASSWORD}';
GRANT ALTER, CREATE, DELETE, DROP, INDEX, INSERT, LOCK TABLES, SELECT, TRIGGER, UPDATE ON app.* TO 'oschange'@'%';
GRANT CREATE, INSERT, UPDATE, SELECT ON oschange.* TO 'oschange'@'%';
GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO 'oschange'@'%';
SQL
