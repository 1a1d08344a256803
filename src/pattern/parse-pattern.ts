import {
  ast,
  type Comparison,
  type ComparisonExpr,
  type ComparisonOperator,
  type Constant,
  type ObjectPath,
  type ObservationExpr,
  type PathStep,
  type Position,
  type Qualifier,
  type ScalarConstant,
  type Span,
  type TimestampConstant,
} from './ast.js'
import { Lexer, PatternSyntaxError, describePosition, type TokenKind } from './lexer.js'
import type { ParseResult, PatternIssue } from './pattern-issue.js'

/** Limits that keep hostile input from exhausting the stack or memory. */
export interface ParseOptions {
  /** Maximum pattern length in UTF-16 code units (default 1,048,576). */
  maxLength?: number
  /** Maximum nesting of `[`, `(` (default 100). */
  maxDepth?: number
}

/** Default maximum pattern length, in UTF-16 code units. */
export const DEFAULT_MAX_PATTERN_LENGTH = 1_048_576
/** Default maximum nesting depth of brackets and parentheses. */
export const DEFAULT_MAX_PATTERN_DEPTH = 100

const COMPARISON_KEYWORDS: ReadonlySet<string> = new Set([
  'IN',
  'LIKE',
  'MATCHES',
  'ISSUBSET',
  'ISSUPERSET',
])

const KEYWORDS: ReadonlySet<string> = new Set([
  'AND',
  'OR',
  'NOT',
  'FOLLOWEDBY',
  'LIKE',
  'MATCHES',
  'ISSUBSET',
  'ISSUPERSET',
  'EXISTS',
  'IN',
  'START',
  'STOP',
  'SECONDS',
  'WITHIN',
  'REPEATS',
  'TIMES',
])

const OPERATOR_LIST = [
  "'='",
  "'!='",
  "'>'",
  "'<'",
  "'>='",
  "'<='",
  "'IN'",
  "'LIKE'",
  "'MATCHES'",
  "'ISSUBSET'",
  "'ISSUPERSET'",
  "'NOT'",
]

function span(start: Position, end: Position): Span {
  return { start, end }
}

class Parser {
  private readonly lx: Lexer
  private depth = 0
  // End of the last consumed token. Its Position object is made only when a node's span
  // needs it: most tokens ('[', ':', '.', operators) end no node.
  private prevEndOffset = 0
  private prevEndLine = 1
  private prevEndColumn = 1
  private prevEndPos: Position | undefined

  constructor(
    text: string,
    private readonly maxDepth: number,
  ) {
    this.lx = new Lexer(text)
    this.lx.next()
  }

  // ---- token helpers ----

  /** The current token kind (a call, so that narrowing does not survive `advance()`). */
  private tok(): TokenKind {
    return this.lx.kind
  }

  private advance(): void {
    const lx = this.lx
    this.prevEndOffset = lx.endOffset
    this.prevEndLine = lx.endLine
    this.prevEndColumn = lx.endColumn
    this.prevEndPos = undefined
    lx.next()
  }

  /** The span from `start` to the end of the last consumed token. */
  private spanFrom(start: Position): Span {
    const end = (this.prevEndPos ??= {
      offset: this.prevEndOffset,
      line: this.prevEndLine,
      column: this.prevEndColumn,
    })
    return { start, end }
  }

  private isKeyword(word: string): boolean {
    return this.tok() === 'ident' && this.lx.text === word
  }

  /** A description of the current token for messages. */
  private found(): string {
    const lx = this.lx
    switch (this.tok()) {
      case 'eof':
        return 'end of pattern'
      case 'ident':
        return KEYWORDS.has(lx.text) ? `keyword '${lx.text}'` : `'${lx.text}'`
      case 'string': {
        const shown = lx.text.length > 30 ? `${lx.text.slice(0, 27)}...` : lx.text
        return `string '${shown}'`
      }
      case 'int':
        return `integer ${lx.text}`
      case 'float':
        return `float ${lx.text}`
      case 'binary':
        return 'a binary constant'
      case 'hex':
        return 'a hex constant'
      case 'timestamp':
        return 'a timestamp'
      case '[':
      case ']':
      case '(':
      case ')':
      case ':':
      case '.':
      case ',':
      case '*':
      case '=':
      case '!=':
      case '<':
      case '>':
      case '<=':
      case '>=':
        return `'${this.tok()}'`
    }
  }

