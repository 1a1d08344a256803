/**
 * The typed AST of a STIX pattern (STIX 2.1 section 9). Nodes are frozen plain objects with
 * a `kind` discriminant, each built by one small factory below. Every node carries its
 * source span so that errors and warnings can point at line and column.
 *
 * Shape, from the top:
 * - a pattern is an {@link ObservationExpr}: observations (`[...]`) combined with
 *   `AND` / `OR` / `FOLLOWEDBY` (n-ary, flattened) and qualified by `WITHIN`, `REPEATS`,
 *   `START ... STOP`;
 * - an observation holds a {@link ComparisonExpr}: comparisons combined with `AND` / `OR`;
 * - a comparison tests an {@link ObjectPath} against a {@link Constant}.
 */

/** A point in the pattern text: `offset` is 0-based; `line` and `column` are 1-based. */
export interface Position {
  readonly offset: number
  readonly line: number
  readonly column: number
}

export interface Span {
  readonly start: Position
  readonly end: Position
}

// ---- constants (section 9.4) ----

export interface StringConstant {
  readonly kind: 'string'
  /** The unescaped value. */
  readonly value: string
  readonly span: Span
}
export interface IntConstant {
  readonly kind: 'int'
  readonly value: number
  readonly span: Span
}
export interface FloatConstant {
  readonly kind: 'float'
  readonly value: number
  readonly span: Span
}
export interface BoolConstant {
  readonly kind: 'bool'
  readonly value: boolean
  readonly span: Span
}
/** `b'...'`: base64; `value` is the decoded bytes, `text` the base64 as written. */
export interface BinaryConstant {
  readonly kind: 'binary'
  readonly value: Uint8Array
  readonly text: string
  readonly span: Span
}
/** `h'...'`: hex; `value` is the decoded bytes, `text` the hex as written. */
export interface HexConstant {
  readonly kind: 'hex'
  readonly value: Uint8Array
  readonly text: string
  readonly span: Span
}
/** `t'...'`: an RFC 3339 timestamp; `text` as written, `micros` since the epoch. */
export interface TimestampConstant {
  readonly kind: 'timestamp'
  readonly text: string
  readonly micros: number
  readonly span: Span
}
/** `( a, b, ... )`, the right-hand side of `IN`. */
export interface ListConstant {
  readonly kind: 'list'
  readonly items: readonly ScalarConstant[]
  readonly span: Span
}

export type ScalarConstant =
  | StringConstant
  | IntConstant
  | FloatConstant
  | BoolConstant
  | BinaryConstant
  | HexConstant
  | TimestampConstant
export type Constant = ScalarConstant | ListConstant

// ---- object paths (section 9.3) ----

/** `.name` or `.'quoted-name'` */
export interface PropertyStep {
  readonly kind: 'property'
  readonly name: string
  /** True when written quoted (`'SHA-256'`); the printer quotes when needed anyway. */
  readonly quoted: boolean
  readonly span: Span
}
/** `[n]` */
export interface IndexStep {
  readonly kind: 'index'
  readonly index: number
  readonly span: Span
}
/** `[*]` */
export interface AnyIndexStep {
  readonly kind: 'any-index'
  readonly span: Span
}
export type PathStep = PropertyStep | IndexStep | AnyIndexStep

/** `object-type:first.rest[0]...`; `steps[0]` is always a property step. */
export interface ObjectPath {
  readonly kind: 'path'
  readonly objectType: string
  readonly steps: readonly PathStep[]
  readonly span: Span
}

// ---- comparison expressions (section 9.6, 9.7) ----

export type ComparisonOperator =
  '=' | '!=' | '>' | '<' | '>=' | '<=' | 'IN' | 'LIKE' | 'MATCHES' | 'ISSUBSET' | 'ISSUPERSET'

export interface Comparison {
  readonly kind: 'comparison'
  readonly path: ObjectPath
  readonly operator: ComparisonOperator
  /** `NOT` written before the operator. */
  readonly negated: boolean
  readonly value: Constant
  readonly span: Span
}

/** `EXISTS path`, optionally `NOT EXISTS path`. */
export interface Exists {
  readonly kind: 'exists'
  readonly path: ObjectPath
  readonly negated: boolean
  readonly span: Span
}

/** `a AND b AND ...` inside an observation (flattened). */
export interface ComparisonAnd {
  readonly kind: 'comparison-and'
  readonly operands: readonly ComparisonExpr[]
  readonly span: Span
}
/** `a OR b OR ...` inside an observation (flattened). */
export interface ComparisonOr {
  readonly kind: 'comparison-or'
  readonly operands: readonly ComparisonExpr[]
  readonly span: Span
}

export type ComparisonExpr = Comparison | Exists | ComparisonAnd | ComparisonOr

// ---- observation expressions (section 9.5, 9.8) ----

/** `[ comparison-expression ]` */
export interface Observation {
  readonly kind: 'observation'
  readonly expr: ComparisonExpr
  readonly span: Span
}
export interface ObservationAnd {
  readonly kind: 'observation-and'
  readonly operands: readonly ObservationExpr[]
  readonly span: Span
}
export interface ObservationOr {
  readonly kind: 'observation-or'
  readonly operands: readonly ObservationExpr[]
  readonly span: Span
}
export interface FollowedBy {
  readonly kind: 'followed-by'
  readonly operands: readonly ObservationExpr[]
  readonly span: Span
}

