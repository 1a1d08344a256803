import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { readSpecExamples, stripSpans } from '../../test/fixtures/patterns/ast-json.js'
import {
  ast,
  NO_SPAN,
  type ComparisonExpr,
  type ComparisonOperator,
  type Constant,
  type ObjectPath,
  type ObservationExpr,
  type Pattern,
  type PathStep,
  type Qualifier,
  type ScalarConstant,
} from './ast.js'
import { parseTimestamp } from './lexer.js'
import { parsePattern } from './parse-pattern.js'
import { printConstant, printPath, printPattern } from './print-pattern.js'

function parse(text: string): Pattern {
  const r = parsePattern(text)
  if (!r.ok) throw new Error(`${text}: ${r.error.message}`)
  return r.pattern
}

const format = (text: string): string => printPattern(parse(text))

/**
 * Structural view of an AST for equality: no spans, binary/hex compared by bytes, and no
 * record of whether a path component was written quoted (the printer quotes when needed).
 */
const view = (node: unknown): unknown =>
  stripSpans(node, { dropBinaryText: true, dropQuoted: true })

describe('printPattern: canonical text', () => {
  it.each([
    ["[ file:name='a' ]", "[file:name = 'a']"],
    ['[file:size>5]   FOLLOWEDBY\n\t[file:size<=6]', '[file:size > 5] FOLLOWEDBY [file:size <= 6]'],
    ['[x-t:a NOT  IN (1,2,  3)]', '[x-t:a NOT IN (1, 2, 3)]'],
    ['[ NOT   EXISTS  x-t:a ]', '[NOT EXISTS x-t:a]'],
    ['[x-t:a = 1] WITHIN   300   SECONDS', '[x-t:a = 1] WITHIN 300 SECONDS'],
    [
      '[x-t:a = 1] REPEATS 5 TIMES WITHIN 1800 SECONDS',
      '[x-t:a = 1] REPEATS 5 TIMES WITHIN 1800 SECONDS',
    ],
    [
      "[x-t:a = 1] START t'2016-06-01T00:00:00Z'  STOP t'2016-07-01T00:00:00.000Z'",
      "[x-t:a = 1] START t'2016-06-01T00:00:00Z' STOP t'2016-07-01T00:00:00.000Z'",
    ],
  ])('prints %j as %j', (input, expected) => {
    expect(format(input)).toBe(expected)
  })

  it('drops parentheses that precedence makes redundant (section 9.5.3)', () => {
    expect(format('([x-t:a = 1] AND [x-t:a = 2]) OR [x-t:a = 3]')).toBe(
      '[x-t:a = 1] AND [x-t:a = 2] OR [x-t:a = 3]',
    )
    expect(format('([x-t:a = 1] OR [x-t:a = 2]) FOLLOWEDBY [x-t:a = 3]')).toBe(
      '[x-t:a = 1] OR [x-t:a = 2] FOLLOWEDBY [x-t:a = 3]',
    )
    expect(format('[(x-t:a = 1 AND x-t:b = 2) OR x-t:c = 3]')).toBe(
      '[x-t:a = 1 AND x-t:b = 2 OR x-t:c = 3]',
    )
    expect(format('(([x-t:a = 1]))')).toBe('[x-t:a = 1]')
    expect(format('([x-t:a = 1]) WITHIN 5 SECONDS')).toBe('[x-t:a = 1] WITHIN 5 SECONDS')
  })

  it('keeps the parentheses that change meaning', () => {
    for (const text of [
      '([x-t:a = 1] OR [x-t:a = 2]) AND [x-t:a = 3]',
      '[x-t:a = 1] AND ([x-t:a = 2] FOLLOWEDBY [x-t:a = 3])',
      '([x-t:a = 1] FOLLOWEDBY [x-t:a = 2]) REPEATS 5 TIMES',
      '([x-t:a = 1] AND [x-t:a = 2]) WITHIN 300 SECONDS',
      '[(x-t:a = 1 OR x-t:b = 2) AND x-t:c = 3]',
      // Same-operator groups written with parentheses stay groups.
      '([x-t:a = 1] FOLLOWEDBY [x-t:a = 2]) FOLLOWEDBY [x-t:a = 3]',
      '[(x-t:a = 1 AND x-t:b = 2) AND x-t:c = 3]',
    ]) {
      expect(format(text)).toBe(text)
    }
  })

  it('quotes path components that are not plain identifiers (section 9.7)', () => {
    const p = (s: string): string => {
      const pattern = parse(`[${s} = 1]`)
      if (pattern.expr.kind !== 'observation' || pattern.expr.expr.kind !== 'comparison') {
        throw new Error('shape')
      }
      return printPath(pattern.expr.expr.path)
    }
    expect(p("file:'hashes'.'MD5'")).toBe('file:hashes.MD5')
    expect(p("file:hashes.'SHA-256'")).toBe("file:hashes.'SHA-256'")
    expect(p("x-t:'a.b'[0][*].'it\\'s'")).toBe("x-t:'a.b'[0][*].'it\\'s'")
    expect(p("x-t:'1abc'.'with space'.''")).toBe("x-t:'1abc'.'with space'.''")
    expect(p('x-t:IN.true')).toBe("x-t:'IN'.'true'")
  })

  it('re-escapes and normalises constants (section 9.2)', () => {
    const c = (s: string): string => {
      const pattern = parse(`[x-t:a = ${s}]`)
      if (pattern.expr.kind !== 'observation' || pattern.expr.expr.kind !== 'comparison') {
        throw new Error('shape')
      }
      return printConstant(pattern.expr.expr.value)
    }
    expect(c("'it\\'s \\\\ here'")).toBe("'it\\'s \\\\ here'")
    expect(c('7.0')).toBe('7.0')
    expect(c('.5')).toBe('0.5')
    expect(c('-0.0')).toBe('0.0')
    expect(c('0.0000001')).toBe('0.0000001')
    expect(c('1000000000000000000000000.0')).toBe('1000000000000000000000000.0')
    expect(c('-9007199254740991')).toBe('-9007199254740991')
    expect(c('true')).toBe('true')
    expect(c("h'FFD8'")).toBe("h'ffd8'")
    expect(c("b'dGhp\ncyBp'")).toBe("b'dGhpcyBp'")
    // 'AB==' carries non-zero padding bits; the byte it encodes is 0x00.
    expect(c("b'AB=='")).toBe("b'AA=='")
    expect(c("t'2014-01-13T07:03:17.5Z'")).toBe("t'2014-01-13T07:03:17.5Z'")
  })

  it('prints a pattern built in code with the factories', () => {
    const path = ast.path({
      objectType: 'file',
      steps: [
        ast.property({ name: 'hashes', quoted: false, span: NO_SPAN }),
        ast.property({ name: 'SHA-256', quoted: false, span: NO_SPAN }),
      ],
      span: NO_SPAN,
    })
    const value = ast.string({ value: 'ab', span: NO_SPAN })
    const comparison = ast.comparison({ path, operator: '=', negated: false, value, span: NO_SPAN })
    const observation = ast.observation({ expr: comparison, span: NO_SPAN })
    const qualified = ast.qualified({
      expr: ast.observationOr({ operands: [observation, observation], span: NO_SPAN }),
      qualifier: { kind: 'within', seconds: 0.5, span: NO_SPAN },
      span: NO_SPAN,
    })
    expect(printPattern(qualified)).toBe(
      "([file:hashes.'SHA-256' = 'ab'] OR [file:hashes.'SHA-256' = 'ab']) WITHIN 0.5 SECONDS",
    )
  })
})

