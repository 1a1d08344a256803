import { describePosition } from './lexer.js'
import type { PatternIssue } from './pattern-issue.js'
import { validatePattern } from './validate-pattern.js'

/**
 * The findings the STIX validator reports for an indicator's `pattern` when `pattern_type`
 * is `stix` (STIX 2.1 sections 4.7 and 9): the errors of {@link validatePattern} (syntax
 * and MUST rules) followed by its warnings. The location lives in `line` and `column`
 * only, since the caller prints it itself; the message does not repeat it.
 *
 * @example
 * ```ts
 * stixPatternFindings("[file:name = 'x'")
 * // [{ severity: 'error', code: 'PATTERN_SYNTAX', line: 1, column: 17,
 * //    message: "expected ']' to close the observation expression opened at column 1, ..." }]
 * ```
 */
export function stixPatternFindings(pattern: string): PatternIssue[] {
  const v = validatePattern(pattern)
  // Most patterns have no finding: skip the copy then.
  if (v.errors.length === 0 && v.warnings.length === 0) return []
  const findings: PatternIssue[] = []
  for (const issue of v.errors) findings.push(withoutLocation(issue))
  for (const issue of v.warnings) findings.push(withoutLocation(issue))
  return findings
}

function withoutLocation(issue: PatternIssue): PatternIssue {
  const prefix = `${describePosition(issue)}: `
  return issue.message.startsWith(prefix)
    ? { ...issue, message: issue.message.slice(prefix.length) }
    : issue
}
