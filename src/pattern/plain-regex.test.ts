import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { isPlainRegex } from './plain-regex.js'
import { parseRegex } from './regex/regex-syntax.js'

describe('isPlainRegex', () => {
  it('accepts anchored literals, dots, escaped punctuation and single quantifiers', () => {
    for (const source of [
      '^.+@0a1b2\\.example\\.com$',
      'abc',
      '\\.exe$',
      '^$',
      '^',
      'a?b*c+',
      '\\\\$',
      '/index\\.php\\?id=1',
      '\\(\\)\\[\\]\\{\\}\\|\\^\\-\\/',
    ]) {
      expect(isPlainRegex(source), source).toBe(true)
    }
  })

  it('leaves everything else to the full parser', () => {
    for (const source of [
      '',
      '[a-z]',
      '(a)',
      'a|b',
      'a{2}',
      'a{',
      'a}',
      ']',
      'a*?',
      'a++',
      'a**',
      '*a',
      '^*',
      '\\d',
      '\\xd4',
      '\\1',
      'a\\',
      '\\$$x',
      // valid, but the final '$' is escaped: not worth a special case
      'x\\$',
      'é',
      '`',
      'a$b',
    ]) {
      expect(isPlainRegex(source), source).toBe(false)
    }
  })

  it('answers true only for sources that parseRegex and JavaScript RegExp accept', () => {
    const chars = fc.constantFrom(
      ...'ab.\\^$*+?()[]{}|-/@ 0é'.split(''),
      'd',
      '\u2028',
      '\ud83d\ude00',
    )
    fc.assert(
      fc.property(fc.array(chars, { maxLength: 12 }), (parts) => {
        const source = parts.join('')
        if (!isPlainRegex(source)) return
        expect(() => parseRegex(source)).not.toThrow()
        expect(() => new RegExp(source, 's')).not.toThrow()
      }),
      { numRuns: 5000 },
    )
  })
})
