INSERT INTO t (name, city, qty) VALUES (CONCAT('crème-', $RAND(1000,100000)), 'Orléans', $RAND(1,100))
UPDATE t SET city = 'Düsseldorf', qty = $RAND(1,1000) WHERE qty = $RAND(0,999)
UPDATE t SET name = CONCAT('señor-', $RAND(1000,100000)) WHERE qty = $RAND(0,999)
DELETE FROM t WHERE qty = $RAND(0,999)
