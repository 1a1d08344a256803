/**
 * `intelmesh sync [--peer name] [--once]` (issue 6): runs the sync engine against the node's
 * database. With `--once`, one run per enabled peer (or the one named), then a summary line per
 * peer and, for several peers, a total line; exit 1 when a peer failed. Without it, rounds at
 * the configured interval until SIGINT or SIGTERM, through the same scheduler `serve` uses.
 * Progress goes to stderr on a terminal only; output stays quiet in pipes and logs.
 */
import { AuditLog } from '../../audit/audit-log.js'
import { AppError } from '../../errors.js'
import { loadConfig } from '../../node/config.js'
import { SYNC_LEASE_MS } from '../../node/start-node.js'
import { createSyncScheduler, syncEngineRunner } from '../../node/sync-scheduler.js'
import type { Store } from '../../store/store.js'
import {
  findPeer,
  formatSyncSummary,
  syncAll,
  type SyncDeps,
  type SyncProgress,
  type SyncReport,
} from '../../sync/index.js'
import { EXIT, type CliContext, type CommandRegistrar } from '../context.js'
import { printJson, runAdmin, withAdminOptions, type AdminOptions } from './admin-support.js'

interface SyncCommandOptions extends AdminOptions {
  peer?: string
  once?: boolean
  timeout?: string
  retries?: string
  syncIntervalSeconds?: string
}

function usage(detail: string): AppError {
  return new AppError('CLI_USAGE', { detail })
}

function wholeNumber(
  value: string | undefined,
  flag: string,
  min: number,
  max: number,
): number | undefined {
  if (value === undefined) return undefined
  const n = Number(value)
  if (!/^\s*\d+\s*$/.test(value) || n < min || n > max) {
    throw usage(`${flag} must be a whole number from ${min} to ${max}, got "${value}"`)
  }
  return n
}

/**
 * A one-line progress display on a terminal: the latest step of each peer, redrawn at most ten
 * times a second, wiped before any other line is written and at the end.
 */
export class ProgressLine {
  private readonly steps = new Map<string, string>()
  private lastDraw = 0
  private shown = false

  constructor(private readonly stream: CliContext['stderr'] & { columns?: number }) {}

  update(event: SyncProgress): void {
    switch (event.kind) {
      case 'start':
        this.steps.set(event.peer, `${event.direction} starting`)
        break
      case 'page':
        this.steps.set(event.peer, `${event.direction} ${event.moved} moved / ${event.seen} seen`)
        break
      case 'tombstones':
        this.steps.set(event.peer, `${event.direction} tombstones ${event.handled}`)
        break
      case 'done':
        this.steps.delete(event.peer)
        break
    }
    const now = Date.now()
    if (now - this.lastDraw < 100 && event.kind === 'page') return
    this.lastDraw = now
    this.draw()
  }

  /** Removes the progress line (before printing a normal line, and at the end). */
  clear(): void {
    if (!this.shown) return
    this.stream.write('\r\x1b[K')
    this.shown = false
  }

  private draw(): void {
    const text = [...this.steps].map(([peer, step]) => `${peer}: ${step}`).join(' | ')
    const width = Math.max(20, (this.stream.columns ?? 80) - 1)
    this.stream.write(`\r\x1b[K${text.length > width ? `${text.slice(0, width - 1)}…` : text}`)
    this.shown = text !== ''
  }
}

/** Totals over reports, as the last line of a run. */
export function totalLine(reports: readonly SyncReport[]): string {
  const failed = reports.filter((r) => !r.ok && !r.skipped).length
  const skipped = reports.filter((r) => r.skipped).length
  const sum = (pick: (r: SyncReport) => number): number =>
    reports.reduce((total, r) => total + pick(r), 0)
  return (
    `sync: ${reports.length} peer run${reports.length === 1 ? '' : 's'}, ` +
    `pulled ${sum((r) => r.pulled)}, pushed ${sum((r) => r.pushed)}, ` +
    `${sum((r) => r.invalid)} invalid received, ${sum((r) => r.danglingRefs)} dangling refs; ` +
    `${failed === 0 ? 'all ok' : `${failed} FAILED`}${skipped > 0 ? `, ${skipped} skipped (already running)` : ''}`
  )
}

/** Resolves with the first SIGINT or SIGTERM; `dispose` removes the handlers. */
function stopSignal(): { received: Promise<NodeJS.Signals>; dispose(): void } {
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM']
  let onSignal: (signal: NodeJS.Signals) => void = () => undefined
  const received = new Promise<NodeJS.Signals>((resolve) => {
    onSignal = (signal) => {
      // A second Ctrl-C then has its default meaning: stop right now.
      for (const s of signals) process.off(s, onSignal)
      resolve(signal)
    }
  })
  for (const s of signals) process.on(s, onSignal)
  return {
    received,
    dispose: () => {
      for (const s of signals) process.off(s, onSignal)
    },
  }
}

async function runOnce(
  ctx: CliContext,
  deps: SyncDeps,
  options: SyncCommandOptions,
  progress: ProgressLine | undefined,
): Promise<SyncReport[]> {
  if (options.peer !== undefined) await findPeer(deps.store, options.peer)
  const controller = new AbortController()
  const stop = stopSignal()
  void stop.received.then((signal) => {
    progress?.clear()
    ctx.stderr.write(`intelmesh: ${signal} received; stopping after the current page\n`)
    controller.abort()
  })
  try {
    return await syncAll(deps, {
      ...(options.peer !== undefined ? { peerName: options.peer } : {}),
      signal: controller.signal,
      leaseMs: SYNC_LEASE_MS,
      ...(progress ? { onProgress: (event: SyncProgress) => progress.update(event) } : {}),
    })
  } finally {
    stop.dispose()
    progress?.clear()
  }
}

