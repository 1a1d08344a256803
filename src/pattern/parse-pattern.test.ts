import { readdirSync, readFileSync } from 'node:fs'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { readSpecExamples, stripSpans } from '../../test/fixtures/patterns/ast-json.js'
import type {
  Comparison,
  ComparisonExpr,
  Constant,
  ObjectPath,
  ObservationExpr,
  Pattern,
  Qualifier,
} from './ast.js'
import { parsePattern } from './parse-pattern.js'
import type { PatternIssue } from './pattern-issue.js'
import { validatePattern } from './validate-pattern.js'

function ok(text: string): Pattern {
  const r = parsePattern(text)
  if (!r.ok) throw new Error(`expected ${text} to parse: ${r.error.message}`)
  return r.pattern
}

function err(text: string): PatternIssue {
  const r = parsePattern(text)
  if (r.ok) throw new Error(`expected ${text} to fail`)
  return r.error
}

/** The comparison expression of a single-observation pattern. */
function cmpExpr(text: string): ComparisonExpr {
  const p = ok(text)
  if (p.expr.kind !== 'observation') throw new Error(`not a single observation: ${p.expr.kind}`)
  return p.expr.expr
}

function cmp(text: string): Comparison {
  const c = cmpExpr(text)
  if (c.kind !== 'comparison') throw new Error(`not a comparison: ${c.kind}`)
  return c
}

function constant(text: string): Constant {
  return cmp(`[x-t:p = ${text}]`).value
}

function path(text: string): ObjectPath {
  return cmp(`[${text} = 1]`).path
}

/** A compact rendering of the observation tree shape, for precedence tests. */
function shape(e: ObservationExpr): string {
  switch (e.kind) {
    case 'observation': {
      const c = e.expr
      return c.kind === 'comparison' && c.value.kind === 'int' ? String(c.value.value) : '?'
    }
    case 'observation-and':
      return `and(${e.operands.map(shape).join(',')})`
    case 'observation-or':
      return `or(${e.operands.map(shape).join(',')})`
    case 'followed-by':
      return `fb(${e.operands.map(shape).join(',')})`
    case 'qualified':
      return `${qualifierShape(e.qualifier)}(${shape(e.expr)})`
  }
}

function qualifierShape(q: Qualifier): string {
  switch (q.kind) {
    case 'within':
      return `within${q.seconds}`
    case 'repeats':
      return `repeats${q.times}`
    case 'start-stop':
      return 'startstop'
  }
}

function cmpShape(e: ComparisonExpr): string {
  switch (e.kind) {
    case 'comparison':
      return e.value.kind === 'int' ? String(e.value.value) : '?'
    case 'exists':
      return `exists`
    case 'comparison-and':
      return `and(${e.operands.map(cmpShape).join(',')})`
    case 'comparison-or':
      return `or(${e.operands.map(cmpShape).join(',')})`
  }
}

const o = (n: number): string => `[x-t:p = ${n}]`

describe('parsePattern: specification examples', () => {
  const examples = readSpecExamples()

  it('reads every example of the fixture', () => {
    expect(examples.length).toBe(37)
  })

  for (const { title, pattern } of examples) {
    it(`parses the example of section ${title}`, () => {
      const r = parsePattern(pattern)
      expect(r.ok ? 'ok' : r.error.message).toBe('ok')
    })
  }

  // The comparison expressions of the 9.6.1 operator table, each placed in an observation.
  const comparisons = [
    "file:name = 'foo.dll'",
    'file:size != 4112',
    'file:size > 256',
    'file:size < 1024',
    'file:size <= 25145',
    'file:size >= 33312',
    "process:name IN ('proccy', 'proximus', 'badproc')",
    "directory:path LIKE 'C:\\\\Windows\\\\%\\\\foo'",
    "directory:path MATCHES '^C:\\\\\\\\Windows\\\\w+$'",
    "ipv4-addr:value ISSUBSET '198.51.100.0/24'",
    "ipv4-addr:value ISSUPERSET '198.51.100.0/24'",
    'EXISTS windows-registry-key:values',
    "user-account:value = 'Peter' OR user-account:value = 'Mary'",
  ]
  for (const c of comparisons) {
    it(`parses the comparison example ${c} (sections 9.1, 9.6.1)`, () => {
      expect(parsePattern(`[${c}]`).ok).toBe(true)
    })
  }

  // The object path examples of section 9.7.
  const paths = [
    'file:size',
    "file:extensions.'windows-pebinary-ext'.sections[*].entropy",
    'network-traffic:protocols[0]',
    'file:hashes.ssdeep',
    "file:extensions.'raster-image-ext'.image_height",
    'email-message:from_ref.value',
    'directory:contains_refs[*].name',
  ]
  for (const p of paths) {
    it(`parses the object path example ${p} (section 9.7)`, () => {
      expect(parsePattern(`[${p} = 1]`).ok).toBe(true)
    })
  }

  it('decodes the escapes of the 9.8 registry example', () => {
    const c = cmp("[windows-registry-key:key = 'HKEY_LOCAL_MACHINE\\\\foo\\\\bar']")
    expect(c.value).toMatchObject({ kind: 'string', value: 'HKEY_LOCAL_MACHINE\\foo\\bar' })
  })

  it("accepts MATCHES directly followed by its string (9.8, MATCHES'^.+...')", () => {
    const c = cmp("[process:command_line MATCHES'^.+$']")
    expect(c.operator).toBe('MATCHES')
    expect(c.value).toMatchObject({ kind: 'string', value: '^.+$' })
  })
})