  /** Throws "expected X, found Y" at the current token, with a hint for lowercase keywords. */
  private expected(what: string, expected: string[], extra = ''): never {
    const lx = this.lx
    let hint = ''
    if (this.tok() === 'ident' && !KEYWORDS.has(lx.text) && KEYWORDS.has(lx.text.toUpperCase())) {
      hint = ` (keywords are case-sensitive: write '${lx.text.toUpperCase()}')`
    }
    throw new PatternSyntaxError(
      `expected ${what}${extra}, found ${this.found()}${hint}`,
      lx.startPosition(),
      expected,
    )
  }

  private failAt(message: string, at: Position, expected?: string[]): never {
    throw new PatternSyntaxError(message, at, expected)
  }

  private enter(at: Position): void {
    if (++this.depth > this.maxDepth) {
      this.failAt(
        `nesting is too deep: more than ${this.maxDepth} levels of brackets and parentheses`,
        at,
      )
    }
  }

  // ---- observation level (section 9.5) ----

  parsePattern(): ReturnType<typeof ast.pattern> {
    const start = this.lx.startPosition()
    if (this.tok() === 'eof') {
      this.failAt(
        "the pattern is empty: expected an observation expression such as [type:property = 'value']",
        start,
        ["'['", "'('"],
      )
    }
    const expr = this.parseFollowedBy()
    if (this.tok() !== 'eof') {
      this.expected(
        'end of pattern',
        ["'AND'", "'OR'", "'FOLLOWEDBY'", "'WITHIN'", "'REPEATS'", "'START'", 'end of pattern'],
        " or an observation operator ('AND', 'OR', 'FOLLOWEDBY') or qualifier",
      )
    }
    return ast.pattern({ expr, span: this.spanFrom(start) })
  }

  /**
   * `first (KEYWORD operand)*` as a left-associative n-ary chain (section 9.5.3): the frozen
   * operands, or undefined when `first` stands alone.
   */
  private joinedBy<T>(keyword: string, first: T, next: () => T): readonly T[] | undefined {
    if (!this.isKeyword(keyword)) return undefined
    const operands = [first]
    while (this.isKeyword(keyword)) {
      this.advance()
      operands.push(next())
    }
    return Object.freeze(operands)
  }

  private parseFollowedBy(): ObservationExpr {
    const start = this.lx.startPosition()
    const first = this.parseObservationOr()
    const operands = this.joinedBy('FOLLOWEDBY', first, () => this.parseObservationOr())
    return operands ? ast.followedBy({ operands, span: this.spanFrom(start) }) : first
  }

  private parseObservationOr(): ObservationExpr {
    const start = this.lx.startPosition()
    const first = this.parseObservationAnd()
    const operands = this.joinedBy('OR', first, () => this.parseObservationAnd())
    return operands ? ast.observationOr({ operands, span: this.spanFrom(start) }) : first
  }

  private parseObservationAnd(): ObservationExpr {
    const start = this.lx.startPosition()
    const first = this.parseQualified()
    const operands = this.joinedBy('AND', first, () => this.parseQualified())
    return operands ? ast.observationAnd({ operands, span: this.spanFrom(start) }) : first
  }

  private parseQualified(): ObservationExpr {
    const start = this.lx.startPosition()
    let expr = this.parseObservationPrimary()
    for (;;) {
      let qualifier: Qualifier
      if (this.isKeyword('WITHIN')) qualifier = this.parseWithin()
      else if (this.isKeyword('REPEATS')) qualifier = this.parseRepeats()
      else if (this.isKeyword('START')) qualifier = this.parseStartStop()
      else return expr
      expr = ast.qualified({ expr, qualifier, span: this.spanFrom(start) })
    }
  }

