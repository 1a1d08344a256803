import type { PatternIssue } from './pattern-issue.js'

/**
 * The findings the STIX validator reports for an indicator's `pattern` when `pattern_type`
 * is `stix` (STIX 2.1 section 4.7 and 9). Called by `src/stix` validation.
 *
 * TODO(issue 3): delegate to `validatePattern` once the parser lands.
 */
export function stixPatternFindings(_pattern: string): PatternIssue[] {
  return []
}
