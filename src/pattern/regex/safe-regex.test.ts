import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { isAppError } from '../../errors.js'
import { compileRegex } from './safe-regex.js'

describe('compileRegex', () => {
  it.each([
    ['^C:\\\\Windows\\w+$', 'C:\\Windowsfoo', true],
    ['^C:\\\\Windows\\w+$', 'C:\\Windows\\foo', false],
    ['.+\\@example\\.com$', 'bob@example.com', true],
    ['.+\\@example\\.com$', 'bob@example.com.org', false],
    ['^Final Report.+\\.exe$', 'Final Report Q3.exe', true],
    ['abc', 'xxabcxx', true],
    ['^abc', 'xxabc', false],
    ['abc$', 'abc\n', true],
    ['abc\\z', 'abc\n', false],
    ['\\Aabc', 'abc', true],
    ['(?m)^b$', 'a\nb\nc', true],
    ['^b$', 'a\nb\nc', false],
    ['a.c', 'a\nc', true],
    ['(?-s)a.c', 'a\nc', false],
    ['(?i)EVIL', 'an evil thing', true],
    ['(?i:E)VIL', 'eVIL', true],
    ['(?i:E)VIL', 'evil', false],
    ['EVIL', 'evil', false],
    ['a{2,3}b', 'aab', true],
    ['^a{2,3}b', 'ab', false],
    ['^a{2}$', 'aa', true],
    ['^a{2,}$', 'aaaaa', true],
    ['^a{,2}$', 'a{,2}', true],
    ['a{', 'a{', true],
    ['colou?r', 'color', true],
    ['x+?y', 'xxy', true],
    ['[^a-c]x', 'ax', false],
    ['[^a-c]x', 'dx', true],
    ['[]a]', ']', true],
    ['[a-]', '-', true],
    ['[\\d.]+$', '1.2', true],
    ['[[:xdigit:]]{4}', 'beef', true],
    ['[[:digit:]]', 'ab', false],
    ['\\bfoo\\b', 'a foo b', true],
    ['\\bfoo\\b', 'afoob', false],
    ['\\Bfoo', 'afoo', true],
    ['\\d\\D\\w\\W\\s\\S', '1a_b\tx', false],
    ['\\d\\D\\w\\W\\s\\S', '1ab- x', true],
    ['(cat|dog)s', 'hotdogs', true],
    ['a|b|c', 'zzc', true],
    ['^$', '', true],
    ['x*', '', true],
    ['\\x41\\x{42}\\u0043', 'ABC', true],
    ['\\t\\n', '\t\n', true],
    ['\\Q.*\\E', 'a.*b', true],
    ['\\Q.*\\E', 'ab', false],
    ['(?<name>ab)c', 'abc', true],
    ['(?#comment)ab', 'ab', true],
    ['\\p{Lu}', 'abcD', true],
    ['\\P{L}', 'abc', false],
    ['😀.', 'x😀y', true],
    ['^.$', '😀', true],
    ['^..$', '😀', false],
    ['[😀-😂]', '😁', true],
  ])('/%s/ on %j -> %s', (source, input, expected) => {
    expect(compileRegex(source).test(input)).toBe(expected)
  })

  it('matches bytes as code points 0-255 (binary properties)', () => {
    const re = compileRegex('\\xd4\\xc3\\xb2\\xa1')
    expect(re.testBytes(new Uint8Array([0, 0xd4, 0xc3, 0xb2, 0xa1]))).toBe(true)
    expect(re.testBytes(new Uint8Array([0xd4, 0xc3, 0xb2]))).toBe(false)
  })

  it.each([
    ['(a)\\1', 'backreferences', 3],
    ['(?<n>a)\\k<n>', 'backreferences', 7],
    ['(?P=n)', 'backreferences', 0],
    ['(?=a)', 'lookahead', 0],
    ['x(?!a)', 'lookahead', 1],
    ['(?<=a)b', 'lookbehind', 0],
    ['(?<!a)b', 'lookbehind', 0],
    ['(?>a)', 'atomic', 0],
    ['a++', 'possessive', 2],
    ['(?R)', 'recursion', 0],
    ['*a', 'nothing to repeat', 0],
    ['a**', 'nothing to repeat', 2],
    ['[a', "missing ']'", 0],
    ['(a', "missing ')'", 0],
    ['a)', "unmatched ')'", 1],
    ['a{5,2}', 'out of order', 1],
    ['a{5000}', 'repeat count', 1],
    ['[z-a]', 'out of order', 2],
    ['\\', 'trailing backslash', 0],
    ['\\p{NoSuchProperty}', 'Unicode property', 0],
    ['((a{1000}){1000}){1000}', 'too large', 0],
  ])('rejects /%s/ with PATTERN_REGEX naming %s at position %i', (source, words, position) => {
    let caught: unknown
    try {
      compileRegex(source)
    } catch (error) {
      caught = error
    }
    expect(isAppError(caught, 'PATTERN_REGEX')).toBe(true)
    const error = caught as Error & { details?: Record<string, unknown> }
    expect(error.message).toContain(words)
    expect(error.details?.['position']).toBe(position)
  })

  it('runs catastrophic-backtracking patterns in linear time', () => {
    const hostile: [string, string][] = [
      ['(a+)+$', `${'a'.repeat(50)}!`],
      ['(a+)+$', `${'a'.repeat(100_000)}!`],
      ['^(a|aa)*$', `${'a'.repeat(100_000)}b`],
      ['(x+x+)+y', 'x'.repeat(50_000)],
      ['(.*a){12}', 'a'.repeat(20_000)],
      ['^(\\w+\\s?)*$', `${'word '.repeat(10_000)}!`],
    ]
    for (const [source, input] of hostile) {
      const start = performance.now()
      compileRegex(source).test(input)
      expect(performance.now() - start, source).toBeLessThan(2000)
    }
    const start = performance.now()
    expect(compileRegex('(a+)+$').test(`${'a'.repeat(50)}!`)).toBe(false)
    expect(performance.now() - start).toBeLessThan(50)
  })

  it('caches compiled expressions', () => {
    expect(compileRegex('cache-me')).toBe(compileRegex('cache-me'))
  })
})

