import { readdirSync, readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { STIX_RULE_CODES } from './rule-codes.js'

const dir = new URL('./', import.meta.url)
const read = (name: string): string => readFileSync(new URL(name, dir), 'utf8')
const sources = readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
const tests = readdirSync(dir).filter((f) => f.endsWith('.test.ts') && f !== 'rule-codes.test.ts')

function emittedCodes(): Set<string> {
  const codes = new Set<string>()
  for (const f of sources) {
    const text = read(f)
    for (const m of text.matchAll(/'(?:error|warning)',\s*'([a-z0-9-]+)'/g)) codes.add(m[1] ?? '')
    for (const m of text.matchAll(/formatted\(\s*'([a-z0-9-]+)'/g)) codes.add(m[1] ?? '')
  }
  return codes
}

describe('STIX_RULE_CODES', () => {
  it('lists every code the validator emits', () => {
    const emitted = [...emittedCodes()].sort()
    expect(emitted.length).toBeGreaterThan(50)
    for (const code of emitted) expect(STIX_RULE_CODES).toHaveProperty(code)
  })

  it('has a test asserting each code', () => {
    const testText = tests.map(read).join('\n')
    for (const code of Object.keys(STIX_RULE_CODES)) {
      expect(testText.includes(` ${code} $`) || testText.includes(`'${code}'`), code).toBe(true)
    }
  })
})
