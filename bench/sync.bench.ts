/**
 * The federation benchmark (issue 6): objects/s to sync 100,000 mixed objects from node A to
 * node B, SQLite on both, end to end over HTTP on 127.0.0.1.
 *
 * - Mix: indicators 40%, malware 20%, identities 20%, relationships 10% and reports 10%
 *   (STIX 2.1; every reference resolves to an earlier object of the mix), marked TLP:CLEAR,
 *   GREEN, AMBER and AMBER+STRICT in turn and distributed to the federation: all of it visible
 *   to the peer (FEDERATION_PEER), so every version moves. No TLP:RED: a pushed RED version is
 *   refused by the receiving TAXII server (it asks for named recipients; see docs/federation.md).
 * - Origin A is seeded through its store (not timed). Each sync is one `syncPeer` run of the
 *   engine in this process on the syncing node's database, the other node being a separate
 *   `intelmesh serve` process:
 *   - pull: B (empty) pulls from A, which serves its TAXII objects endpoint;
 *   - push: A pushes to C (empty), which receives envelopes and stores them.
 *   Timed from the start of the run to its end (every page stored and its cursor saved), then
 *   checked: the receiver holds exactly the 100,000 versions. The wall-clock objects/s is the
 *   official figure (target >= 10,000/s); beside it, the CPU seconds of both processes (Linux
 *   `/proc`), which other load on a shared machine does not inflate.
 *
 * `--quick`: 5,000 objects.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { availableParallelism, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { openStore } from '../src/cli/open-store.js'
import { objectMetadata } from '../src/ingest/object-metadata.js'
import type { NewObjectVersion, Store } from '../src/store/store.js'
import { findPeer, formatSyncSummary, syncPeer, type SyncReport } from '../src/sync/index.js'
import { TLP, connect, startFedNode, type FedNode } from '../test/e2e/federation-harness.js'
import { ratePerSecond, type BenchContext, type Benchmark } from './harness.js'

const TARGET = 10_000
const AMBER_STRICT = 'marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003'
const base = Date.parse('2025-06-01T00:00:00.000Z')

function uuid(n: number): string {
  return `5e1c0000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`
}

/** Object `n` of the mix; its references point at earlier objects of the same mix. */
export function syncMixObject(n: number): Record<string, unknown> {
  const at = new Date(base + n * 1000).toISOString()
  const markings = [TLP.clear, TLP.green, TLP.amber, AMBER_STRICT]
  const marking = markings[n % 4] ?? TLP.green
  const common = {
    spec_version: '2.1',
    created: at,
    modified: at,
    object_marking_refs: [marking],
  }
  switch (n % 10) {
    case 0:
    case 2:
    case 6:
    case 9:
      return {
        type: 'indicator',
        id: `indicator--${uuid(n)}`,
        ...common,
        name: `C2 address ${n}`,
        indicator_types: ['malicious-activity'],
        pattern: `[ipv4-addr:value = '10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}']`,
        pattern_type: 'stix',
        valid_from: at,
      }
    case 1:
    case 7:
      return {
        type: 'malware',
        id: `malware--${uuid(n)}`,
        ...common,
        name: `Family ${n}`,
        is_family: true,
        malware_types: ['ransomware'],
      }
    case 3:
      return {
        type: 'relationship',
        id: `relationship--${uuid(n)}`,
        ...common,
        relationship_type: 'indicates',
        source_ref: `indicator--${uuid(n - 3)}`,
        target_ref: `malware--${uuid(n - 2)}`,
      }
    case 4:
    case 8:
      return {
        type: 'identity',
        id: `identity--${uuid(n)}`,
        ...common,
        name: `Organisation ${n}`,
        identity_class: 'organization',
      }
    default:
      return {
        type: 'report',
        id: `report--${uuid(n)}`,
        ...common,
        name: `Campaign ${n}`,
        published: at,
        report_types: ['campaign'],
        object_refs: [
          `indicator--${uuid(n - 5)}`,
          `malware--${uuid(n - 4)}`,
          `relationship--${uuid(n - 2)}`,
        ],
        created_by_ref: `identity--${uuid(n - 1)}`,
      }
  }
}

