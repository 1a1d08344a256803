/**
 * Bridges the pattern parser's findings into validator issues at `['pattern']`.
 *
 * @internal
 */
import { stixPatternFindings } from '../pattern/stix-pattern-findings.js'
import { report, type Ctx } from './props.js'

/** Reports each finding of the STIX pattern parser for an indicator's `pattern` (4.7, 9). */
export function checkPatternFindings(pattern: string, ctx: Ctx): void {
  const findings = stixPatternFindings(pattern)
  if (findings.length === 0) return
  ctx.path.push('pattern')
  for (const f of findings) {
    report(ctx, f.severity, f.code, '9', `pattern line ${f.line}, column ${f.column}: ${f.message}`)
  }
  ctx.path.pop()
}