describe('parsePattern: golden ASTs (test/fixtures/patterns/golden)', () => {
  const dir = new URL('../../test/fixtures/patterns/golden/', import.meta.url)
  const files = readdirSync(dir).filter((f) => f.endsWith('.txt'))

  it('has golden files', () => {
    expect(files.length).toBeGreaterThanOrEqual(10)
  })

  for (const file of files) {
    it(`parses ${file} into the AST of ${file.replace(/\.txt$/, '.ast.json')}`, () => {
      const text = readFileSync(new URL(file, dir), 'utf8')
      const expected: unknown = JSON.parse(
        readFileSync(new URL(file.replace(/\.txt$/, '.ast.json'), dir), 'utf8'),
      )
      const r = parsePattern(text)
      if (!r.ok) throw new Error(r.error.message)
      expect(stripSpans(r.pattern)).toEqual(expected)
    })
  }
})

describe('parsePattern: observation operators and precedence (section 9.5.3)', () => {
  it('binds AND tighter than OR, and OR tighter than FOLLOWEDBY', () => {
    const p = ok(`${o(1)} FOLLOWEDBY ${o(2)} OR ${o(3)} AND ${o(4)} FOLLOWEDBY ${o(5)}`)
    expect(shape(p.expr)).toBe('fb(1,or(2,and(3,4)),5)')
  })

  it('flattens chains of one operator into one n-ary node', () => {
    expect(shape(ok(`${o(1)} AND ${o(2)} AND ${o(3)}`).expr)).toBe('and(1,2,3)')
    expect(shape(ok(`${o(1)} OR ${o(2)} OR ${o(3)}`).expr)).toBe('or(1,2,3)')
    expect(shape(ok(`${o(1)} FOLLOWEDBY ${o(2)} FOLLOWEDBY ${o(3)}`).expr)).toBe('fb(1,2,3)')
  })

  it('keeps parenthesised groups nested', () => {
    expect(shape(ok(`(${o(1)} AND ${o(2)}) AND ${o(3)}`).expr)).toBe('and(and(1,2),3)')
    expect(shape(ok(`${o(1)} AND (${o(2)} OR ${o(3)})`).expr)).toBe('and(1,or(2,3))')
    expect(shape(ok(`((${o(1)}))`).expr)).toBe('1')
  })

  it('applies a qualifier to the nearest observation, not greedily (section 9.5.2)', () => {
    const p = ok(`${o(1)} FOLLOWEDBY ${o(2)} REPEATS 5 TIMES`)
    expect(shape(p.expr)).toBe('fb(1,repeats5(2))')
  })

  it('applies a qualifier after parentheses to the whole group (section 9.5.2)', () => {
    const p = ok(`(${o(1)} FOLLOWEDBY ${o(2)}) REPEATS 5 TIMES`)
    expect(shape(p.expr)).toBe('repeats5(fb(1,2))')
  })

  it('stacks qualifiers, innermost first', () => {
    const p = ok(`${o(1)} REPEATS 5 TIMES WITHIN 1800 SECONDS`)
    expect(shape(p.expr)).toBe('within1800(repeats5(1))')
    const q = ok(
      `${o(1)} START t'2016-06-01T00:00:00Z' STOP t'2016-07-01T00:00:00Z' WITHIN 2.5 SECONDS REPEATS 2 TIMES`,
    )
    expect(shape(q.expr)).toBe('repeats2(within2.5(startstop(1)))')
  })

  it('qualifies a group inside an operator chain', () => {
    const p = ok(`${o(1)} AND (${o(2)} OR ${o(3)}) WITHIN 10 SECONDS AND ${o(4)}`)
    expect(shape(p.expr)).toBe('and(1,within10(or(2,3)),4)')
  })
})