async function runLoop(
  ctx: CliContext,
  deps: SyncDeps,
  options: SyncCommandOptions,
  intervalSeconds: number,
  shutdownTimeoutMs: number,
  progress: ProgressLine | undefined,
): Promise<SyncReport[]> {
  if (options.peer !== undefined) await findPeer(deps.store, options.peer)
  const reports: SyncReport[] = []
  let stopping = false
  const scheduler = createSyncScheduler({
    intervalMs: intervalSeconds * 1000,
    runner: syncEngineRunner(deps, {
      ...(options.peer !== undefined ? { peerName: options.peer } : {}),
      syncOptions: {
        leaseMs: SYNC_LEASE_MS,
        ...(progress ? { onProgress: (event: SyncProgress) => progress.update(event) } : {}),
      },
      // A run cut short by our own stop did not fail; only runs that ended on their own count.
      onReport: (report) => {
        if (!stopping) reports.push(report)
      },
    }),
    log: (line) => {
      progress?.clear()
      ctx.stdout.write(`${line}\n`)
    },
  })
  const stop = stopSignal()
  ctx.stderr.write(
    `intelmesh: syncing every ${intervalSeconds} s${options.peer ? ` with peer ${options.peer}` : ''}; Ctrl-C stops\n`,
  )
  scheduler.start()
  // The scheduler's timer never keeps a process alive (serve has its server for that); here
  // nothing else would between rounds, so hold the process open until the signal.
  const keepAlive = setInterval(() => undefined, 1 << 30)
  const signal = await stop.received
  clearInterval(keepAlive)
  progress?.clear()
  ctx.stderr.write(`intelmesh: ${signal} received; letting runs finish their current page\n`)
  stopping = true
  const { cut } = await scheduler.stop(shutdownTimeoutMs)
  stop.dispose()
  progress?.clear()
  if (cut.length > 0) {
    ctx.stderr.write(
      `intelmesh: cut the runs of ${cut.join(', ')}; they resume from their last committed page\n`,
    )
  }
  return reports
}

/** The last report of each peer: what decides the exit code of a loop. */
function lastPerPeer(reports: readonly SyncReport[]): SyncReport[] {
  const last = new Map<string, SyncReport>()
  for (const report of reports) last.set(report.peerId, report)
  return [...last.values()]
}

export const registerSyncCommand: CommandRegistrar = (program, ctx) => {
  withAdminOptions(
    program
      .command('sync')
      .description(
        'Sync with the peers now: pull then push per collection map (with --once a single run, else rounds until Ctrl-C)',
      )
      .option('--peer <name>', 'only this peer')
      .option('--once', 'one run per peer, then exit (exit 1 when a peer failed)')
      .option(
        '--timeout <seconds>',
        'per-request timeout towards peers (default: the client default)',
      )
      .option('--retries <n>', 'retries of a failed request (default: the client default)')
      .option(
        '--sync-interval-seconds <n>',
        'seconds between rounds without --once (default: the node configuration, 60)',
      ),
  ).action(async (options: SyncCommandOptions) => {
    const timeoutSeconds = wholeNumber(options.timeout, '--timeout', 1, 3600)
    const retries = wholeNumber(options.retries, '--retries', 0, 20)
    const config = loadConfig({
      flags: {
        ...(options.db !== undefined ? { db: options.db } : {}),
        ...(options.config !== undefined ? { config: options.config } : {}),
        ...(options.dataDir !== undefined ? { dataDir: options.dataDir } : {}),
        ...(options.syncIntervalSeconds !== undefined
          ? { syncIntervalSeconds: options.syncIntervalSeconds }
          : {}),
      },
      env: ctx.env,
    })
    if (!options.once && config.syncIntervalSeconds === 0) {
      throw usage(
        `the sync interval is 0 (from ${config.sources.syncIntervalSeconds}); use --once, or --sync-interval-seconds <n>`,
      )
    }
    const progress = ctx.stderr.isTTY && !options.json ? new ProgressLine(ctx.stderr) : undefined
    const reports = await runAdmin(ctx, options, (_admin, store: Store) => {
      const deps: SyncDeps = {
        store,
        audit: new AuditLog(store),
        log: (line) => {
          progress?.clear()
          ctx.stderr.write(`intelmesh: ${line}\n`)
        },
        ...(timeoutSeconds !== undefined || retries !== undefined
          ? {
              client: {
                ...(timeoutSeconds !== undefined ? { timeoutMs: timeoutSeconds * 1000 } : {}),
                ...(retries !== undefined ? { retries } : {}),
              },
            }
          : {}),
      }
      return options.once
        ? runOnce(ctx, deps, options, progress)
        : runLoop(
            ctx,
            deps,
            options,
            config.syncIntervalSeconds,
            config.shutdownTimeoutMs,
            progress,
          )
    })
    if (options.json) printJson(ctx, reports)
    else if (options.once) {
      for (const report of reports) ctx.stdout.write(`${formatSyncSummary(report)}\n`)
      if (reports.length === 0) {
        ctx.stdout.write('sync: no enabled peers (add one with: intelmesh peer add)\n')
      } else if (reports.length > 1) ctx.stdout.write(`${totalLine(reports)}\n`)
    } else ctx.stdout.write(`${totalLine(reports)}\n`)
    const failed = lastPerPeer(reports).some((r) => !r.ok && !r.skipped)
    ctx.setExitCode(failed ? EXIT.findings : EXIT.ok)
  })
}
