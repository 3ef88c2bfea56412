CREATE TABLE t (
  id INT NOT NULL AUTO_INCREMENT,
  c CHAR(20) NOT NULL,
  v VARCHAR(100) NOT NULL,
  tt TINYTEXT NULL,
  tx TEXT NULL,
  PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=latin1;
INSERT INTO t (c, v, tt, tx) VALUES
  ('café', 'naïve façade', 'Ærøskøbing', 'Straße über Ñandú, ¿Qué? ¡Olé!'),
  ('£5 ± 1 °C', '½ ¼ ¾ × ÷', 'µ § ¶ ©', 'trailing spaces   '),
  ('ÿ', 'ÀÁÂÃÄÅ àáâãäå', NULL, ''),
  ('', '', '', NULL);
INSERT INTO t (c, v, tt, tx)
SELECT ELT(1 + n % 6, 'café', 'naïve', 'Ærø', 'Straße', 'crème', 'plain'),
       CONCAT(ELT(1 + n % 5, 'Zürich ', 'São Paulo ', 'Montréal ', 'Göteborg ', 'Málaga '), n),
       IF(n % 4 = 0, NULL, CONCAT('ñ', REPEAT('é', n % 50))),
       IF(n % 7 = 0, NULL, CONCAT('Le garçon a mangé ', n, ' crêpes à la française. ', REPEAT('ü', n % 300)))
FROM (SELECT h.d * 100 + te.d * 10 + u.d AS n
  FROM (SELECT 0 AS d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4
        UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9) AS u
  CROSS JOIN (SELECT 0 AS d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4
        UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9) AS te
  CROSS JOIN (SELECT 0 AS d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4
        UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9) AS h) AS s;