describe('parsePattern: qualifiers (section 9.5.1)', () => {
  it('reads WITHIN with an integer or a float number of seconds', () => {
    const a = ok(`${o(1)} WITHIN 300 SECONDS`).expr
    const b = ok(`${o(1)} WITHIN 0.25 SECONDS`).expr
    expect(a).toMatchObject({ kind: 'qualified', qualifier: { kind: 'within', seconds: 300 } })
    expect(b).toMatchObject({ kind: 'qualified', qualifier: { kind: 'within', seconds: 0.25 } })
  })

  it('reads REPEATS with a positive integer', () => {
    expect(ok(`${o(1)} REPEATS 3 TIMES`).expr).toMatchObject({
      qualifier: { kind: 'repeats', times: 3 },
    })
  })

  it('reads START/STOP timestamps with their microseconds', () => {
    const e = ok(`${o(1)} START t'2016-06-01T00:00:00Z' STOP t'2016-07-01T00:00:00.5Z'`).expr
    expect(e).toMatchObject({
      qualifier: {
        kind: 'start-stop',
        start: { kind: 'timestamp', text: '2016-06-01T00:00:00Z', micros: 1464739200000000 },
        stop: { kind: 'timestamp', micros: 1467331200500000 },
      },
    })
  })

  it.each([
    [
      `${o(1)} WITHIN 0 SECONDS`,
      20,
      'WITHIN needs a positive number of seconds, found 0 (STIX 2.1 section 9.5.1)',
    ],
    [
      `${o(1)} WITHIN -5 SECONDS`,
      20,
      'WITHIN needs a positive number of seconds, found -5 (STIX 2.1 section 9.5.1)',
    ],
    [
      `${o(1)} WITHIN 0.0 SECONDS`,
      20,
      'WITHIN needs a positive number of seconds, found 0.0 (STIX 2.1 section 9.5.1)',
    ],
    [
      `${o(1)} WITHIN 5 MINUTES`,
      22,
      "expected 'SECONDS' (the only time unit of WITHIN), found 'MINUTES'",
    ],
    [
      `${o(1)} WITHIN SECONDS`,
      20,
      "expected a positive number of seconds after WITHIN, found keyword 'SECONDS'",
    ],
    [
      `${o(1)} REPEATS 0 TIMES`,
      21,
      'REPEATS needs a positive integer, found 0 (STIX 2.1 section 9.5.1)',
    ],
    [
      `${o(1)} REPEATS 2.5 TIMES`,
      21,
      'REPEATS needs a positive integer, found 2.5 (STIX 2.1 section 9.5.1)',
    ],
    [`${o(1)} REPEATS 2`, 22, "expected 'TIMES', found end of pattern"],
    [
      `${o(1)} START '2016-06-01T00:00:00Z'`,
      19,
      "expected a timestamp t'...' after START, found string '2016-06-01T00:00:00Z'",
    ],
    [
      `${o(1)} START t'2016-06-01T00:00:00Z'`,
      42,
      "expected 'STOP' after START t'...', found end of pattern",
    ],
  ])('rejects %s at column %i', (text, column, message) => {
    const e = err(text)
    expect(e.column).toBe(column)
    expect(e.message).toBe(`column ${column}: ${message}`)
  })
})

describe('parsePattern: comparison expressions (sections 9.6, 9.6.1)', () => {
  it('binds AND tighter than OR inside an observation (section 9.5)', () => {
    expect(cmpShape(cmpExpr('[x-t:p = 1 AND x-t:p = 2 OR x-t:p = 3]'))).toBe('or(and(1,2),3)')
    expect(cmpShape(cmpExpr('[x-t:p = 1 OR x-t:p = 2 AND x-t:p = 3]'))).toBe('or(1,and(2,3))')
  })

  it('flattens same-operator chains and keeps parenthesised groups', () => {
    expect(cmpShape(cmpExpr('[x-t:p = 1 AND x-t:p = 2 AND x-t:p = 3]'))).toBe('and(1,2,3)')
    expect(cmpShape(cmpExpr('[(x-t:p = 1 OR x-t:p = 2) AND x-t:p = 3]'))).toBe('and(or(1,2),3)')
    expect(cmpShape(cmpExpr('[(x-t:p = 1 AND x-t:p = 2) AND x-t:p = 3]'))).toBe('and(and(1,2),3)')
    expect(cmpShape(cmpExpr('[((x-t:p = 1))]'))).toBe('1')
  })

  it.each(['=', '!=', '>', '<', '>=', '<='] as const)('reads operator %s', (op) => {
    const c = cmp(`[file:size ${op} 10]`)
    expect(c).toMatchObject({ operator: op, negated: false, value: { kind: 'int', value: 10 } })
  })

  it.each(['LIKE', 'MATCHES', 'ISSUBSET', 'ISSUPERSET'] as const)('reads operator %s', (op) => {
    const c = cmp(`[ipv4-addr:value ${op} 'x']`)
    expect(c).toMatchObject({ operator: op, negated: false, value: { kind: 'string', value: 'x' } })
  })

  it('reads IN with a list of constants', () => {
    const c = cmp("[process:name IN ('a', 'b', 'c')]")
    expect(c.operator).toBe('IN')
    expect(stripSpans(c.value)).toEqual({
      kind: 'list',
      items: [
        { kind: 'string', value: 'a' },
        { kind: 'string', value: 'b' },
        { kind: 'string', value: 'c' },
      ],
    })
  })

  it('reads IN with an empty list and with one item', () => {
    expect(cmp('[x-t:p IN ()]').value).toMatchObject({ kind: 'list', items: [] })
    expect(cmp('[x-t:p IN (1)]').value).toMatchObject({ kind: 'list', items: [{ value: 1 }] })
  })

  it.each(['=', '!=', '>', '<', '>=', '<=', 'IN', 'LIKE', 'MATCHES', 'ISSUBSET', 'ISSUPERSET'])(
    'reads NOT before operator %s (section 9.6.1)',
    (op) => {
      const operand = op === 'IN' ? "('a')" : "'a'"
      const c = cmp(`[x-t:p NOT ${op} ${operand}]`)
      expect(c.operator).toBe(op)
      expect(c.negated).toBe(true)
    },
  )

  it('reads EXISTS and NOT EXISTS', () => {
    expect(cmpExpr('[EXISTS windows-registry-key:values]')).toMatchObject({
      kind: 'exists',
      negated: false,
      path: { objectType: 'windows-registry-key' },
    })
    expect(cmpExpr('[NOT EXISTS file:name]')).toMatchObject({ kind: 'exists', negated: true })
  })

  it('reads EXISTS among other comparisons', () => {
    expect(cmpShape(cmpExpr('[EXISTS x-t:a AND x-t:p = 1 OR NOT EXISTS x-t:b]'))).toBe(
      'or(and(exists,1),exists)',
    )
  })
})

