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

function node<K extends string, T extends object>(kind: K, fields: T): Readonly<T & { kind: K }> {
  return Object.freeze({ kind, ...fields })
}

export const ast = {
  string: (f: Without<StringConstant>): StringConstant => node('string', f),
  int: (f: Without<IntConstant>): IntConstant => node('int', f),
  float: (f: Without<FloatConstant>): FloatConstant => node('float', f),
  bool: (f: Without<BoolConstant>): BoolConstant => node('bool', f),
  binary: (f: Without<BinaryConstant>): BinaryConstant => node('binary', f),
  hex: (f: Without<HexConstant>): HexConstant => node('hex', f),
  timestamp: (f: Without<TimestampConstant>): TimestampConstant => node('timestamp', f),
  list: (f: Without<ListConstant>): ListConstant =>
    node('list', { ...f, items: Object.freeze([...f.items]) }),
  property: (f: Without<PropertyStep>): PropertyStep => node('property', f),
  index: (f: Without<IndexStep>): IndexStep => node('index', f),
  anyIndex: (f: Without<AnyIndexStep>): AnyIndexStep => node('any-index', f),
  path: (f: Without<ObjectPath>): ObjectPath =>
    node('path', { ...f, steps: Object.freeze([...f.steps]) }),
  comparison: (f: Without<Comparison>): Comparison => node('comparison', f),
  exists: (f: Without<Exists>): Exists => node('exists', f),
  comparisonAnd: (f: Without<ComparisonAnd>): ComparisonAnd =>
    node('comparison-and', { ...f, operands: Object.freeze([...f.operands]) }),
  comparisonOr: (f: Without<ComparisonOr>): ComparisonOr =>
    node('comparison-or', { ...f, operands: Object.freeze([...f.operands]) }),
  observation: (f: Without<Observation>): Observation => node('observation', f),
  observationAnd: (f: Without<ObservationAnd>): ObservationAnd =>
    node('observation-and', { ...f, operands: Object.freeze([...f.operands]) }),
  observationOr: (f: Without<ObservationOr>): ObservationOr =>
    node('observation-or', { ...f, operands: Object.freeze([...f.operands]) }),
  followedBy: (f: Without<FollowedBy>): FollowedBy =>
    node('followed-by', { ...f, operands: Object.freeze([...f.operands]) }),
  qualified: (f: Without<Qualified>): Qualified => node('qualified', f),
  pattern: (f: Without<Pattern>): Pattern => node('pattern', f),
} as const

/** A span for nodes built in code rather than parsed (tests, generated patterns). */
export const NO_SPAN: Span = Object.freeze({
  start: Object.freeze({ offset: 0, line: 1, column: 1 }),
  end: Object.freeze({ offset: 0, line: 1, column: 1 }),
})
