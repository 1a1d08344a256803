/**
 * `intelmesh validate <file|->`: validates STIX 2.1 content read as a stream — a bundle, a
 * TAXII envelope, a single object, a JSON array of objects or NDJSON — and prints every
 * finding (human text, or `--json` as NDJSON for machines) and a summary line.
 *
 * Exit codes: 0 no errors (warnings allowed), 1 errors found, 2 unusable input (unreadable,
 * not JSON, a limit exceeded), with a one-line reason on standard error.
 */
import { createReadStream } from 'node:fs'
import { isAppError } from '../../errors.js'
import { formatPath, type StixIssue } from '../../stix/issues.js'
import {
  DEFAULT_MAX_DEPTH,
  DEFAULT_MAX_OBJECT_SIZE,
  readBundle,
  type InputShape,
  type ReadSummary,
  type SourceLocation,
} from '../../stix/read-bundle.js'
import { createObjectValidator, validateBundle, type ValidateOptions } from '../../stix/validate.js'
import { EXIT, type CliContext, type CommandRegistrar } from '../context.js'

interface ValidateCommandOptions {
  json?: boolean
  strict?: boolean
  custom: boolean
  color?: boolean
  maxDepth: number
  maxObjectSize: number
}

/** Totals printed in the summary. */
interface Totals {
  objects: number
  errors: number
  warnings: number
  invalidObjects: number
}

