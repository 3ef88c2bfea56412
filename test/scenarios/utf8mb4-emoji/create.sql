CREATE TABLE t (
  id INT NOT NULL AUTO_INCREMENT,
  c CHAR(10) NOT NULL,
  v VARCHAR(191) NOT NULL,
  tx TEXT NULL,
  mt MEDIUMTEXT NULL,
  PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
INSERT INTO t (c, v, tx, mt) VALUES
  ('😀', '👩‍👩‍👧‍👦 family', '🇯🇵🇫🇷🏳️‍🌈', '𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𝟙𝟚𝟛'),
  ('日本語', 'Ελληνικά русский עברית', 'مرحبا بالعالم', '中文字符 한국어 ภาษาไทย'),
  ('🦄🐉', '🍣🍺🎉 party', NULL, ''),
  ('', '', '', NULL);
INSERT INTO t (c, v, tx, mt)
SELECT ELT(1 + n % 6, '😀', '🚀', 'ñ', '字', '🎸x', 'abc'),
       CONCAT(ELT(1 + n % 5, '🐳 whale ', '東京 ', 'Ωmega ', '🏳️‍🌈 ', 'plain '), n),
       IF(n % 4 = 0, NULL, CONCAT(REPEAT('🙂', n % 40), ' ', n)),
       IF(n % 6 = 0, NULL, REPEAT('𝄞♫ 音楽 ', n % 200))
FROM (SELECT h.d * 100 + te.d * 10 + u.d AS n
  FROM (SELECT 0 AS d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4
        UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9) AS u
  CROSS JOIN (SELECT 0 AS d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4
        UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9) AS te
  CROSS JOIN (SELECT 0 AS d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4
        UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9) AS h) AS s;
