/**
 * The sync scheduler inside `intelmesh serve` (issue 6): every `intervalMs` a round starts a
 * sync run for each enabled peer that is not still running from an earlier round. Peers run
 * independently of one another, so a failing or hanging peer only ever delays itself; one
 * peer never has two runs at once. Stopping aborts the in-flight runs (the engine finishes the
 * page it is on, whose cursor moves in the same transaction as its objects) and waits for them
 * up to a timeout; a run still going then is cut, and since no page is half-committed the
 * cursors stay consistent.
 *
 * What a run does is not decided here: {@link syncEngineRunner} builds the {@link PeerRunner} of
 * the sync engine (used by `serve` and by `intelmesh sync` without `--once`); tests hand in fakes.
 */
import { formatSyncSummary, listPeers, syncPeer } from '../sync/index.js'
import type { SyncDeps, SyncOptions, SyncReport } from '../sync/index.js'

/** A peer as the scheduler sees it. */
export interface ScheduledPeer {
  id: string
  name: string
}

/** The work the scheduler drives. */
export interface PeerRunner {
  /** The peers to sync in a round (the enabled ones), read afresh each round. */
  listPeers(): Promise<ScheduledPeer[]>
  /**
   * One sync run of one peer. `signal` aborts at shutdown: stop at the next page boundary.
   * Resolves with a one-line summary to log, naming the peer (or nothing); a rejection is
   * logged as a failure.
   */
  runPeer(peer: ScheduledPeer, signal: AbortSignal): Promise<string | undefined>
}

export interface SyncSchedulerOptions {
  /** Time between the starts of two rounds; must be positive. */
  intervalMs: number
  runner: PeerRunner
  /** Where progress lines go (one per run, plus skips and failures). */
  log?: (line: string) => void
  /** Delay before the first round (default 0: right after start). */
  firstRoundDelayMs?: number
}

/** What {@link SyncScheduler.stop} reports. */
export interface StopReport {
  /** Names of the peers whose runs did not finish within the timeout and were cut. */
  cut: string[]
}

export interface SyncScheduler {
  /** Starts the rounds; calling it twice has no further effect. */
  start(): void
  /**
   * Runs one round now and resolves once the runs it started have ended (peers still running
   * from an earlier round are skipped, not waited for).
   */
  runRound(): Promise<void>
  /** Names of the peers with a run in flight. */
  active(): string[]
  /** Stops the rounds, aborts in-flight runs and waits for them up to `timeoutMs`. */
  stop(timeoutMs: number): Promise<StopReport>
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

/** Creates a scheduler; nothing runs until `start()` (or `runRound()`). */
export function createSyncScheduler(options: SyncSchedulerOptions): SyncScheduler {
  if (!(options.intervalMs > 0)) {
    throw new RangeError(`the sync interval must be positive, not ${options.intervalMs} ms`)
  }
  const log = options.log ?? ((): void => undefined)
  const { runner } = options
  const controller = new AbortController()
  const inFlight = new Map<string, { name: string; done: Promise<void> }>()
  let timer: NodeJS.Timeout | undefined
  let started = false
  let stopped = false

  const launch = (peer: ScheduledPeer): Promise<void> => {
    const done = (async (): Promise<void> => {
      try {
        const summary = await runner.runPeer(peer, controller.signal)
        if (summary !== undefined && !stopped) log(summary)
      } catch (error) {
        // After a stop the store may already be closed under a cut run: that is expected noise.
        if (!controller.signal.aborted) log(`sync ${peer.name}: failed: ${messageOf(error)}`)
      } finally {
        inFlight.delete(peer.id)
      }
    })()
    inFlight.set(peer.id, { name: peer.name, done })
    return done
  }

  const runRound = async (): Promise<void> => {
    if (stopped) return
    let peers: ScheduledPeer[]
    try {
      peers = await runner.listPeers()
    } catch (error) {
      if (!stopped) log(`sync: cannot list the peers: ${messageOf(error)}`)
      return
    }
    const launched: Promise<void>[] = []
    for (const peer of peers) {
      if (stopped) break
      if (inFlight.has(peer.id)) {
        log(`sync ${peer.name}: the previous run is still going; skipped this round`)
        continue
      }
      launched.push(launch(peer))
    }
    await Promise.all(launched)
  }

  const schedule = (delayMs: number): void => {
    timer = setTimeout(() => {
      if (stopped) return
      // The next round is timed from this one's start, so a long run does not stretch the rhythm.
      schedule(options.intervalMs)
      void runRound()
    }, delayMs)
    // The scheduler alone must never keep a process alive.
    timer.unref()
  }

  return {
    start() {
      if (started || stopped) return
      started = true
      schedule(options.firstRoundDelayMs ?? 0)
    },
    runRound,
    active() {
      return [...inFlight.values()].map((run) => run.name)
    },
    async stop(timeoutMs) {
      stopped = true
      if (timer !== undefined) clearTimeout(timer)
      controller.abort()
      const runs = [...inFlight.values()]
      if (runs.length === 0) return { cut: [] }
      let deadline: NodeJS.Timeout | undefined
      const timedOut = new Promise<'timeout'>((resolve) => {
        deadline = setTimeout(() => resolve('timeout'), timeoutMs)
      })
      const outcome = await Promise.race([
        Promise.all(runs.map((run) => run.done)).then(() => 'done' as const),
        timedOut,
      ])
      clearTimeout(deadline)
      if (outcome === 'done') return { cut: [] }
      return { cut: [...inFlight.values()].map((run) => run.name) }
    },
  }
}

export interface EngineRunnerOptions {
  /** Only the peer of this name (default: every enabled peer). */
  peerName?: string
  /** Passed to every run (progress callback, page sizes, lease length). */
  syncOptions?: Omit<SyncOptions, 'signal'>
  /** Called with each run's report. */
  onReport?: (report: SyncReport) => void
}

/**
 * The sync engine as a {@link PeerRunner}: each round lists the enabled peers afresh (so peers
 * added, disabled or removed while the node runs are picked up), and each run re-reads its
 * peer, so changed credentials or maps apply from the next run.
 */
export function syncEngineRunner(deps: SyncDeps, options: EngineRunnerOptions = {}): PeerRunner {
  return {
    async listPeers() {
      const peers = await listPeers(deps.store)
      return peers
        .filter((p) => p.enabled && (options.peerName === undefined || p.name === options.peerName))
        .map((p) => ({ id: p.id, name: p.name }))
    },
    async runPeer(scheduled, signal) {
      const peer = await deps.store.peers.getPeer(scheduled.id)
      if (peer === undefined || !peer.enabled) return undefined
      const report = await syncPeer(deps, peer, { ...options.syncOptions, signal })
      options.onReport?.(report)
      return formatSyncSummary(report)
    },
  }
}