  private parseObservationPrimary(): ObservationExpr {
    const lx = this.lx
    const open = lx.startPosition()
    if (this.tok() === '[') {
      this.enter(open)
      this.advance()
      const expr = this.parseComparisonOr()
      if (this.tok() !== ']') {
        this.expected(
          "']'",
          ["']'", "'AND'", "'OR'"],
          ` to close the observation expression opened at ${describePosition(open)}`,
        )
      }
      this.advance()
      this.depth--
      return ast.observation({ expr, span: this.spanFrom(open) })
    }
    if (this.tok() === '(') {
      this.enter(open)
      this.advance()
      const expr = this.parseFollowedBy()
      if (this.tok() !== ')') {
        this.expected(
          "')'",
          ["')'", "'AND'", "'OR'", "'FOLLOWEDBY'", "'WITHIN'", "'REPEATS'", "'START'"],
          ` to close the parenthesis opened at ${describePosition(open)}`,
        )
      }
      this.advance()
      this.depth--
      return expr
    }
    const hint =
      this.tok() === 'ident' && !KEYWORDS.has(lx.text)
        ? ' (comparison expressions must be enclosed in [ ])'
        : ''
    return this.expected("'[' or '(' to start an observation expression", ["'['", "'('"], hint)
  }

  private parseWithin(): Qualifier {
    const start = this.lx.startPosition()
    this.advance()
    const lx = this.lx
    if ((this.tok() !== 'int' && this.tok() !== 'float') || lx.num <= 0) {
      if ((this.tok() === 'int' || this.tok() === 'float') && lx.num <= 0) {
        this.failAt(
          `WITHIN needs a positive number of seconds, found ${lx.text} (STIX 2.1 section 9.5.1)`,
          lx.startPosition(),
          ['positive number'],
        )
      }
      this.expected('a positive number of seconds after WITHIN', ['positive number'])
    }
    const seconds = lx.num
    this.advance()
    if (!this.isKeyword('SECONDS')) {
      this.expected("'SECONDS'", ["'SECONDS'"], ' (the only time unit of WITHIN)')
    }
    this.advance()
    return { kind: 'within', seconds, span: this.spanFrom(start) }
  }

  private parseRepeats(): Qualifier {
    const start = this.lx.startPosition()
    this.advance()
    const lx = this.lx
    if (this.tok() !== 'int' || lx.num <= 0) {
      if (this.tok() === 'int' || this.tok() === 'float') {
        this.failAt(
          `REPEATS needs a positive integer, found ${lx.text} (STIX 2.1 section 9.5.1)`,
          lx.startPosition(),
          ['positive integer'],
        )
      }
      this.expected('a positive integer after REPEATS', ['positive integer'])
    }
    const times = lx.num
    this.advance()
    if (!this.isKeyword('TIMES')) this.expected("'TIMES'", ["'TIMES'"])
    this.advance()
    return { kind: 'repeats', times, span: this.spanFrom(start) }
  }

  private parseStartStop(): Qualifier {
    const begin = this.lx.startPosition()
    this.advance()
    const start = this.parseTimestampOperand('START')
    if (!this.isKeyword('STOP')) this.expected("'STOP'", ["'STOP'"], " after START t'...'")
    this.advance()
    const stop = this.parseTimestampOperand('STOP')
    return { kind: 'start-stop', start, stop, span: this.spanFrom(begin) }
  }

  private parseTimestampOperand(keyword: string): TimestampConstant {
    const lx = this.lx
    if (this.tok() !== 'timestamp') {
      this.expected(`a timestamp t'...' after ${keyword}`, ["timestamp t'...'"])
    }
    const s = lx.startPosition()
    const text = lx.text
    const micros = lx.num
    this.advance()
    return ast.timestamp({ text, micros, span: this.spanFrom(s) })
  }

