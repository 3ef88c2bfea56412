INSERT INTO t (id, email, name) VALUES ($RAND(0,99), CONCAT('new', $RAND(1,100000), '@example.com'), 'ins')
UPDATE t SET name = CONCAT('upd ', $RAND(1,1000)), id = $RAND(0,99) WHERE email = CONCAT('user', $RAND(0,999), '@example.com')
UPDATE t SET email = CONCAT('moved', $RAND(1,100000), '@example.com') WHERE email = CONCAT('user', $RAND(0,999), '@example.com')
DELETE FROM t WHERE email = CONCAT('user', $RAND(0,999), '@example.com')
