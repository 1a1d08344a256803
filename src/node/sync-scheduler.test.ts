import { afterEach, describe, expect, it } from 'vitest'
import { SqliteStore } from '../store/sqlite/sqlite-store.js'
import { startNode, type RunningNode } from './start-node.js'
import {
  createSyncScheduler,
  type PeerRunner,
  type ScheduledPeer,
  type SyncScheduler,
} from './sync-scheduler.js'

const peerA: ScheduledPeer = { id: 'p-a', name: 'alpha' }
const peerB: ScheduledPeer = { id: 'p-b', name: 'bravo' }
const peerC: ScheduledPeer = { id: 'p-c', name: 'charlie' }

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** Resolves once `check` holds, polling every 5 ms; fails after `ms`. */
async function until(check: () => boolean, ms = 2_000): Promise<void> {
  const end = Date.now() + ms
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not reached in time')
    await sleep(5)
  }
}

/** A runner whose behaviour per peer is a function; counts starts, overlaps and aborts seen. */
function fakeRunner(
  peers: ScheduledPeer[],
  behaviour: Record<string, (signal: AbortSignal) => Promise<string | undefined>>,
): PeerRunner & {
  starts: Record<string, number>
  maxConcurrentPerPeer: Record<string, number>
} {
  const starts: Record<string, number> = {}
  const running: Record<string, number> = {}
  const maxConcurrentPerPeer: Record<string, number> = {}
  return {
    starts,
    maxConcurrentPerPeer,
    listPeers: () => Promise.resolve(peers),
    async runPeer(peer, signal) {
      starts[peer.name] = (starts[peer.name] ?? 0) + 1
      running[peer.name] = (running[peer.name] ?? 0) + 1
      maxConcurrentPerPeer[peer.name] = Math.max(
        maxConcurrentPerPeer[peer.name] ?? 0,
        running[peer.name] ?? 0,
      )
      try {
        const run = behaviour[peer.name]
        return run ? await run(signal) : `${peer.name}: ok`
      } finally {
        running[peer.name] = (running[peer.name] ?? 1) - 1
      }
    },
  }
}

/** Resolves after `ms`, or at once when `signal` aborts (a run that stops at a page boundary). */
function abortableWait(ms: number, signal: AbortSignal): Promise<string> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve('finished'), ms)
    signal.addEventListener('abort', () => {
      clearTimeout(timer)
      resolve('stopped at a page boundary')
    })
  })
}

let scheduler: SyncScheduler | undefined

afterEach(async () => {
  await scheduler?.stop(100)
  scheduler = undefined
})