  // ---- comparison level (section 9.6) ----

  private parseComparisonOr(): ComparisonExpr {
    const start = this.lx.startPosition()
    const first = this.parseComparisonAnd()
    const operands = this.joinedBy('OR', first, () => this.parseComparisonAnd())
    return operands ? ast.comparisonOr({ operands, span: this.spanFrom(start) }) : first
  }

  private parseComparisonAnd(): ComparisonExpr {
    const start = this.lx.startPosition()
    const first = this.parseComparisonPrimary()
    const operands = this.joinedBy('AND', first, () => this.parseComparisonPrimary())
    return operands ? ast.comparisonAnd({ operands, span: this.spanFrom(start) }) : first
  }

  private parseComparisonPrimary(): ComparisonExpr {
    const lx = this.lx
    const start = lx.startPosition()
    if (this.tok() === '(') {
      this.enter(start)
      this.advance()
      const expr = this.parseComparisonOr()
      if (this.tok() !== ')') {
        this.expected(
          "')'",
          ["')'", "'AND'", "'OR'"],
          ` to close the parenthesis opened at ${describePosition(start)}`,
        )
      }
      this.advance()
      this.depth--
      return expr
    }
    if (this.tok() === 'ident') {
      if (lx.text === 'EXISTS') {
        this.advance()
        const path = this.parsePath()
        return ast.exists({ path, negated: false, span: this.spanFrom(start) })
      }
      if (lx.text === 'NOT') {
        this.advance()
        if (!this.isKeyword('EXISTS')) {
          this.expected(
            "'EXISTS'",
            ["'EXISTS'"],
            ' (NOT before a comparison goes between the object path and the operator)',
          )
        }
        this.advance()
        const path = this.parsePath()
        return ast.exists({ path, negated: true, span: this.spanFrom(start) })
      }
      return this.parseComparison(start)
    }
    if (this.tok() === ']') {
      return this.expected('a comparison expression', ['object path', "'('", "'EXISTS'"])
    }
    return this.expected('an object path such as file:name', ['object path', "'('", "'EXISTS'"])
  }

  private parseComparison(start: Position): Comparison {
    const path = this.parsePath()
    const lx = this.lx
    let negated = false
    if (this.isKeyword('NOT')) {
      negated = true
      this.advance()
    }
    let operator: ComparisonOperator
    const kind = this.tok()
    switch (kind) {
      case '=':
      case '!=':
      case '<':
      case '>':
      case '<=':
      case '>=':
        operator = kind
        break
      case 'ident':
        if (COMPARISON_KEYWORDS.has(lx.text)) {
          operator = lx.text as ComparisonOperator
          break
        }
        return this.expected(
          'a comparison operator',
          negated ? OPERATOR_LIST.slice(0, -1) : OPERATOR_LIST,
        )
      case 'eof':
      case 'string':
      case 'int':
      case 'float':
      case 'binary':
      case 'hex':
      case 'timestamp':
      case '[':
      case ']':
      case '(':
      case ')':
      case ':':
      case '.':
      case ',':
      case '*':
        return this.expected(
          'a comparison operator',
          negated ? OPERATOR_LIST.slice(0, -1) : OPERATOR_LIST,
        )
    }
    const opStart = lx.startPosition()
    this.advance()
    const value = this.parseOperand(operator, opStart)
    return ast.comparison({ path, operator, negated, value, span: this.spanFrom(start) })
  }