describe('parsePattern: object paths (section 9.7)', () => {
  it('reads a basic property', () => {
    expect(stripSpans(path('file:size'))).toEqual({
      kind: 'path',
      objectType: 'file',
      steps: [{ kind: 'property', name: 'size', quoted: false }],
    })
  })

  it('reads nested, quoted, indexed and any-index steps', () => {
    expect(
      stripSpans(path("file:extensions.'windows-pebinary-ext'.sections[*].hashes.'SHA-256'")),
    ).toEqual({
      kind: 'path',
      objectType: 'file',
      steps: [
        { kind: 'property', name: 'extensions', quoted: false },
        { kind: 'property', name: 'windows-pebinary-ext', quoted: true },
        { kind: 'property', name: 'sections', quoted: false },
        { kind: 'any-index' },
        { kind: 'property', name: 'hashes', quoted: false },
        { kind: 'property', name: 'SHA-256', quoted: true },
      ],
    })
    expect(path('network-traffic:protocols[0]').steps[1]).toMatchObject({ kind: 'index', index: 0 })
    expect(path('x-t:a[12][*][3]').steps.map((s) => s.kind)).toEqual([
      'property',
      'index',
      'any-index',
      'index',
    ])
  })

  it('reads reference traversal (section 9.7.4)', () => {
    expect(
      path('email-message:from_ref.value').steps.map((s) => s.kind === 'property' && s.name),
    ).toEqual(['from_ref', 'value'])
    expect(path('directory:contains_refs[*].name').steps).toHaveLength(3)
  })

  it('reads a quoted first property and escapes inside quoted names', () => {
    expect(path("x-t:'a.b'.'it\\'s'").steps).toMatchObject([
      { name: 'a.b', quoted: true },
      { name: "it's", quoted: true },
    ])
  })

  it('reads the custom object type of the 9.8 USB example', () => {
    const p = path('x-usb-device:usbdrive.serial_number')
    expect(p.objectType).toBe('x-usb-device')
  })

  it('accepts keywords as property names after the colon or a dot', () => {
    expect(path('x-t:IN.AND').steps).toMatchObject([{ name: 'IN' }, { name: 'AND' }])
  })
})