const ANSI = {
  red: '\u001b[31m',
  yellow: '\u001b[33m',
  dim: '\u001b[2m',
  bold: '\u001b[1m',
  reset: '\u001b[0m',
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`
}

/** The summary line: "N objects, E errors, W warnings". */
export function summaryLine(totals: Totals): string {
  return `${plural(totals.objects, 'object')}, ${plural(totals.errors, 'error')}, ${plural(totals.warnings, 'warning')}`
}

function positiveInteger(name: string): (value: string) => number {
  return (value) => {
    const n = Number(value)
    if (!Number.isInteger(n) || n < 1) {
      throw new Error(`${name} must be a positive integer, got ${JSON.stringify(value)}`)
    }
    return n
  }
}

/** A printer of findings: human text grouped per object, or NDJSON records. */
interface Printer {
  object(label: ObjectLabel, issues: readonly StixIssue[]): Promise<void>
  summary(
    totals: Totals,
    shape: InputShape | undefined,
    unusable?: { code: string; message: string },
  ): Promise<void>
}

interface ObjectLabel {
  index?: number
  id?: string
  type?: string
  location?: SourceLocation
  bundle?: boolean
}

/** Writes to standard output, waiting when the stream asks to (a slow pipe). */
function writeOut(ctx: CliContext, text: string): Promise<void> {
  if (ctx.stdout.write(text)) return Promise.resolve()
  return new Promise((resolve) => ctx.stdout.once('drain', () => resolve()))
}

function textPrinter(ctx: CliContext, color: boolean): Printer {
  const paint = (code: string, text: string): string =>
    color ? `${code}${text}${ANSI.reset}` : text
  return {
    object(label, issues) {
      const what = label.bundle
        ? `bundle ${label.id ?? '(no id)'}`
        : `[${label.index ?? '?'}] ${label.id ?? (label.type ? `${label.type} (no id)` : '(no id)')}`
      const where = label.location ? ` ${paint(ANSI.dim, `line ${label.location.line}`)}` : ''
      let out = `${paint(ANSI.bold, what)}${where}\n`
      for (const issue of issues) {
        const severity =
          issue.severity === 'error' ? paint(ANSI.red, 'error  ') : paint(ANSI.yellow, 'warning')
        const section = issue.section ? ` (STIX 2.1 §${issue.section})` : ''
        out += `  ${severity} ${paint(ANSI.dim, formatPath(issue.path))} ${issue.code}${section}: ${issue.message}\n`
      }
      return writeOut(ctx, out)
    },
    summary(totals, shape, unusable) {
      // The one-line reason on standard error says it all when nothing was read.
      if (unusable && totals.objects === 0) return Promise.resolve()
      const line = summaryLine(totals)
      const prefix = unusable ? 'stopped after ' : ''
      const tail = shape && !unusable ? ` (${shape})` : ''
      return writeOut(ctx, `${prefix}${line}${tail}\n`)
    },
  }
}

function jsonPrinter(ctx: CliContext): Printer {
  return {
    object(label, issues) {
      let out = ''
      for (const issue of issues) {
        const record = {
          kind: 'finding',
          severity: issue.severity,
          code: issue.code,
          ...(issue.section !== undefined ? { section: issue.section } : {}),
          message: issue.message,
          path: formatPath(issue.path),
          pathSegments: issue.path,
          ...(label.bundle ? { bundle: true } : { index: label.index }),
          ...(label.id !== undefined ? { objectId: label.id } : {}),
          ...(label.location ? { line: label.location.line, offset: label.location.offset } : {}),
        }
        out += `${JSON.stringify(record)}\n`
      }
      return writeOut(ctx, out)
    },
    summary(totals, shape, unusable) {
      const record = {
        kind: 'summary',
        ok: !unusable && totals.errors === 0,
        ...(shape ? { shape } : {}),
        ...totals,
        ...(unusable ? { unusable } : {}),
      }
      return writeOut(ctx, `${JSON.stringify(record)}\n`)
    },
  }
}

/** Opens the input as a byte stream; failures surface while reading. */
function openInput(arg: string, ctx: CliContext): AsyncIterable<Uint8Array | string> {
  if (arg === '-') return ctx.stdin as AsyncIterable<Uint8Array | string>
  return createReadStream(arg, { highWaterMark: 1 << 20 })
}

/** A one-line reason for an error that makes the input unusable, or undefined for a bug. */
function unusableReason(
  error: unknown,
  arg: string,
): { code: string; message: string } | undefined {
  if (isAppError(error) && error.kind === 'client')
    return { code: error.code, message: error.message }
  const code = (error as { code?: unknown } | null)?.code
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) {
    const reason = error instanceof Error ? error.message : code
    return {
      code: 'CLI_INPUT_UNREADABLE',
      message: `Input cannot be read: ${arg === '-' ? 'standard input' : arg}: ${reason.replace(/^[A-Z]+: /, '').replace(/, \w+( '.*')?$/, '')}`,
    }
  }
  return undefined
}

function isEnvelope(members: Record<string, unknown>): boolean {
  return !('type' in members) && !('id' in members)
}

/** Validates the input and prints findings; returns the exit code. */
async function runValidate(
  arg: string,
  options: ValidateCommandOptions,
  ctx: CliContext,
): Promise<number> {
  const colorWanted =
    options.color ??
    (ctx.stdout.isTTY === true && !ctx.env['NO_COLOR'] && ctx.env['TERM'] !== 'dumb')
  const printer = options.json ? jsonPrinter(ctx) : textPrinter(ctx, colorWanted)
  const validateOptions: ValidateOptions = {
    allowCustomProperties: options.custom,
    strict: options.strict === true,
  }
  const check = createObjectValidator(validateOptions)
  const totals: Totals = { objects: 0, errors: 0, warnings: 0, invalidObjects: 0 }
  const count = (issues: readonly StixIssue[]): boolean => {
    let bad = false
    for (const issue of issues) {
      if (issue.severity === 'error') {
        totals.errors++
        bad = true
      } else totals.warnings++
    }
    return bad
  }

  let summary: ReadSummary | undefined
  try {
    const reader = readBundle(openInput(arg, ctx), {
      maxDepth: options.maxDepth,
      maxObjectSize: options.maxObjectSize,
    })
    for (;;) {
      const step = await reader.next()
      if (step.done) {
        summary = step.value
        break
      }
      const { index, object, location, topLevel } = step.value
      const record =
        typeof object === 'object' && object !== null ? (object as Record<string, unknown>) : {}
      const id = record['id']
      const type = record['type']
      if (topLevel && type === 'bundle') {
        // A bundle without `objects`: check it as a bundle, not as a STIX object.
        const issues = validateBundle(object, validateOptions).issues
        if (issues.length > 0) {
          count(issues)
          await printer.object(
            { bundle: true, ...(typeof id === 'string' ? { id } : {}), location },
            issues,
          )
        }
        continue
      }
      totals.objects++
      const issues = check(object, index)
      if (issues.length === 0) continue
      if (count(issues)) totals.invalidObjects++
      await printer.object(
        {
          index,
          ...(typeof id === 'string' ? { id } : {}),
          ...(typeof type === 'string' ? { type } : {}),
          location,
        },
        issues,
      )
    }
  } catch (error) {
    const reason = unusableReason(error, arg)
    if (reason === undefined) throw error
    await printer.summary(totals, undefined, reason)
    ctx.stderr.write(`intelmesh: ${reason.message}\n`)
    return EXIT.unusable
  }

  if (
    (summary.shape === 'bundle' || summary.shape === 'envelope') &&
    !isEnvelope(summary.members)
  ) {
    // The bundle's own properties; its objects were checked one by one above.
    const header: Record<string, unknown> = { ...summary.members }
    if (summary.count === 0) header['objects'] = []
    const result = validateBundle(header, validateOptions)
    const issues = result.issues.filter((issue) => issue.index === undefined)
    if (issues.length > 0) {
      count(issues)
      const id = summary.members['id']
      await printer.object({ bundle: true, ...(typeof id === 'string' ? { id } : {}) }, issues)
    }
  }
  await printer.summary(totals, summary.shape)
  return totals.errors > 0 ? EXIT.findings : EXIT.ok
}

export const registerValidateCommand: CommandRegistrar = (program, ctx) => {
  program
    .command('validate')
    .description(
      'Validate STIX 2.1 content: a bundle, a single object, a JSON array of objects or NDJSON. ' +
        'Exit 0 when valid (warnings allowed), 1 with errors, 2 when the input is unusable',
    )
    .argument('<file>', "the file to read, or '-' for standard input")
    .option('--json', 'print findings and the summary as NDJSON records (one JSON object a line)')
    .option('--strict', 'report SHOULD findings as errors too')
    .option('--no-custom', 'treat properties the specification does not define as errors')
    .option('--color', 'colour the output (default: only on a terminal, unless NO_COLOR is set)')
    .option('--no-color', 'never colour the output')
    .option(
      '--max-depth <n>',
      'deepest JSON nesting accepted, counted from the document root',
      positiveInteger('--max-depth'),
      DEFAULT_MAX_DEPTH,
    )
    .option(
      '--max-object-size <n>',
      'largest single object accepted, in characters of JSON text',
      positiveInteger('--max-object-size'),
      DEFAULT_MAX_OBJECT_SIZE,
    )
    .action(async (arg: string, options: ValidateCommandOptions) => {
      ctx.setExitCode(await runValidate(arg, options, ctx))
    })
}
