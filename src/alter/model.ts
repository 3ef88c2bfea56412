import type { Token } from './tokenize.js';

/**
 * An ALTER TABLE statement as oschange understands it: the table it names, and its actions in
 * order. Each action keeps its own tokens, so the statement can be rebuilt without comments
 * (src/alter/render.ts) — what oschange runs is exactly what it understood.
 */
export interface AlterStatement {
  /** The text the tokens point into. */
  readonly source: string;
  /** `ALTER TABLE [db.]name …` when the operator wrote it; undefined for a bare clause. */
  readonly table: { readonly database: string | undefined; readonly name: string } | undefined;
  /** MariaDB's `ALTER IGNORE TABLE`: drops rows that break a new unique key. */
  readonly ignore: boolean;
  readonly actions: readonly AlterAction[];
}

/** A column's data type as written: `DECIMAL(12,2) UNSIGNED`, `VARCHAR(20) CHARACTER SET latin1`. */
export interface DataType {
  /** Upper case: `INT`, `VARCHAR`, `DOUBLE PRECISION`. */
  readonly name: string;
  /** The parenthesized arguments as written (`12`, `2`; ENUM/SET members as unescaped strings). */
  readonly args: readonly string[];
  readonly unsigned: boolean;
  readonly charset: string | undefined;
  readonly collation: string | undefined;
}

export interface ColumnDefinition {
  readonly type: DataType;
  /** NOT NULL → false, NULL → true, neither → undefined (nullable unless part of a PRIMARY KEY). */
  readonly nullable: boolean | undefined;
  /** DEFAULT: none given, a literal, NULL, or an expression (CURRENT_TIMESTAMP, (expr)). */
  readonly default: 'none' | 'literal' | 'null' | 'expression';
  readonly autoIncrement: boolean;
  /** GENERATED ALWAYS AS (…) / AS (…): computed by the server. */
  readonly generated: 'virtual' | 'stored' | undefined;
  /** Inline PRIMARY KEY or UNIQUE [KEY]. */
  readonly inlineKey: 'primary' | 'unique' | undefined;
  /** The definition's tokens after the column name (type, attributes, FIRST/AFTER): lint's advice rebuilds variants of it. */
  readonly tokens: readonly Token[];
}

export type ColumnPosition = { readonly kind: 'first' } | { readonly kind: 'after'; readonly column: string } | undefined;

export interface IndexPart {
  /** The column, or undefined for an expression part `((expr))`. */
  readonly column: string | undefined;
  /** A prefix length `c(10)`. */
  readonly length: number | undefined;
}

export type IndexKind = 'index' | 'unique' | 'primary' | 'fulltext' | 'spatial';

interface Base {
  /** The action's tokens (for rebuilding it; comments are not tokens). */
  readonly tokens: readonly Token[];
}

export type AlterAction = Base &
  (
    | { readonly kind: 'add-column'; readonly name: string; readonly definition: ColumnDefinition; readonly ifNotExists: boolean; readonly position: ColumnPosition }
    | { readonly kind: 'modify-column'; readonly name: string; readonly definition: ColumnDefinition; readonly ifExists: boolean; readonly position: ColumnPosition }
    | { readonly kind: 'change-column'; readonly from: string; readonly to: string; readonly definition: ColumnDefinition; readonly ifExists: boolean; readonly position: ColumnPosition }
    | { readonly kind: 'rename-column'; readonly from: string; readonly to: string; readonly ifExists: boolean }
    | { readonly kind: 'drop-column'; readonly name: string; readonly ifExists: boolean }
    | { readonly kind: 'alter-column'; readonly name: string; readonly change: 'set-default' | 'drop-default' | 'visible' | 'invisible' | 'other' }
    | { readonly kind: 'add-index'; readonly index: IndexKind; readonly name: string | undefined; readonly parts: readonly IndexPart[]; readonly ifNotExists: boolean }
    | { readonly kind: 'add-foreign-key'; readonly name: string | undefined; readonly columns: readonly string[]; readonly parentTable: string; readonly parentColumns: readonly string[] }
    | { readonly kind: 'add-check'; readonly name: string | undefined }
    | { readonly kind: 'drop-index'; readonly name: string; readonly ifExists: boolean }
    | { readonly kind: 'drop-primary-key' }
    | { readonly kind: 'drop-foreign-key'; readonly name: string; readonly ifExists: boolean }
    | { readonly kind: 'drop-constraint'; readonly name: string; readonly ifExists: boolean }
    | { readonly kind: 'rename-index'; readonly from: string; readonly to: string }
    | { readonly kind: 'rename-table'; readonly to: string }
    | { readonly kind: 'convert-charset'; readonly charset: string; readonly collation: string | undefined }
    /** ENGINE=, [DEFAULT] CHARSET=, COLLATE=, COMMENT=, AUTO_INCREMENT=, ROW_FORMAT=, … */
    | { readonly kind: 'table-option'; readonly option: string }
    | { readonly kind: 'algorithm'; readonly value: string }
    | { readonly kind: 'lock'; readonly value: string }
    | { readonly kind: 'force' }
    /** PARTITION BY …, ADD/DROP/… PARTITION, REMOVE PARTITIONING. */
    | { readonly kind: 'partition'; readonly operation: string }
    /** Anything else the server accepts (ORDER BY, ENABLE KEYS, WITH SYSTEM VERSIONING, …): kept as written. */
    | { readonly kind: 'other'; readonly what: string }
  );

export type ActionKind = AlterAction['kind'];
