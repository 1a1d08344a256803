/**
 * `intelmesh match --indicators <file> [--events <file|->]`: matches a stream of events
 * (NDJSON: flat events mapped as in docs/event-mapping.md, or STIX observed-data / bundles)
 * against STIX indicators, and writes one NDJSON hit per match to standard output, with a
 * summary on standard error.
 *
 * Exit codes: 0 done (with or without hits), 1 some event lines were unusable (each is
 * reported with its line number and skipped), 2 unusable indicators or usage.
 */
import { createReadStream, readFileSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { AppError } from '../../errors.js'
import { compile, type EngineHit } from '../../pattern/engine/pattern-engine.js'
import { eventToObservations } from '../../pattern/events.js'
import { EXIT, type CliContext, type CommandRegistrar } from '../context.js'

interface MatchOptions {
  indicators: string
  events: string
}

/** Most skipped indicators and bad lines listed one by one on standard error. */
const MAX_LISTED = 20

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

/** Objects of an indicator file: a bundle or envelope, an array, one object, or NDJSON. */
export function indicatorObjects(text: string, source: string): unknown[] {
  let whole: unknown
  try {
    whole = JSON.parse(text)
  } catch {
    const objects: unknown[] = []
    text.split('\n').forEach((line, i) => {
      if (line.trim() === '') return
      try {
        objects.push(JSON.parse(line))
      } catch (cause) {
        throw new AppError('CLI_INPUT_UNREADABLE', {
          detail: `${source}: neither JSON nor NDJSON (line ${i + 1} is not JSON)`,
          cause,
        })
      }
    })
    return objects
  }
  if (Array.isArray(whole)) return whole
  if (isRecord(whole) && Array.isArray(whole['objects'])) return whole['objects']
  return [whole]
}

function isoMicros(micros: number): string {
  const ms = Math.floor(micros / 1000)
  const rest = micros - ms * 1000
  const iso = new Date(ms).toISOString()
  return rest === 0 ? iso : `${iso.slice(0, -1)}${String(Math.round(rest)).padStart(3, '0')}Z`
}

function hitRecord(
  hit: EngineHit,
  line: number,
  eventId: string,
  observedAt: number,
): Record<string, unknown> {
  const record: Record<string, unknown> = {
    indicator_id: hit.indicatorId,
    event: { line, id: eventId },
    matched: hit.observations.flatMap((o) => o.matched),
    observed_at: isoMicros(observedAt),
  }
  if (hit.observations.length > 1) {
    record['observations'] = hit.observations.map((o) => ({
      id: o.id,
      observed_at: isoMicros(o.firstObserved),
    }))
  }
  return record
}

async function write(stream: NodeJS.WritableStream, text: string): Promise<void> {
  if (!stream.write(text))
    await new Promise<void>((resolve) => stream.once('drain', () => resolve()))
}

async function runMatch(ctx: CliContext, options: MatchOptions): Promise<void> {
  let text: string
  try {
    text = readFileSync(options.indicators, 'utf8')
  } catch (cause) {
    throw new AppError('CLI_INPUT_UNREADABLE', {
      detail: `cannot read ${options.indicators}`,
      cause,
    })
  }
  const { engine, loaded, skipped } = compile(indicatorObjects(text, options.indicators))
  for (const s of skipped.slice(0, MAX_LISTED)) ctx.stderr.write(`skipped ${s.id}: ${s.reason}\n`)
  if (skipped.length > MAX_LISTED)
    ctx.stderr.write(`... and ${skipped.length - MAX_LISTED} more skipped\n`)
  if (loaded === 0) {
    throw new AppError('CLI_INPUT_UNREADABLE', {
      detail: `${options.indicators}: no usable STIX indicator (${skipped.length} skipped)`,
    })
  }
  let input: NodeJS.ReadableStream
  if (options.events === '-') {
    input = ctx.stdin
  } else {
    const file = createReadStream(options.events)
    await new Promise<void>((resolve, reject) => {
      file.once('open', () => resolve())
      file.once('error', (cause) =>
        reject(
          new AppError('CLI_INPUT_UNREADABLE', { detail: `cannot read ${options.events}`, cause }),
        ),
      )
    })
    input = file
  }
  let lineNo = 0
  let events = 0
  let observations = 0
  let hits = 0
  let bad = 0
  const report = (message: string): void => {
    bad++
    if (bad <= MAX_LISTED) ctx.stderr.write(`line ${lineNo}: ${message}; skipped\n`)
  }
  const lines = createInterface({ input, crlfDelay: Infinity })
  for await (const line of lines) {
    lineNo++
    if (line.trim() === '') continue
    let event: unknown
    try {
      event = JSON.parse(line)
    } catch (error) {
      report(`not JSON (${error instanceof Error ? error.message : String(error)})`)
      continue
    }
    const mapped = eventToObservations(event, {
      fallbackId: `line:${lineNo}`,
      defaultTime: Date.now() * 1000,
    })
    if (!mapped.ok) {
      report(mapped.error)
      continue
    }
    events++
    for (const warning of mapped.warnings) ctx.stderr.write(`line ${lineNo}: warning: ${warning}\n`)
    for (const obs of mapped.observations) {
      observations++
      let found
      try {
        found = engine.match(obs)
      } catch (error) {
        // A defect must not stop the stream: name the line and go on.
        report(`cannot be matched (${error instanceof Error ? error.message : String(error)})`)
        continue
      }
      for (const hit of found) {
        hits++
        await write(
          ctx.stdout,
          JSON.stringify(hitRecord(hit, lineNo, obs.id, obs.firstObserved)) + '\n',
        )
      }
    }
  }
  if (bad > MAX_LISTED) ctx.stderr.write(`... and ${bad - MAX_LISTED} more bad lines\n`)
  const parts = [
    `${events} events`,
    `${observations} observations`,
    `${hits} hits`,
    `${loaded} indicators loaded`,
    `${skipped.length} skipped`,
    `${bad} bad lines`,
  ]
  ctx.stderr.write(`${parts.join(', ')}\n`)
  if (bad > 0) ctx.setExitCode(EXIT.findings)
}

/** Registers `intelmesh match`. */
export const registerMatchCommand: CommandRegistrar = (program, ctx) => {
  program
    .command('match')
    .description(
      'Match NDJSON events (flat events, see docs/event-mapping.md, or STIX observed-data) against STIX indicators; one NDJSON hit per match on stdout, summary on stderr. Exit 0 done, 1 bad event lines (skipped), 2 unusable input.',
    )
    .requiredOption('--indicators <file>', 'STIX bundle, JSON array or NDJSON of indicator objects')
    .option('--events <file|->', 'NDJSON events file, or - for standard input', '-')
    .action(async (options: MatchOptions) => {
      await runMatch(ctx, options)
    })
}
