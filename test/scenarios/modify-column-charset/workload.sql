INSERT INTO t (name, other) VALUES (CONCAT('crème ', $RAND(1,100000)), 'Ø')
UPDATE t SET name = CONCAT('größe ', $RAND(1,1000)), other = 'fiancé' WHERE id = $RAND(1,1100)
UPDATE t SET id = id + 100000 WHERE id = $RAND(1,1000)
DELETE FROM t WHERE id = $RAND(1,1100)