/** Seeds the origin, every object distributed to the federation. */
async function seedOrigin(node: FedNode, count: number, ctx: BenchContext): Promise<void> {
  const store = await openStore(node.db)
  try {
    const collection = await store.getCollection(node.sharedId)
    if (!collection) throw new Error('the shared collection is missing')
    const publisher = { orgId: node.orgId, actor: 'benchmark' }
    const started = Date.now()
    for (let from = 0; from < count; from += 10_000) {
      const rows: NewObjectVersion[] = []
      for (let n = from; n < Math.min(count, from + 10_000); n += 1) {
        const object = syncMixObject(n)
        const row = objectMetadata(object, JSON.stringify(object), collection, publisher)
        row.distribution = { scope: 'federation', groups: [], recipients: [] }
        rows.push(row)
      }
      await store.addObjects(rows, Date.now() * 1000)
    }
    ctx.log(
      `seeded ${count} objects at the origin in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    )
  } finally {
    await store.close()
  }
}

interface Measured {
  objects: number
  seconds: number
  objectsPerSecond: number
  /** CPU seconds (user + system) of the syncing process and of the peer's serve process. */
  cpuSeconds: { syncer: number; server: number | null }
  /** Objects per CPU second of both processes together (independent of other load). */
  objectsPerCpuSecond: number | null
  report: SyncReport
}

/** CPU milliseconds a child has used, from Linux's `/proc/<pid>/stat` (100 ticks a second). */
function childCpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // The fields after the command name, which sits in parentheses and may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    const ticks = Number(fields[11]) + Number(fields[12])
    return Number.isFinite(ticks) ? ticks * 10 : undefined
  } catch {
    return undefined
  }
}

/**
 * Runs one sync of `peerName` on `at`'s database, timed, and checks what `receiver` holds;
 * `server` is the serve process on the other end.
 */
async function measure(
  at: FedNode,
  peerName: string,
  receiver: FedNode,
  server: FedNode,
  expected: number,
  ctx: BenchContext,
): Promise<Measured> {
  const store: Store = await openStore(at.db)
  let report: SyncReport
  let ms: number
  let syncerCpuMs: number
  let serverCpuMs: number | undefined
  try {
    const peer = await findPeer(store, peerName)
    const serverBefore = childCpuMs(server.process.child.pid)
    const cpuBefore = process.cpuUsage()
    const started = process.hrtime.bigint()
    report = await syncPeer({ store }, peer)
    ms = Number(process.hrtime.bigint() - started) / 1e6
    const cpu = process.cpuUsage(cpuBefore)
    syncerCpuMs = (cpu.user + cpu.system) / 1000
    const serverAfter = childCpuMs(server.process.child.pid)
    serverCpuMs =
      serverBefore !== undefined && serverAfter !== undefined
        ? serverAfter - serverBefore
        : undefined
  } finally {
    await store.close()
  }
  ctx.log(formatSyncSummary(report))
  if (!report.ok) throw new Error(`the sync failed: ${report.errors.join('; ')}`)
  const held = await openStore(receiver.db)
  try {
    const count = await held.countObjects(receiver.sharedId)
    if (count !== expected) {
      throw new Error(`${receiver.name} holds ${count} versions after the sync, not ${expected}`)
    }
  } finally {
    await held.close()
  }
  const moved = report.pulled + report.pushed
  if (moved !== expected) throw new Error(`the sync moved ${moved} versions, not ${expected}`)
  if (report.danglingRefs > 0) throw new Error(`${report.danglingRefs} references dangled`)
  return {
    objects: moved,
    seconds: Number((ms / 1000).toFixed(2)),
    objectsPerSecond: ratePerSecond(moved, ms),
    cpuSeconds: {
      syncer: Number((syncerCpuMs / 1000).toFixed(2)),
      server: serverCpuMs === undefined ? null : Number((serverCpuMs / 1000).toFixed(2)),
    },
    objectsPerCpuSecond:
      serverCpuMs === undefined ? null : ratePerSecond(moved, syncerCpuMs + serverCpuMs),
    report,
  }
}

function cpuLine(m: Measured): string {
  return (
    `  CPU: syncing process ${m.cpuSeconds.syncer} s, serve process ${m.cpuSeconds.server ?? '?'} s; ` +
    `${m.objectsPerCpuSecond ?? '?'} objects per CPU second of both (rated by CPU time, not the official figure)`
  )
}

export const syncBenchmark: Benchmark = {
  name: 'sync',
  description:
    'Federation: 100,000 mixed objects (several TLPs, all visible to the peer) from node A to node B over TAXII on 127.0.0.1, SQLite on both, pull and push',
  async run(ctx) {
    const count = ctx.quick ? 5_000 : 100_000
    const dir = mkdtempSync(join(tmpdir(), 'intelmesh-bench-sync-'))
    const nodes: FedNode[] = []
    try {
      const a = await startFedNode('bench-a', `sqlite:${join(dir, 'a.db')}`)
      nodes.push(a)
      const b = await startFedNode('bench-b', `sqlite:${join(dir, 'b.db')}`)
      nodes.push(b)
      const c = await startFedNode('bench-c', `sqlite:${join(dir, 'c.db')}`)
      nodes.push(c)
      // B pulls from A; A pushes to C.
      await connect(a, b, { xDirection: 'push', yDirection: 'pull', tombstones: false })
      await connect(a, c, { xDirection: 'push', yDirection: 'pull', tombstones: false })
      await seedOrigin(a, count, ctx)

      const load = (): string => loadavg()[0]?.toFixed(2) ?? '?'
      ctx.log(`load average before pull: ${load()}`)
      const pull = await measure(b, a.name, b, a, count, ctx)
      ctx.log(
        `pull (B pulls ${pull.objects} from A): ${pull.seconds} s, ${pull.objectsPerSecond} objects/s ` +
          `(target >= ${TARGET}: ${pull.objectsPerSecond >= TARGET ? 'met' : 'NOT met'})`,
      )
      ctx.log(cpuLine(pull))
      ctx.log(`load average before push: ${load()}`)
      const push = await measure(a, c.name, c, c, count, ctx)
      ctx.log(
        `push (A pushes ${push.objects} to C): ${push.seconds} s, ${push.objectsPerSecond} objects/s ` +
          `(target >= ${TARGET}: ${push.objectsPerSecond >= TARGET ? 'met' : 'NOT met'})`,
      )
      ctx.log(cpuLine(push))
      ctx.log(`load average after: ${load()} (${availableParallelism()} cores)`)
      const figures = (m: Measured): Record<string, unknown> => ({
        seconds: m.seconds,
        objectsPerSecond: m.objectsPerSecond,
        cpuSeconds: m.cpuSeconds,
        objectsPerCpuSecond: m.objectsPerCpuSecond,
      })
      return {
        objects: count,
        target: TARGET,
        pull: figures(pull),
        push: figures(push),
        pullTargetMet: pull.objectsPerSecond >= TARGET,
        pushTargetMet: push.objectsPerSecond >= TARGET,
      }
    } finally {
      for (const node of nodes) node.process.child.kill('SIGKILL')
      await Promise.all(nodes.map((n) => n.process.exited))
      rmSync(dir, { recursive: true, force: true })
    }
  },
}