describe('printPattern: round trip', () => {
  for (const { title, pattern } of readSpecExamples()) {
    it(`reparses the printed example of section ${title} into the same AST`, () => {
      const first = parse(pattern)
      const printed = printPattern(first)
      expect(view(parse(printed))).toEqual(view(first))
      // Canonical text is a fixed point.
      expect(printPattern(parse(printed))).toBe(printed)
    })
  }

  it('reparses printed random ASTs into the same AST (fast-check)', () => {
    fc.assert(
      fc.property(patternArbitrary, (expr) => {
        const printed = printPattern(expr)
        const r = parsePattern(printed)
        if (!r.ok) throw new Error(`${printed}\n${r.error.message}`)
        expect(view(r.pattern.expr)).toEqual(view(expr))
        expect(printPattern(r.pattern)).toBe(printed)
      }),
      { numRuns: 1500 },
    )
  })
})

// ---- arbitraries: random but well-formed ASTs ----

const S = NO_SPAN

const nameArbitrary = fc.oneof(
  fc.constantFrom('name', 'size', 'hashes', 'value', 'x_custom', '_under', 'A1'),
  fc.constantFrom('SHA-256', 'windows-pebinary-ext', 'a.b', "it's", 'back\\slash', 'AND', 'true'),
  fc.string({ minLength: 0, maxLength: 8, unit: 'binary' }),
)

const stepArbitrary: fc.Arbitrary<PathStep> = fc.oneof(
  nameArbitrary.map((name) => ast.property({ name, quoted: false, span: S })),
  fc.nat({ max: 1000 }).map((index) => ast.index({ index, span: S })),
  fc.constant(ast.anyIndex({ span: S })),
)

const pathArbitrary: fc.Arbitrary<ObjectPath> = fc
  .record({
    objectType: fc.constantFrom('file', 'ipv4-addr', 'network-traffic', 'x-usb-device', 'a_b'),
    first: nameArbitrary,
    rest: fc.array(stepArbitrary, { maxLength: 4 }),
  })
  .map(({ objectType, first, rest }) =>
    ast.path({
      objectType,
      steps: [ast.property({ name: first, quoted: true, span: S }), ...rest],
      span: S,
    }),
  )

