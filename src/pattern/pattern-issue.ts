import type { Pattern } from './ast.js'

/**
 * A located problem in a STIX pattern: a syntax error (severity `error`) or a semantic
 * warning (unknown object type, property not defined for the type, a comparison that can
 * never be true). `offset` is 0-based; `line` and `column` are 1-based.
 */
export interface PatternIssue {
  severity: 'error' | 'warning'
  /** `PATTERN_SYNTAX`, `PATTERN_REGEX`, or a warning code such as `unknown-object-type`. */
  code: string
  message: string
  offset: number
  line: number
  column: number
  /** For syntax errors: the tokens that would have been accepted here. */
  expected?: string[]
}

/** Result of `parsePattern(text)`: the AST, or the first syntax error. */
export type ParseResult = { ok: true; pattern: Pattern } | { ok: false; error: PatternIssue }

/** Result of `validatePattern(text)`: syntax errors and semantic warnings together. */
export interface PatternValidation {
  ok: boolean
  pattern?: Pattern
  errors: PatternIssue[]
  warnings: PatternIssue[]
}