describe('parsePattern: constants (section 9.2)', () => {
  it('reads strings with the two escapes', () => {
    expect(constant("'it\\'s a \\\\ back'")).toMatchObject({
      kind: 'string',
      value: "it's a \\ back",
    })
    expect(constant("''")).toMatchObject({ kind: 'string', value: '' })
    expect(constant("'ünïcödé ☃ 😀'")).toMatchObject({ value: 'ünïcödé ☃ 😀' })
  })

  it('reads integers and floats, negative ones too', () => {
    expect(constant('42')).toMatchObject({ kind: 'int', value: 42 })
    expect(constant('-42')).toMatchObject({ kind: 'int', value: -42 })
    expect(constant('0')).toMatchObject({ kind: 'int', value: 0 })
    expect(constant('9007199254740991')).toMatchObject({ kind: 'int', value: 9007199254740991 })
    expect(constant('7.0')).toMatchObject({ kind: 'float', value: 7 })
    expect(constant('-0.5')).toMatchObject({ kind: 'float', value: -0.5 })
    expect(constant('.5')).toMatchObject({ kind: 'float', value: 0.5 })
  })

  it('reads booleans', () => {
    expect(constant('true')).toMatchObject({ kind: 'bool', value: true })
    expect(constant('false')).toMatchObject({ kind: 'bool', value: false })
  })

  it('decodes binary constants and ignores line feeds in them', () => {
    const b = constant("b'ABI='")
    expect(b.kind).toBe('binary')
    if (b.kind !== 'binary') return
    expect(Array.from(b.value)).toEqual([0, 18])
    expect(b.text).toBe('ABI=')
    const c = constant("b'dGhp\ncyBp\r\ncyBh'")
    if (c.kind !== 'binary') throw new Error(c.kind)
    expect(new TextDecoder().decode(c.value)).toBe('this is a')
    expect(constant("b''")).toMatchObject({ kind: 'binary', value: new Uint8Array(0) })
  })

  it('decodes hex constants in either case', () => {
    const h = constant("h'ffC3'")
    if (h.kind !== 'hex') throw new Error(h.kind)
    expect(Array.from(h.value)).toEqual([0xff, 0xc3])
    expect(h.text).toBe('ffC3')
  })

  it('reads timestamps with fractions into microseconds', () => {
    expect(constant("t'2014-01-13T07:03:17Z'")).toMatchObject({
      kind: 'timestamp',
      text: '2014-01-13T07:03:17Z',
      micros: 1389596597000000,
    })
    expect(constant("t'1970-01-01T00:00:00.000001Z'")).toMatchObject({ micros: 1 })
    expect(constant("t'1969-12-31T23:59:59.9Z'")).toMatchObject({ micros: -100000 })
    expect(constant("t'2024-02-29T12:00:00.123456789Z'")).toMatchObject({
      micros: Date.UTC(2024, 1, 29, 12) * 1000 + 123456,
    })
  })
})