describe('compileRegex against JavaScript RegExp (differential)', () => {
  // The shared subset: literals over a small alphabet, '.', classes, groups, alternation,
  // greedy and lazy quantifiers, anchors; inputs without newlines (PCRE's '$' also matches
  // before a final newline, JavaScript's does not).
  const leaf = fc.constantFrom(
    'a',
    'b',
    'c',
    '.',
    '[ab]',
    '[^a]',
    '[a-c]',
    '\\d',
    '\\w',
    '\\s',
    'x',
  )
  const quantifier = fc.constantFrom('', '', '*', '+', '?', '{2}', '{1,3}', '{2,}', '*?', '+?')
  const level = (atom: fc.Arbitrary<string>): fc.Arbitrary<string> => {
    const seq = fc
      .array(
        fc.tuple(atom, quantifier).map(([a, q]) => `${a}${q}`),
        { minLength: 1, maxLength: 3 },
      )
      .map((xs) => xs.join(''))
    return fc.array(seq, { minLength: 1, maxLength: 3 }).map((xs) => xs.join('|'))
  }
  // Two levels of groups: deep nesting would make JavaScript's backtracking the slow side.
  const inner = level(leaf)
  const outer = level(
    fc.oneof(
      leaf,
      inner.map((r) => `(${r})`),
      inner.map((r) => `(?:${r})`),
    ),
  )
  const regex = { alt: outer }
  const anchored = fc
    .tuple(fc.boolean(), regex.alt, fc.boolean())
    .map(([start, body, end]) => `${start ? '^' : ''}${body}${end ? '$' : ''}`)
  const input = fc.string({
    unit: fc.constantFrom('a', 'b', 'c', 'x', '1', ' ', '_'),
    maxLength: 12,
  })

  it('agrees on whether some substring matches', () => {
    fc.assert(
      fc.property(anchored, input, (source, text) => {
        expect(compileRegex(source).test(text)).toBe(new RegExp(source, 's').test(text))
      }),
      { numRuns: 3000 },
    )
  })
})
