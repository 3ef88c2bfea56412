CREATE TABLE t (
  id INT NOT NULL AUTO_INCREMENT,
  size ENUM('small','medium','large','x-large') NOT NULL,
  grade ENUM('','a','b','ç') NULL,
  colors SET('red','green','blue','émeraude') NOT NULL DEFAULT '',
  PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
INSERT INTO t (size, grade, colors) VALUES
  ('small', '', ''),
  ('x-large', 'ç', 'red,green,blue,émeraude'),
  ('medium', NULL, 'émeraude'),
  ('large', 'a', 'blue,red');
INSERT INTO t (size, grade, colors)
SELECT ELT(1 + n % 4, 'small', 'medium', 'large', 'x-large'),
       IF(n % 5 = 0, NULL, ELT(1 + n % 4, '', 'a', 'b', 'ç')),
       MAKE_SET(n % 16, 'red', 'green', 'blue', 'émeraude')
FROM (SELECT h.d * 100 + te.d * 10 + u.d AS n
  FROM (SELECT 0 AS d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4
        UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9) AS u
  CROSS JOIN (SELECT 0 AS d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4
        UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9) AS te
  CROSS JOIN (SELECT 0 AS d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4
        UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9) AS h) AS s;