  private parseOperand(operator: ComparisonOperator, opStart: Position): Constant {
    const lx = this.lx
    switch (operator) {
      case 'IN':
        return this.parseList()
      case 'LIKE':
      case 'MATCHES':
      case 'ISSUBSET':
      case 'ISSUPERSET':
        if (this.tok() !== 'string') {
          this.expected(`a string constant after ${operator}`, ['string'])
        }
        return this.parseScalar()
      case '<':
      case '>':
      case '<=':
      case '>=':
        if (this.tok() === 'ident' && isBoolText(lx.text)) {
          this.failAt(
            `operator '${operator}' at ${describePosition(opStart)} cannot compare a boolean (STIX 2.1 section 9.6.1)`,
            lx.startPosition(),
            ['string', 'number', 'binary', 'hex', 'timestamp'],
          )
        }
        return this.parseScalar()
      case '=':
      case '!=':
        return this.parseScalar()
    }
  }

  private parseList(): Constant {
    const lx = this.lx
    const start = lx.startPosition()
    if (this.tok() !== '(') this.expected("'(' to start the list after IN", ["'('"])
    this.advance()
    const items: ScalarConstant[] = []
    if (this.tok() !== ')') {
      items.push(this.parseScalar())
      while (this.tok() === ',') {
        this.advance()
        items.push(this.parseScalar())
      }
      if (this.tok() !== ')') {
        this.expected(
          "',' or ')'",
          ["','", "')'"],
          ` in the list opened at ${describePosition(start)}`,
        )
      }
    }
    this.advance()
    return ast.list({ items: Object.freeze(items), span: this.spanFrom(start) })
  }

  private parseScalar(): ScalarConstant {
    const lx = this.lx
    const kind = this.tok()
    if (kind === 'string') {
      const start = lx.startPosition()
      const text = lx.text
      this.advance()
      return ast.string({ value: text, span: this.spanFrom(start) })
    }
    const s = span(lx.startPosition(), lx.endPosition())
    let value: ScalarConstant
    switch (kind) {
      case 'int':
        value = ast.int({ value: lx.num, span: s })
        break
      case 'float':
        value = ast.float({ value: lx.num, span: s })
        break
      case 'binary':
        value = ast.binary({ value: lx.bytes, text: lx.text, span: s })
        break
      case 'hex':
        value = ast.hex({ value: lx.bytes, text: lx.text, span: s })
        break
      case 'timestamp':
        value = ast.timestamp({ text: lx.text, micros: lx.num, span: s })
        break
      case 'ident':
        if (!isBoolText(lx.text)) return this.expectedConstant()
        value = ast.bool({ value: lx.text.length === 4, span: s })
        break
      case 'eof':
      case '[':
      case ']':
      case '(':
      case ')':
      case ':':
      case '.':
      case ',':
      case '*':
      case '=':
      case '!=':
      case '<':
      case '>':
      case '<=':
      case '>=':
        return this.expectedConstant()
    }
    this.advance()
    return value
  }

  private expectedConstant(): never {
    const lx = this.lx
    const lower = this.tok() === 'ident' ? lx.text.toLowerCase() : ''
    const hint =
      lower === 'true' || lower === 'false' ? ` (booleans are written in lowercase: ${lower})` : ''
    return this.expected(
      'a constant',
      ['string', 'integer', 'float', 'true', 'false', "b'...'", "h'...'", "t'...'"],
      hint,
    )
  }

  // ---- object paths (section 9.7) ----

  private parsePath(): ObjectPath {
    const lx = this.lx
    const start = lx.startPosition()
    if (this.tok() !== 'ident' || isKeywordText(lx.text)) {
      this.expected('an object path such as file:name', ['object type'])
    }
    const objectType = lx.text
    this.advance()
    if (this.tok() !== ':') {
      if (this.tok() === '.') {
        this.expected("':'", ["':'"], ` between the object type '${objectType}' and its property`)
      }
      this.expected("':'", ["':'"], ` after the object type '${objectType}'`)
    }
    this.advance()
    const steps: PathStep[] = [this.parsePropertyStep()]
    for (;;) {
      if (this.tok() === '.') {
        this.advance()
        steps.push(this.parsePropertyStep())
      } else if (this.tok() === '[') {
        steps.push(this.parseIndexStep())
      } else {
        break
      }
    }
    return ast.path({ objectType, steps: Object.freeze(steps), span: this.spanFrom(start) })
  }

