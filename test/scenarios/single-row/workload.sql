UPDATE t SET val = CONCAT('upd ', $RAND(1,100000)) WHERE id = $RAND(1,3)
INSERT INTO t (id, val) VALUES ($RAND(1,3), 'neighbour')
UPDATE t SET id = $RAND(1,3) WHERE id = $RAND(1,3)
DELETE FROM t WHERE id = $RAND(1,3)