const timestampArbitrary = fc
  .record({
    date: fc.date({
      min: new Date('0001-01-01T00:00:00Z'),
      max: new Date('9999-12-31T23:59:59Z'),
      noInvalidDate: true,
    }),
    extra: fc.stringMatching(/^[0-9]{0,6}$/),
  })
  .map(({ date, extra }) => {
    const iso = date.toISOString()
    const text = `${iso.slice(0, 23)}${extra}Z`
    // Past 2^53 microseconds (year 2255) a number cannot hold every microsecond, so take the
    // parser's own rounding; parse-pattern.test.ts checks the arithmetic itself.
    const micros = parseTimestamp(text)
    if (typeof micros === 'string') throw new Error(micros)
    return ast.timestamp({ text, micros, span: S })
  })

const floatArbitrary = fc
  .double({ noNaN: true, noDefaultInfinity: true })
  .map((v) => (v === 0 ? 0 : v))

const stringConstant = fc
  .string({ maxLength: 12, unit: 'binary' })
  .map((value) => ast.string({ value, span: S }))

const scalarArbitrary: fc.Arbitrary<ScalarConstant> = fc.oneof(
  stringConstant,
  fc
    .integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER })
    .map((v) => ast.int({ value: v === 0 ? 0 : v, span: S })),
  floatArbitrary.map((value) => ast.float({ value, span: S })),
  fc.boolean().map((value) => ast.bool({ value, span: S })),
  fc.uint8Array({ maxLength: 10 }).map((value) => ast.binary({ value, text: '', span: S })),
  fc.uint8Array({ maxLength: 10 }).map((value) => ast.hex({ value, text: '', span: S })),
  timestampArbitrary,
)

const comparisonArbitrary: fc.Arbitrary<ComparisonExpr> = fc
  .record({
    path: pathArbitrary,
    negated: fc.boolean(),
    operator: fc.constantFrom<ComparisonOperator>(
      '=',
      '!=',
      '>',
      '<',
      '>=',
      '<=',
      'IN',
      'LIKE',
      'MATCHES',
      'ISSUBSET',
      'ISSUPERSET',
    ),
    scalar: scalarArbitrary,
    string: stringConstant,
    list: fc.array(scalarArbitrary, { maxLength: 4 }),
  })
  .map(({ path, negated, operator, scalar, string, list }) => {
    let value: Constant
    switch (operator) {
      case 'IN':
        value = ast.list({ items: list, span: S })
        break
      case 'LIKE':
      case 'MATCHES':
      case 'ISSUBSET':
      case 'ISSUPERSET':
        value = string
        break
      case '>':
      case '<':
      case '>=':
      case '<=':
        value = scalar.kind === 'bool' ? string : scalar
        break
      case '=':
      case '!=':
        value = scalar
        break
    }
    return ast.comparison({ path, operator, negated, value, span: S })
  })

const existsArbitrary: fc.Arbitrary<ComparisonExpr> = fc
  .record({ path: pathArbitrary, negated: fc.boolean() })
  .map(({ path, negated }) => ast.exists({ path, negated, span: S }))

const { comparisonExpr } = fc.letrec<{ comparisonExpr: ComparisonExpr }>((tie) => ({
  comparisonExpr: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    comparisonArbitrary,
    existsArbitrary,
    fc
      .array(tie('comparisonExpr'), { minLength: 2, maxLength: 3 })
      .map((operands) => ast.comparisonAnd({ operands, span: S })),
    fc
      .array(tie('comparisonExpr'), { minLength: 2, maxLength: 3 })
      .map((operands) => ast.comparisonOr({ operands, span: S })),
  ),
}))

const qualifierArbitrary: fc.Arbitrary<Qualifier> = fc.oneof(
  fc
    .oneof(
      fc.integer({ min: 1, max: 1_000_000 }),
      fc.double({ min: Number.MIN_VALUE, max: 1e6, noNaN: true }),
    )
    .map((seconds): Qualifier => ({ kind: 'within', seconds, span: S })),
  fc
    .integer({ min: 1, max: 10_000 })
    .map((times): Qualifier => ({ kind: 'repeats', times, span: S })),
  fc
    .tuple(timestampArbitrary, timestampArbitrary)
    .map(([start, stop]): Qualifier => ({ kind: 'start-stop', start, stop, span: S })),
)

const { observationExpr } = fc.letrec<{ observationExpr: ObservationExpr }>((tie) => ({
  observationExpr: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    comparisonExpr.map((expr) => ast.observation({ expr, span: S })),
    fc
      .array(tie('observationExpr'), { minLength: 2, maxLength: 3 })
      .map((operands) => ast.observationAnd({ operands, span: S })),
    fc
      .array(tie('observationExpr'), { minLength: 2, maxLength: 3 })
      .map((operands) => ast.observationOr({ operands, span: S })),
    fc
      .array(tie('observationExpr'), { minLength: 2, maxLength: 3 })
      .map((operands) => ast.followedBy({ operands, span: S })),
    fc
      .tuple(tie('observationExpr'), qualifierArbitrary)
      .map(([expr, qualifier]) => ast.qualified({ expr, qualifier, span: S })),
  ),
}))

const patternArbitrary = observationExpr