describe('parsePattern: syntax errors', () => {
  it.each([
    [
      '',
      1,
      1,
      "the pattern is empty: expected an observation expression such as [type:property = 'value']",
    ],
    [
      '   \n  ',
      2,
      3,
      "the pattern is empty: expected an observation expression such as [type:property = 'value']",
    ],
    [
      "[file:name = 'x'",
      1,
      17,
      "expected ']' to close the observation expression opened at column 1, found end of pattern",
    ],
    [
      "[file:name = 'x' OR file:size = 3",
      1,
      34,
      "expected ']' to close the observation expression opened at column 1, found end of pattern",
    ],
    [
      "[file:name = 'x'] AND",
      1,
      22,
      "expected '[' or '(' to start an observation expression, found end of pattern",
    ],
    [
      "[file:name = 'x'] [file:size = 1]",
      1,
      19,
      "expected end of pattern or an observation operator ('AND', 'OR', 'FOLLOWEDBY') or qualifier, found '['",
    ],
    [
      "file:name = 'x'",
      1,
      1,
      "expected '[' or '(' to start an observation expression (comparison expressions must be enclosed in [ ]), found 'file'",
    ],
    [
      "[file:name = 'x'] and [file:size = 1]",
      1,
      19,
      "expected end of pattern or an observation operator ('AND', 'OR', 'FOLLOWEDBY') or qualifier, found 'and' (keywords are case-sensitive: write 'AND')",
    ],
    [
      "[file:name = 'x' and file:size = 1]",
      1,
      18,
      "expected ']' to close the observation expression opened at column 1, found 'and' (keywords are case-sensitive: write 'AND')",
    ],
    [
      "([file:name = 'x']",
      1,
      19,
      "expected ')' to close the parenthesis opened at column 1, found end of pattern",
    ],
    [
      "[(file:name = 'x']",
      1,
      18,
      "expected ')' to close the parenthesis opened at column 2, found ']'",
    ],
    ['[]', 1, 2, "expected a comparison expression, found ']'"],
    ["[= 'x']", 1, 2, "expected an object path such as file:name, found '='"],
    [
      '[file.size = 1]',
      1,
      6,
      "expected ':' between the object type 'file' and its property, found '.'",
    ],
    ['[file = 1]', 1, 7, "expected ':' after the object type 'file', found '='"],
    ['[file: = 1]', 1, 8, "expected a property name, found '='"],
    [
      "[file:hashes.SHA-256 = 'x']",
      1,
      14,
      "property name 'SHA-256' contains '-' and must be quoted: 'SHA-256' (STIX 2.1 section 9.7)",
    ],
    ["[file:name 'x']", 1, 12, "expected a comparison operator, found string 'x'"],
    ["[file:name == 'x']", 1, 13, "expected a constant, found '='"],
    ['[file:name = ]', 1, 14, "expected a constant, found ']'"],
    ['[file:name = foo]', 1, 14, "expected a constant, found 'foo'"],
    ["[file:name NOT 'x']", 1, 16, "expected a comparison operator, found string 'x'"],
    [
      "[NOT file:name = 'x']",
      1,
      6,
      "expected 'EXISTS' (NOT before a comparison goes between the object path and the operator), found 'file'",
    ],
    ['[EXISTS = 1]', 1, 9, "expected an object path such as file:name, found '='"],
    ['[file:name MATCHES 1]', 1, 20, 'expected a string constant after MATCHES, found integer 1'],
    [
      "[file:name LIKE b'AA==']",
      1,
      17,
      'expected a string constant after LIKE, found a binary constant',
    ],
    [
      '[ipv4-addr:value ISSUBSET true]',
      1,
      27,
      "expected a string constant after ISSUBSET, found 'true'",
    ],
    [
      '[file:size > true]',
      1,
      14,
      "operator '>' at column 12 cannot compare a boolean (STIX 2.1 section 9.6.1)",
    ],
    ["[file:name IN 'x']", 1, 15, "expected '(' to start the list after IN, found string 'x'"],
    [
      "[file:name IN ('x' 'y')]",
      1,
      20,
      "expected ',' or ')' in the list opened at column 15, found string 'y'",
    ],
    ["[file:name IN ('x',)]", 1, 20, "expected a constant, found ')'"],
    [
      '[x-t:a[-1] = 1]',
      1,
      8,
      'expected a list index (a non-negative integer or *), found integer -1',
    ],
    ['[x-t:a[b] = 1]', 1, 8, "expected a list index (a non-negative integer or *), found 'b'"],
    ['[x-t:a[1 = 1]', 1, 10, "expected ']' to close the list index opened at column 7, found '='"],
    ["[file:name = 'x' ! file:size = 1]", 1, 18, "unexpected '!' (did you mean '!='?)"],
    ["[file:name = 'x'] & [file:size = 1]", 1, 19, "unexpected '&'"],
    ["[file:name = 'x\u0001'] \u0007", 1, 20, 'unexpected control character U+0007'],
    ["\ufeff[file:name = 'x']", 1, 1, 'unexpected invisible character U+FEFF'],
  ])('rejects %j at line %i, column %i', (text, line, column, message) => {
    const e = err(text)
    expect(e).toMatchObject({ severity: 'error', code: 'PATTERN_SYNTAX', line, column })
    const where = line === 1 ? `column ${column}` : `line ${line}, column ${column}`
    expect(e.message).toBe(`${where}: ${message}`)
  })

  it('names the tokens that were expected', () => {
    expect(err("[file:name = 'x'").expected).toEqual(["']'", "'AND'", "'OR'"])
    expect(err('[file:name]').expected).toContain("'MATCHES'")
    expect(err('[file:size = ]').expected).toEqual([
      'string',
      'integer',
      'float',
      'true',
      'false',
      "b'...'",
      "h'...'",
      "t'...'",
    ])
  })

  it('gives the 0-based offset beside the 1-based line and column', () => {
    const e = err("[file:name = 'x']\n  AND\n  [file:size = ]")
    expect(e).toMatchObject({ line: 3, column: 16, offset: 39 })
    expect(e.message).toBe("line 3, column 16: expected a constant, found ']'")
  })

  it('counts CR LF and lone CR as one line break each', () => {
    expect(err('[x-t:a = 1]\r\nAND\r\n]')).toMatchObject({ line: 3, column: 1 })
    expect(err('[x-t:a = 1]\rAND\r]')).toMatchObject({ line: 3, column: 1 })
  })

  it('points an unterminated multi-line string at its opening quote', () => {
    expect(err("[x-t:a = 1] AND\n[x-t:b = 'one\ntwo")).toMatchObject({
      line: 2,
      column: 10,
      message: `line 2, column 10: unterminated string: the string opened at line 2, column 10 has no closing "'"`,
    })
  })

  it('continues line counting through multi-line strings', () => {
    expect(err("[x-t:a = 'one\ntwo\nthree' = 1]")).toMatchObject({ line: 3, column: 8 })
  })

  describe('bad constants', () => {
    it.each([
      [
        "[x-t:a = 'abc]",
        10,
        `unterminated string: the string opened at column 10 has no closing "'"`,
      ],
      [
        "[x-t:a = 'a\\nb']",
        12,
        "invalid escape '\\n' in string: only \\' and \\\\ are allowed (STIX 2.1 section 9.2)",
      ],
      [
        "[x-t:a = 'a\\",
        10,
        `unterminated string: the string opened at column 10 has no closing "'"`,
      ],
      [
        "[x-t:a = h'abc']",
        10,
        "invalid hex constant h'abc': it must have an even number of hex digits (STIX 2.1 section 9.2)",
      ],
      ["[x-t:a = h'zz']", 10, "invalid hex constant h'zz': 'z' at position 1 is not a hex digit"],
      [
        "[x-t:a = h'ab]",
        10,
        `unterminated hex constant: no closing "'" for the quote at column 11`,
      ],
      [
        "[x-t:a = b'ABI']",
        10,
        "invalid binary constant b'ABI': base64 length must be a multiple of 4",
      ],
      [
        "[x-t:a = b'AB*=']",
        10,
        "invalid binary constant b'AB*=': '*' at position 3 is not a base64 character",
      ],
      [
        "[x-t:a = b'A=BC']",
        10,
        "invalid binary constant b'A=BC': '=' at position 2 is not a base64 character",
      ],
      [
        "[x-t:a = t'2014-01-13']",
        10,
        "invalid timestamp t'2014-01-13': expected the form YYYY-MM-DDTHH:MM:SS[.fraction]Z (STIX 2.1 section 2.16)",
      ],
      [
        "[x-t:a = t'2014-01-13T07:03:17+01:00']",
        10,
        "invalid timestamp t'2014-01-13T07:03:17+01:00': expected the form YYYY-MM-DDTHH:MM:SS[.fraction]Z (STIX 2.1 section 2.16): the time zone must be 'Z' (UTC)",
      ],
      [
        "[x-t:a = t'2014-01-13t07:03:17Z']",
        10,
        "invalid timestamp t'2014-01-13t07:03:17Z': expected the form YYYY-MM-DDTHH:MM:SS[.fraction]Z (STIX 2.1 section 2.16)",
      ],
      [
        "[x-t:a = t'2014-02-30T07:03:17Z']",
        10,
        "invalid timestamp t'2014-02-30T07:03:17Z': day 30 is out of range for month 2",
      ],
      [
        "[x-t:a = t'2023-02-29T07:03:17Z']",
        10,
        "invalid timestamp t'2023-02-29T07:03:17Z': day 29 is out of range for month 2",
      ],
      [
        "[x-t:a = t'2014-13-01T07:03:17Z']",
        10,
        "invalid timestamp t'2014-13-01T07:03:17Z': month 13 is out of range",
      ],
      [
        "[x-t:a = t'2014-01-01T24:00:00Z']",
        10,
        "invalid timestamp t'2014-01-01T24:00:00Z': hour 24 is out of range",
      ],
      [
        "[x-t:a = t'2014-01-01T00:00:00.Z']",
        10,
        "invalid timestamp t'2014-01-01T00:00:00.Z': expected the form YYYY-MM-DDTHH:MM:SS[.fraction]Z (STIX 2.1 section 2.16): the fraction needs at least one digit",
      ],
      [
        '[x-t:a = +5]',
        10,
        "unexpected '+': positive numbers are written without a plus sign (STIX 2.1 section 9.2)",
      ],
      ['[x-t:a = 007]', 10, "invalid number '007': leading zeros are not allowed"],
      ['[x-t:a = 1.]', 10, "invalid number '1.': expected digits after the decimal point"],
      ['[x-t:a = 1e5]', 10, "invalid number '1e5'"],
      ['[x-t:a = 1.2.3]', 10, "invalid number '1.2.3'"],
      ['[x-t:a = -]', 10, "unexpected '-': expected a digit after '-'"],
      [
        '[x-t:a = 9007199254740992]',
        10,
        "integer '9007199254740992' is out of range: it must lie within -(2^53)+1 and 2^53-1 (STIX 2.1 section 2.7)",
      ],
    ])('rejects %j at column %i', (text, column, message) => {
      const e = err(text)
      expect(e.column).toBe(column)
      expect(e.message).toBe(`column ${column}: ${message}`)
    })

    it('rejects a float too large for a double', () => {
      const e = err(`[x-t:a = ${'9'.repeat(400)}.0]`)
      expect(e.message).toMatch(/^column 10: float '9+\.0' is out of range$/)
    })
  })

  it('does not accept lowercase keywords (keywords are case-sensitive)', () => {
    expect(err('[x-t:a = 1] within 5 SECONDS').message).toContain("write 'WITHIN'")
    expect(err('[x-t:a like 1]').message).toContain("write 'LIKE'")
  })

  it('accepts only the lowercase boolean literals (section 9.2)', () => {
    expect(err('[x-t:a = TRUE]').message).toBe(
      "column 10: expected a constant (booleans are written in lowercase: true), found 'TRUE'",
    )
    expect(err('[x-t:a = False]').message).toContain('(booleans are written in lowercase: false)')
  })
})

