/**
 * `intelmesh pattern check <pattern>` and `intelmesh pattern format <pattern>`: validate a
 * STIX pattern with located errors, or print it in canonical form. `-` reads the pattern
 * from standard input.
 */
import { parsePattern } from '../../pattern/parse-pattern.js'
import type { PatternIssue } from '../../pattern/pattern-issue.js'
import { printPattern } from '../../pattern/print-pattern.js'
import { validatePattern } from '../../pattern/validate-pattern.js'
import { EXIT, type CliContext, type CommandRegistrar } from '../context.js'

async function readStdin(ctx: CliContext): Promise<string> {
  // Decode once at the end so that a UTF-8 sequence split across chunks stays whole.
  const chunks: Buffer[] = []
  for await (const chunk of ctx.stdin) {
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk)
  }
  return Buffer.concat(chunks).toString('utf8')
}

async function patternText(arg: string, ctx: CliContext): Promise<string> {
  if (arg !== '-') return arg
  // A trailing newline from `echo` or a file is whitespace to the parser; drop it for display.
  return (await readStdin(ctx)).replace(/\r?\n$/, '')
}

/**
 * The pattern line an issue points at, with a caret under its column. Tabs become spaces so
 * that the caret lines up.
 */
export function caretExcerpt(text: string, issue: PatternIssue): string {
  const lines = text.split(/\r\n|\r|\n/)
  const line = (lines[issue.line - 1] ?? '').replace(/\t/g, ' ')
  const column = Math.max(1, Math.min(issue.column, line.length + 1))
  return `  ${line}\n  ${' '.repeat(column - 1)}^`
}

function renderIssue(text: string, issue: PatternIssue): string {
  return `${issue.severity} ${issue.code}: ${issue.message}\n${caretExcerpt(text, issue)}\n`
}

export const registerPatternCommands: CommandRegistrar = (program, ctx) => {
  const pattern = program
    .command('pattern')
    .description('Check or format a STIX pattern (STIX 2.1 section 9)')

  pattern
    .command('check')
    .description(
      'Validate a pattern: exit 0 when valid (warnings are printed), 1 with located errors',
    )
    .argument('<pattern>', "the pattern text, or '-' to read it from standard input")
    .option('--json', 'print the result as JSON')
    .action(async (arg: string, options: { json?: boolean }) => {
      const text = await patternText(arg, ctx)
      const result = validatePattern(text)
      if (options.json) {
        const out = {
          ok: result.ok,
          ...(result.pattern !== undefined ? { canonical: printPattern(result.pattern) } : {}),
          errors: result.errors,
          warnings: result.warnings,
        }
        ctx.stdout.write(`${JSON.stringify(out, null, 2)}\n`)
      } else {
        for (const issue of [...result.errors, ...result.warnings]) {
          ctx.stdout.write(renderIssue(text, issue))
        }
        const summary = result.ok
          ? `valid${result.warnings.length > 0 ? ` with ${plural(result.warnings.length, 'warning')}` : ''}`
          : `invalid: ${plural(result.errors.length, 'error')}${result.warnings.length > 0 ? `, ${plural(result.warnings.length, 'warning')}` : ''}`
        ctx.stdout.write(`${summary}\n`)
      }
      ctx.setExitCode(result.ok ? EXIT.ok : EXIT.findings)
    })

  pattern
    .command('format')
    .description('Print a pattern in canonical form (exit 1 on a syntax error)')
    .argument('<pattern>', "the pattern text, or '-' to read it from standard input")
    .action(async (arg: string) => {
      const text = await patternText(arg, ctx)
      const parsed = parsePattern(text)
      if (!parsed.ok) {
        ctx.stderr.write(renderIssue(text, parsed.error))
        ctx.setExitCode(EXIT.findings)
        return
      }
      ctx.stdout.write(`${printPattern(parsed.pattern)}\n`)
      ctx.setExitCode(EXIT.ok)
    })
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`
}
