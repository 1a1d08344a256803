import { describe, expect, it } from 'vitest'
import { stixPatternFindings } from './stix-pattern-findings.js'

describe('stixPatternFindings', () => {
  it('returns nothing for a clean pattern', () => {
    expect(stixPatternFindings("[file:hashes.MD5 = '79054025255fb1a26e4bc422aef54eb4']")).toEqual(
      [],
    )
  })

  it('returns the syntax error with its location in fields, not repeated in the message', () => {
    expect(stixPatternFindings("[file:name = 'x'")).toEqual([
      {
        severity: 'error',
        code: 'PATTERN_SYNTAX',
        message:
          "expected ']' to close the observation expression opened at column 1, found end of pattern",
        offset: 16,
        line: 1,
        column: 17,
        expected: ["']'", "'AND'", "'OR'"],
      },
    ])
  })

  it('returns errors before warnings', () => {
    const findings = stixPatternFindings(
      "[ipv4-addr:value = 'nope'] AND [file:name = 'a' AND process:pid = 1]",
    )
    expect(findings.map((f) => [f.severity, f.code])).toEqual([
      ['error', 'mixed-object-types'],
      ['warning', 'never-true'],
    ])
    expect(findings[1]?.message).toMatch(/^'nope' is not an IPv4 address/)
    expect(findings[1]).toMatchObject({ line: 1, column: 20 })
  })
})