describe('parsePattern: limits', () => {
  it('rejects nesting deeper than the limit with a clear error, not a stack overflow', () => {
    const deep = '('.repeat(100_000) + '[x-t:a = 1]' + ')'.repeat(100_000)
    const e = err(deep)
    expect(e.message).toBe(
      'column 101: nesting is too deep: more than 100 levels of brackets and parentheses',
    )
    const deepComparisons = '[' + '('.repeat(100_000) + 'x-t:a = 1'
    expect(err(deepComparisons).message).toMatch(/nesting is too deep/)
  })

  it('accepts nesting up to the limit', () => {
    const text = '('.repeat(99) + '[x-t:a = 1]' + ')'.repeat(99)
    expect(parsePattern(text).ok).toBe(true)
    expect(parsePattern('(' + text + ')').ok).toBe(false)
    expect(parsePattern('(' + text + ')', { maxDepth: 101 }).ok).toBe(true)
  })

  it('rejects a pattern longer than the limit before scanning it', () => {
    const r = parsePattern("[x-t:a = 'aaaa']", { maxLength: 10 })
    expect(r.ok).toBe(false)
    if (r.ok) return
    expect(r.error.message).toBe('the pattern is too long: 16 characters, the limit is 10')
  })

  it('parses a long flat chain without deep recursion', () => {
    const text = Array.from({ length: 20_000 }, (_, i) => `[x-t:a = ${i}]`).join(' OR ')
    const p = ok(text)
    expect(p.expr.kind === 'observation-or' && p.expr.operands.length).toBe(20_000)
  })
})