describe('createSyncScheduler', () => {
  it('refuses an interval that is not positive (0 means the node starts no scheduler)', () => {
    const runner = fakeRunner([], {})
    expect(() => createSyncScheduler({ intervalMs: 0, runner })).toThrow(/must be positive/)
  })

  it('runs every listed peer in a round and logs each summary', async () => {
    const lines: string[] = []
    const runner = fakeRunner([peerA, peerB], { bravo: () => Promise.resolve('bravo: moved 3') })
    scheduler = createSyncScheduler({ intervalMs: 60_000, runner, log: (l) => lines.push(l) })
    await scheduler.runRound()
    expect(runner.starts).toEqual({ alpha: 1, bravo: 1 })
    expect(lines.sort()).toEqual(['alpha: ok', 'bravo: moved 3'])
  })

  it('starts rounds on the interval and never runs one peer twice at once', async () => {
    const lines: string[] = []
    // alpha takes longer than three intervals; bravo is quick.
    const runner = fakeRunner([peerA, peerB], {
      alpha: (signal) => abortableWait(120, signal),
    })
    scheduler = createSyncScheduler({ intervalMs: 30, runner, log: (l) => lines.push(l) })
    scheduler.start()
    await until(() => (runner.starts['bravo'] ?? 0) >= 5)
    expect(runner.maxConcurrentPerPeer['alpha']).toBe(1)
    expect(runner.starts['alpha']).toBeLessThan(runner.starts['bravo'] ?? 0)
    expect(lines).toContain('sync alpha: the previous run is still going; skipped this round')
  })

  it('keeps syncing the other peers while one fails and one hangs', async () => {
    const lines: string[] = []
    const runner = fakeRunner([peerA, peerB, peerC], {
      alpha: () => Promise.reject(new Error('HTTP 500 from the peer')),
      // Hangs until shutdown, ignoring the abort.
      bravo: () => new Promise<string>(() => undefined),
    })
    scheduler = createSyncScheduler({ intervalMs: 20, runner, log: (l) => lines.push(l) })
    scheduler.start()
    await until(() => (runner.starts['charlie'] ?? 0) >= 4 && (runner.starts['alpha'] ?? 0) >= 4)
    expect(runner.starts['bravo']).toBe(1)
    expect(lines).toContain('sync alpha: failed: HTTP 500 from the peer')
    expect(lines.filter((l) => l === 'charlie: ok').length).toBeGreaterThanOrEqual(4)
    expect(scheduler.active()).toEqual(['bravo'])
    expect(await scheduler.stop(50)).toEqual({ cut: ['bravo'] })
  })

  it('logs a failure to list the peers and tries again next round', async () => {
    const lines: string[] = []
    let calls = 0
    const runner: PeerRunner = {
      listPeers: () =>
        ++calls === 1 ? Promise.reject(new Error('database is locked')) : Promise.resolve([peerA]),
      runPeer: () => Promise.resolve('alpha: ok'),
    }
    scheduler = createSyncScheduler({ intervalMs: 20, runner, log: (l) => lines.push(l) })
    scheduler.start()
    await until(() => lines.includes('alpha: ok'))
    expect(lines[0]).toBe('sync: cannot list the peers: database is locked')
  })

  it('on stop, lets a run that honours the abort finish and starts no more rounds', async () => {
    const runner = fakeRunner([peerA], { alpha: (signal) => abortableWait(10_000, signal) })
    const lines: string[] = []
    scheduler = createSyncScheduler({ intervalMs: 10, runner, log: (l) => lines.push(l) })
    scheduler.start()
    await until(() => scheduler?.active().length === 1)
    const started = Date.now()
    expect(await scheduler.stop(5_000)).toEqual({ cut: [] })
    expect(Date.now() - started).toBeLessThan(1_000)
    expect(scheduler.active()).toEqual([])
    const starts = runner.starts['alpha']
    await sleep(50)
    expect(runner.starts['alpha']).toBe(starts)
  })

  it('cuts a run that ignores the abort once the timeout has passed', async () => {
    let aborted = false
    const runner = fakeRunner([peerA], {
      alpha: (signal) => {
        signal.addEventListener('abort', () => (aborted = true))
        return sleep(1_000).then(() => 'late')
      },
    })
    scheduler = createSyncScheduler({ intervalMs: 10_000, runner })
    scheduler.start()
    await until(() => scheduler?.active().length === 1)
    const started = Date.now()
    expect(await scheduler.stop(80)).toEqual({ cut: ['alpha'] })
    expect(Date.now() - started).toBeGreaterThanOrEqual(70)
    expect(Date.now() - started).toBeLessThan(900)
    expect(aborted).toBe(true)
  })

  it('does not log a cut run failing after the stop', async () => {
    const lines: string[] = []
    let fail: (error: Error) => void = () => undefined
    const runner = fakeRunner([peerA], {
      alpha: () => new Promise<string>((_resolve, reject) => (fail = reject)),
    })
    scheduler = createSyncScheduler({ intervalMs: 10_000, runner, log: (l) => lines.push(l) })
    scheduler.start()
    await until(() => scheduler?.active().length === 1)
    await scheduler.stop(10)
    fail(new Error('the database connection is not open'))
    await sleep(10)
    expect(lines).toEqual([])
  })
})

describe('startNode with the sync scheduler', () => {
  const config = {
    listen: { host: '127.0.0.1', port: 0 },
    tls: null,
    adminPassword: 'test admin password',
    nodeName: 'test node',
    shutdownTimeoutMs: 2_000,
  }
  const createApp = (): { fetch: () => Response } => ({ fetch: () => new Response('ok') })
  let node: RunningNode | undefined

  afterEach(async () => {
    await node?.stop()
    node = undefined
  })

  it('starts no scheduler when the interval is 0', async () => {
    const runner = fakeRunner([peerA], {})
    node = await startNode({
      config: { ...config, syncIntervalSeconds: 0 },
      store: SqliteStore.open(':memory:'),
      createApp,
      syncRunner: runner,
    })
    expect(node.scheduler).toBeUndefined()
    await sleep(30)
    expect(runner.starts).toEqual({})
  })

  it('runs the peers right after start and lets an in-flight run end its page on stop', async () => {
    const lines: string[] = []
    let sawAbort = false
    const runner = fakeRunner([peerA, peerB], {
      alpha: async (signal) => {
        const outcome = await abortableWait(60_000, signal)
        sawAbort = signal.aborted
        return `alpha: ${outcome}`
      },
    })
    node = await startNode({
      config: { ...config, syncIntervalSeconds: 3600 },
      store: SqliteStore.open(':memory:'),
      createApp,
      syncRunner: runner,
      log: (line) => lines.push(line),
    })
    await until(() => lines.includes('bravo: ok'))
    expect(node.scheduler?.active()).toEqual(['alpha'])
    const started = Date.now()
    await node.stop()
    node = undefined
    expect(Date.now() - started).toBeLessThan(1_500)
    expect(sawAbort).toBe(true)
    expect(runner.starts).toEqual({ alpha: 1, bravo: 1 })
  })

  it('cuts a run that does not stop within the shutdown timeout, and says so', async () => {
    const lines: string[] = []
    const runner = fakeRunner([peerA], { alpha: () => new Promise<string>(() => undefined) })
    node = await startNode({
      config: { ...config, shutdownTimeoutMs: 100, syncIntervalSeconds: 3600 },
      store: SqliteStore.open(':memory:'),
      createApp,
      syncRunner: runner,
      log: (line) => lines.push(line),
    })
    await until(() => node?.scheduler?.active().length === 1)
    await node.stop()
    node = undefined
    expect(lines.at(-1)).toMatch(/^sync: cut the runs of alpha at shutdown/)
  })
})
