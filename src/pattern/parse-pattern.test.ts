import { describe, expect, it } from 'vitest'
import { parsePattern } from './parse-pattern.js'

function ok(text: string) {
  const r = parsePattern(text)
  if (!r.ok) throw new Error(`expected ${text} to parse: ${r.error.message}`)
  return r.pattern
}

function err(text: string) {
  const r = parsePattern(text)
  if (r.ok) throw new Error(`expected ${text} to fail`)
  return r.error
}

describe('parsePattern', () => {
  it('parses a single comparison in one observation (section 9.3)', () => {
    const p = ok("[ipv4-addr:value = '198.51.100.1/32']")
    expect(p.expr.kind).toBe('observation')
    if (p.expr.kind !== 'observation') return
    const c = p.expr.expr
    expect(c.kind).toBe('comparison')
    if (c.kind !== 'comparison') return
    expect(c.path.objectType).toBe('ipv4-addr')
    expect(c.operator).toBe('=')
    expect(c.value).toMatchObject({ kind: 'string', value: '198.51.100.1/32' })
  })

  it('reports an unclosed observation with the column it was opened at', () => {
    const e = err("[file:name = 'x'")
    expect(e.message).toBe(
      "column 17: expected ']' to close the observation expression opened at column 1, found end of pattern",
    )
    expect(e).toMatchObject({ code: 'PATTERN_SYNTAX', line: 1, column: 17, offset: 16 })
    expect(e.expected).toContain("']'")
  })
})