describe('parsePattern: spans', () => {
  const text = "[file:name = 'a.exe' AND file:size > 10] WITHIN 5 SECONDS"
  const p = ok(text)
  const slice = (s: { start: { offset: number }; end: { offset: number } }): string =>
    text.slice(s.start.offset, s.end.offset)

  it('covers the whole pattern', () => {
    expect(slice(p.span)).toBe(text)
  })

  it('locates observations, comparisons, paths, constants and qualifiers', () => {
    if (p.expr.kind !== 'qualified') throw new Error(p.expr.kind)
    expect(slice(p.expr.qualifier.span)).toBe('WITHIN 5 SECONDS')
    const obs = p.expr.expr
    expect(slice(obs.span)).toBe("[file:name = 'a.exe' AND file:size > 10]")
    if (obs.kind !== 'observation' || obs.expr.kind !== 'comparison-and') throw new Error('shape')
    const [first, second] = obs.expr.operands
    if (first?.kind !== 'comparison' || second?.kind !== 'comparison') throw new Error('shape')
    expect(slice(obs.expr.span)).toBe("file:name = 'a.exe' AND file:size > 10")
    expect(slice(first.span)).toBe("file:name = 'a.exe'")
    expect(slice(first.path.span)).toBe('file:name')
    expect(slice(first.value.span)).toBe("'a.exe'")
    expect(slice(second.value.span)).toBe('10')
    expect(first.value.span.start).toEqual({ offset: 13, line: 1, column: 14 })
  })

  it('gives spans with lines and columns across lines', () => {
    const q = ok("[x-t:a = 1]\n  AND [x-t:b = 'two']")
    if (q.expr.kind !== 'observation-and') throw new Error(q.expr.kind)
    const second = q.expr.operands[1]
    expect(second?.span.start).toEqual({ offset: 18, line: 2, column: 7 })
    expect(second?.span.end).toEqual({ offset: 33, line: 2, column: 22 })
  })

  it('returns frozen nodes', () => {
    expect(Object.isFrozen(p)).toBe(true)
    expect(Object.isFrozen(p.expr)).toBe(true)
  })
})

describe('parsePattern: robustness (fast-check)', () => {
  const examples = readSpecExamples().map((e) => e.pattern)
  const alphabet = fc.constantFrom(
    ...[
      '[',
      ']',
      '(',
      ')',
      "'",
      '\\',
      ':',
      '.',
      ',',
      '*',
      '=',
      '!',
      '<',
      '>',
      '-',
      '+',
      '0',
      '9',
      ' ',
      '\n',
    ],
    ...['AND ', 'OR ', 'NOT ', 'IN ', 'WITHIN ', 'SECONDS', 'REPEATS ', 'TIMES', 'START ', 'STOP '],
    ...["b'", "h'", "t'", 'file', 'x-t', 'true', '1.5', 'é', '😀', '\u2028'],
  )
  const soup = fc.array(alphabet, { maxLength: 40 }).map((parts) => parts.join(''))
  const mutated = fc
    .record({
      text: fc.constantFrom(...examples),
      at: fc.nat(),
      cut: fc.nat({ max: 5 }),
      insert: fc.string({ maxLength: 3, unit: 'binary' }),
    })
    .map(({ text, at, cut, insert }) => {
      const i = at % (text.length + 1)
      return text.slice(0, i) + insert + text.slice(i + cut)
    })

  it('never throws, and locates every error inside the text', () => {
    fc.assert(
      fc.property(fc.oneof(soup, mutated, fc.string({ unit: 'binary' })), (text) => {
        // validatePattern runs every check on whatever parses; it must not throw either.
        expect(validatePattern(text).ok).toBeTypeOf('boolean')
        const r = parsePattern(text)
        if (r.ok) return
        const e = r.error
        expect(e.offset).toBeGreaterThanOrEqual(0)
        expect(e.offset).toBeLessThanOrEqual(text.length)
        const lines = text.split(/\r\n|\r|\n/)
        expect(e.line).toBeGreaterThanOrEqual(1)
        expect(e.line).toBeLessThanOrEqual(lines.length)
        expect(e.column).toBeGreaterThanOrEqual(1)
        expect(e.column).toBeLessThanOrEqual((lines[e.line - 1]?.length ?? 0) + 1)
        expect(e.message.length).toBeGreaterThan(0)
      }),
      { numRuns: 3000 },
    )
  })
})