export type Qualifier =
  | { readonly kind: 'within'; readonly seconds: number; readonly span: Span }
  | { readonly kind: 'repeats'; readonly times: number; readonly span: Span }
  | {
      readonly kind: 'start-stop'
      readonly start: TimestampConstant
      readonly stop: TimestampConstant
      readonly span: Span
    }

/** An observation expression with one qualifier applied (stacked qualifiers nest). */
export interface Qualified {
  readonly kind: 'qualified'
  readonly expr: ObservationExpr
  readonly qualifier: Qualifier
  readonly span: Span
}

export type ObservationExpr = Observation | ObservationAnd | ObservationOr | FollowedBy | Qualified

/** A whole parsed pattern. */
export interface Pattern {
  readonly kind: 'pattern'
  readonly expr: ObservationExpr
  readonly span: Span
}

export type AstNode =
  Pattern | ObservationExpr | ComparisonExpr | ObjectPath | PathStep | Constant | Qualifier

// ---- factories ----

type Without<T> = Omit<T, 'kind'>

/** A frozen copy of a list; a list that is frozen already cannot change, so it is kept. */
function frozenCopy<T>(items: readonly T[]): readonly T[] {
  return Object.isFrozen(items) ? items : Object.freeze(items.slice())
}

// Each factory writes its object literal out in full (no `{ kind, ...fields }` spread): the
// parser calls them for every node, and a literal of one fixed shape is several times cheaper
// to build than a spread copy. Lists are copied unless frozen, so a caller's array stays its own.
export const ast = {
  string: (f: Without<StringConstant>): StringConstant =>
    Object.freeze({ kind: 'string', value: f.value, span: f.span }),
  int: (f: Without<IntConstant>): IntConstant =>
    Object.freeze({ kind: 'int', value: f.value, span: f.span }),
  float: (f: Without<FloatConstant>): FloatConstant =>
    Object.freeze({ kind: 'float', value: f.value, span: f.span }),
  bool: (f: Without<BoolConstant>): BoolConstant =>
    Object.freeze({ kind: 'bool', value: f.value, span: f.span }),
  binary: (f: Without<BinaryConstant>): BinaryConstant =>
    Object.freeze({ kind: 'binary', value: f.value, text: f.text, span: f.span }),
  hex: (f: Without<HexConstant>): HexConstant =>
    Object.freeze({ kind: 'hex', value: f.value, text: f.text, span: f.span }),
  timestamp: (f: Without<TimestampConstant>): TimestampConstant =>
    Object.freeze({ kind: 'timestamp', text: f.text, micros: f.micros, span: f.span }),
  list: (f: Without<ListConstant>): ListConstant =>
    Object.freeze({ kind: 'list', items: frozenCopy(f.items), span: f.span }),
  property: (f: Without<PropertyStep>): PropertyStep =>
    Object.freeze({ kind: 'property', name: f.name, quoted: f.quoted, span: f.span }),
  index: (f: Without<IndexStep>): IndexStep =>
    Object.freeze({ kind: 'index', index: f.index, span: f.span }),
  anyIndex: (f: Without<AnyIndexStep>): AnyIndexStep =>
    Object.freeze({ kind: 'any-index', span: f.span }),
  path: (f: Without<ObjectPath>): ObjectPath =>
    Object.freeze({
      kind: 'path',
      objectType: f.objectType,
      steps: frozenCopy(f.steps),
      span: f.span,
    }),
  comparison: (f: Without<Comparison>): Comparison =>
    Object.freeze({
      kind: 'comparison',
      path: f.path,
      operator: f.operator,
      negated: f.negated,
      value: f.value,
      span: f.span,
    }),
  exists: (f: Without<Exists>): Exists =>
    Object.freeze({ kind: 'exists', path: f.path, negated: f.negated, span: f.span }),
  comparisonAnd: (f: Without<ComparisonAnd>): ComparisonAnd =>
    Object.freeze({
      kind: 'comparison-and',
      operands: frozenCopy(f.operands),
      span: f.span,
    }),
  comparisonOr: (f: Without<ComparisonOr>): ComparisonOr =>
    Object.freeze({
      kind: 'comparison-or',
      operands: frozenCopy(f.operands),
      span: f.span,
    }),
  observation: (f: Without<Observation>): Observation =>
    Object.freeze({ kind: 'observation', expr: f.expr, span: f.span }),
  observationAnd: (f: Without<ObservationAnd>): ObservationAnd =>
    Object.freeze({
      kind: 'observation-and',
      operands: frozenCopy(f.operands),
      span: f.span,
    }),
  observationOr: (f: Without<ObservationOr>): ObservationOr =>
    Object.freeze({
      kind: 'observation-or',
      operands: frozenCopy(f.operands),
      span: f.span,
    }),
  followedBy: (f: Without<FollowedBy>): FollowedBy =>
    Object.freeze({
      kind: 'followed-by',
      operands: frozenCopy(f.operands),
      span: f.span,
    }),
  qualified: (f: Without<Qualified>): Qualified =>
    Object.freeze({ kind: 'qualified', expr: f.expr, qualifier: f.qualifier, span: f.span }),
  pattern: (f: Without<Pattern>): Pattern =>
    Object.freeze({ kind: 'pattern', expr: f.expr, span: f.span }),
} as const

/** A span for nodes built in code rather than parsed (tests, generated patterns). */
export const NO_SPAN: Span = Object.freeze({
  start: Object.freeze({ offset: 0, line: 1, column: 1 }),
  end: Object.freeze({ offset: 0, line: 1, column: 1 }),
})