  private parsePropertyStep(): PathStep {
    const lx = this.lx
    const start = lx.startPosition()
    if (this.tok() === 'string') {
      const quotedName = lx.text
      this.advance()
      return ast.property({ name: quotedName, quoted: true, span: this.spanFrom(start) })
    }
    if (this.tok() !== 'ident') {
      this.expected('a property name', ['property name', 'quoted property name'])
    }
    const name = lx.text
    if (name.includes('-')) {
      this.failAt(
        `property name '${name}' contains '-' and must be quoted: '${name}' (STIX 2.1 section 9.7)`,
        start,
        ['quoted property name'],
      )
    }
    this.advance()
    return ast.property({ name, quoted: false, span: this.spanFrom(start) })
  }

  private parseIndexStep(): PathStep {
    const lx = this.lx
    const start = lx.startPosition()
    this.advance()
    let index = -1
    if (this.tok() === 'int' && !lx.negative) {
      index = lx.num
    } else if (this.tok() !== '*') {
      return this.expected('a list index (a non-negative integer or *)', [
        'non-negative integer',
        "'*'",
      ])
    }
    this.advance()
    if (this.tok() !== ']') {
      this.expected("']'", ["']'"], ` to close the list index opened at ${describePosition(start)}`)
    }
    this.advance()
    const s = this.spanFrom(start)
    return index < 0 ? ast.anyIndex({ span: s }) : ast.index({ index, span: s })
  }
}

/** `KEYWORDS.has(text)`, without hashing the text when it cannot be one (keywords are A-Z). */
function isKeywordText(text: string): boolean {
  const c = text.charCodeAt(0)
  return c >= 65 && c <= 90 && KEYWORDS.has(text)
}

function isBoolText(text: string): boolean {
  return text === 'true' || text === 'false'
}

/**
 * Parses a STIX pattern (STIX 2.1 section 9) into a frozen AST with source spans. Never
 * throws on bad input: a syntax error comes back as `{ ok: false, error }` naming the line,
 * column and the tokens that were expected.
 *
 * Precedence follows section 9.5.3: qualifiers bind tightest, then `AND`, `OR`,
 * `FOLLOWEDBY` (all left-associative); chains of one operator written without parentheses
 * become one n-ary node, while parenthesised groups stay nested.
 *
 * @example
 * ```ts
 * const r = parsePattern("[file:hashes.'SHA-256' = 'aec0...'] WITHIN 300 SECONDS")
 * if (r.ok) console.log(r.pattern.expr.kind) // 'qualified'
 * else console.log(r.error.message)           // 'column 23: expected ...'
 * ```
 */
export function parsePattern(text: string, options: ParseOptions = {}): ParseResult {
  const maxLength = options.maxLength ?? DEFAULT_MAX_PATTERN_LENGTH
  if (text.length > maxLength) {
    return {
      ok: false,
      error: syntaxIssue(
        `the pattern is too long: ${text.length} characters, the limit is ${maxLength}`,
        { offset: maxLength, line: 1, column: 1 },
        undefined,
        false,
      ),
    }
  }
  try {
    const parser = new Parser(text, options.maxDepth ?? DEFAULT_MAX_PATTERN_DEPTH)
    return { ok: true, pattern: parser.parsePattern() }
  } catch (error) {
    if (error instanceof PatternSyntaxError) {
      return { ok: false, error: syntaxIssue(error.detail, error.position, error.expected) }
    }
    throw error
  }
}

function syntaxIssue(
  detail: string,
  at: Position,
  expected: string[] | undefined,
  located = true,
): PatternIssue {
  const issue: PatternIssue = {
    severity: 'error',
    code: 'PATTERN_SYNTAX',
    message: located ? `${describePosition(at)}: ${detail}` : detail,
    offset: at.offset,
    line: at.line,
    column: at.column,
  }
  if (expected !== undefined) issue.expected = expected
  return issue
}
