/**
 * Federation under faults (issue 6, "Tests"), each node a separate process on 127.0.0.1:
 *
 * - kill -9 of the receiving node while its scheduler pulls 50,000 objects, then a SIGTERM in
 *   the middle of the resumed pull (exit 0 within the shutdown timeout): after each restart the
 *   sync goes on, and completes with exact counts and no duplicates (pull commits a page, then
 *   its cursor).
 * - `intelmesh sync` in rounds until SIGTERM, and `--once` cut by SIGINT.
 * - A peer answering 500 and a peer that never answers are retried, fail alone, and do not
 *   block a healthy peer synced in the same run.
 * - A peer sending invalid STIX (a tiny fake TAXII 2.1 server here) cannot corrupt the store:
 *   the valid objects are stored, the invalid ones counted and logged, the database intact.
 */
import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest'
import {
  TLP,
  adminCli,
  adminJson,
  allVersions,
  connect,
  restartFedNode,
  seed,
  startFedNode,
  syncOnce,
  versionKeys,
  withStore,
  printOutputs,
  type FedNode,
} from './federation-harness.js'
import { scoId } from '../../src/stix/sco-ids.js'
import { TAXII, indicator, runCli, spawnCli } from './node-harness.js'

let dir: string
const nodes: FedNode[] = []
const servers: Server[] = []

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'intelmesh-federation-faults-'))
})

afterAll(async () => {
  for (const node of nodes) node.process.child.kill('SIGKILL')
  await Promise.all(nodes.map((n) => n.process.exited))
  for (const server of servers) server.closeAllConnections()
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))))
  rmSync(dir, { recursive: true, force: true })
})

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

function integrityCheck(file: string): unknown {
  const db = new Database(file, { readonly: true })
  try {
    return db.pragma('integrity_check', { simple: true })
  } finally {
    db.close()
  }
}

/** A TAXII 2.1 server stand-in on 127.0.0.1 port 0; resolves with its API root URL. */
async function fakeTaxii(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<string> {
  const server = createServer(handler)
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/api1/`
}

function taxiiJson(res: ServerResponse, status: number, body: unknown, headers = {}): void {
  res.writeHead(status, { 'Content-Type': TAXII, ...headers })
  res.end(JSON.stringify(body))
}

/** Adds a pull-only peer that needs no key on the other side (a fake server). */
async function addFakePeer(node: FedNode, name: string, url: string): Promise<void> {
  const orgs = await adminJson<{ name: string }[]>(node, ['org', 'list'])
  if (!orgs.some((o) => o.name === `org-${name}`)) {
    await adminCli(node, ['org', 'add', `org-${name}`])
  }
  await adminCli(node, [
    'peer',
    'add',
    name,
    '--url',
    url,
    '--auth',
    'bearer:fake-token',
    '--org',
    `org-${name}`,
    '--map',
    `shared=${randomUUID()}`,
    '--direction',
    'pull',
    '--tombstones',
    'off',
  ])
}

describe(
  'kill -9 of the receiving node while it pulls 50,000 objects',
  { timeout: 300_000 },
  () => {
    it('resumes after a kill and after a clean stop, ending with exactly the origin versions, no duplicates', async () => {
      const total = 50_000
      onTestFailed(() => printOutputs(nodes))
      const a = await startFedNode('origin', `sqlite:${join(dir, 'origin.db')}`)
      nodes.push(a)
      // Seeded through the store in large batches (not HTTP): the pull is what is under test.
      const objects = Array.from({ length: total }, (_, n) => ({
        ...indicator(n),
        object_marking_refs: [TLP.green],
      }))
      await seed(a, a.sharedId, objects, undefined, 10_000)
      const expected = versionKeys(objects.map(versionOf))

      const bFile = join(dir, 'receiver.db')
      const b = await startFedNode('receiver', `sqlite:${bFile}`, {
        INTELMESH_SYNC_INTERVAL_SECONDS: '1',
      })
      nodes.push(b)
      // B's scheduler picks the peer up at its next round and starts pulling.
      await connect(a, b, { xDirection: 'pull', yDirection: 'pull', tombstones: false })

      const countAtB = (): Promise<number> =>
        withStore(b, (store) => store.countObjects(b.sharedId))
      let before = 0
      const deadline = Date.now() + 120_000
      while (before < 3_000) {
        if (Date.now() > deadline)
          throw new Error(`B never started pulling:\n${b.process.output()}`)
        await sleep(25)
        before = await countAtB()
      }
      b.process.child.kill('SIGKILL')
      expect((await b.process.exited).signal).toBe('SIGKILL')
      const atKill = await countAtB()
      // The kill landed in the middle of the pull.
      expect(atKill).toBeGreaterThanOrEqual(3_000)
      expect(atKill).toBeLessThan(total)
      expect(integrityCheck(bFile)).toBe('ok')

      await restartFedNode(b)
      // A clean stop in the middle of the resumed pull: the run stops at a page boundary and
      // the node exits 0 within its shutdown timeout.
      let resumed = atKill
      const progressDeadline = Date.now() + 120_000
      while (resumed < atKill + 2_000) {
        if (Date.now() > progressDeadline) {
          throw new Error(`B did not resume:\n${b.process.output()}`)
        }
        await sleep(25)
        resumed = await countAtB()
      }
      const stopAt = Date.now()
      b.process.child.kill('SIGTERM')
      expect(await b.process.exited).toEqual({ code: 0, signal: null })
      expect(Date.now() - stopAt).toBeLessThan(10_000)
      expect(b.process.output()).toContain('SIGTERM received')
      const atStop = await countAtB()
      expect(atStop).toBeLessThan(total)
      expect(integrityCheck(bFile)).toBe('ok')

      await restartFedNode(b)
      let after = atStop
      const finish = Date.now() + 180_000
      while (after < total) {
        if (Date.now() > finish) {
          throw new Error(`sync stalled at ${after}/${total}:\n${b.process.output()}`)
        }
        await sleep(250)
        after = await countAtB()
      }
      // Another round or two changes nothing.
      await sleep(2_500)
      expect(await countAtB()).toBe(total)
      expect(versionKeys(await allVersions(b, b.sharedId))).toEqual(expected)
      const status = await adminJson<{ errors: string[]; lagMicros: number | null }>(b, [
        'peer',
        'status',
        a.name,
      ])
      expect(status.errors).toEqual([])
      expect(status.lagMicros).toBe(0)
      expect(b.process.output()).toMatch(/peer origin: pulled \d+, pushed 0 - ok/)
      b.process.child.kill('SIGTERM')
      expect(await b.process.exited).toEqual({ code: 0, signal: null })
      nodes.splice(nodes.indexOf(b), 1)
      expect(integrityCheck(bFile)).toBe('ok')
    })
  },
)

describe('peers that fail, hang or send invalid STIX', { timeout: 180_000 }, () => {
  let good: FedNode
  let receiver: FedNode

  beforeAll(async () => {
    good = await startFedNode('healthy', `sqlite:${join(dir, 'healthy.db')}`)
    nodes.push(good)
    receiver = await startFedNode('sink', `sqlite:${join(dir, 'sink.db')}`)
    nodes.push(receiver)
  })

  it('retries a 500 and a hanging peer, reports both failed, and syncs the healthy one', async () => {
    onTestFailed(() => printOutputs(nodes))
    const objects = Array.from({ length: 20 }, (_, n) => ({
      ...indicator(n),
      object_marking_refs: [TLP.green],
    }))
    await seed(good, good.sharedId, objects)
    await connect(good, receiver, { xDirection: 'pull', yDirection: 'pull', tombstones: false })

    let errorRequests = 0
    const failing = await fakeTaxii((_req, res) => {
      errorRequests += 1
      taxiiJson(res, 500, { title: 'Internal error', http_status: '500' })
    })
    let hangingRequests = 0
    // Accepts every request and never answers.
    const hanging = await fakeTaxii(() => {
      hangingRequests += 1
    })
    await addFakePeer(receiver, 'failing', failing)
    await addFakePeer(receiver, 'hanging', hanging)

    const started = Date.now()
    const run = await syncOnce(receiver, ['--timeout', '2', '--retries', '2'])
    const elapsed = Date.now() - started
    expect(run.code, run.stderr).toBe(1)
    const byName = Object.fromEntries(run.reports.map((r) => [r.peerName, r]))
    expect(byName['healthy']).toMatchObject({ ok: true, pulled: 20, errors: [] })
    expect(byName['failing']?.ok).toBe(false)
    expect(byName['failing']?.errors.join(' ')).toMatch(/500/)
    expect(byName['hanging']?.ok).toBe(false)
    expect(byName['hanging']?.errors.join(' ')).toMatch(/no complete response within 2000 ms/)
    // One request plus two retries each.
    expect(errorRequests).toBe(3)
    expect(hangingRequests).toBe(3)
    const finished = (name: string): number =>
      Date.parse(
        (run.reports.find((r) => r.peerName === name) as { finishedAt?: string }).finishedAt ?? '',
      )
    // The healthy peer was done long before the hanging one gave up.
    expect(finished('healthy')).toBeLessThan(finished('hanging') - 2_000)
    expect(elapsed).toBeLessThan(60_000)
    expect(await withStore(receiver, (s) => s.countObjects(receiver.sharedId))).toBe(20)

    // Without --json: a summary line per peer and a total, the failures named.
    const text = await runCli([
      'sync',
      '--once',
      '--db',
      receiver.db,
      '--timeout',
      '1',
      '--retries',
      '0',
    ])
    expect(text.code).toBe(1)
    const lines = text.stdout.trim().split('\n')
    expect(lines).toHaveLength(4)
    expect(lines).toContainEqual(
      expect.stringMatching(/^peer healthy: pulled 0, pushed 0 - ok in /),
    )
    expect(lines).toContainEqual(expect.stringMatching(/^peer failing: .* - FAILED: .*500/))
    expect(lines).toContainEqual(expect.stringMatching(/^peer hanging: .* - FAILED: /))
    expect(lines.at(-1)).toMatch(/^sync: 3 peer runs, pulled 0, pushed 0, .*; 2 FAILED$/)
    const status = await adminCli(receiver, ['peer', 'status', 'failing'])
    expect(status.stdout).toMatch(/last run\s+\S+ \(failed\)/)
    expect(status.stdout).toMatch(/last error\s+pull .*500/)
    await adminCli(receiver, ['peer', 'update', 'failing', '--disable'])
    await adminCli(receiver, ['peer', 'update', 'hanging', '--disable'])
  })

  it('stores the valid objects a peer sends and counts, logs and drops the invalid ones', async () => {
    onTestFailed(() => printOutputs(nodes))
    const at = '2026-03-01T00:00:00.000Z'
    const address = { type: 'ipv4-addr', spec_version: '2.1', value: '192.0.2.7' }
    const ipv4: Record<string, unknown> = { ...address, id: scoId(address) }
    const base = { spec_version: '2.1', created: at, modified: at }
    const valid = [
      { ...indicator(1, at) },
      { ...indicator(2, at) },
      { ...base, type: 'malware', id: `malware--${randomUUID()}`, name: 'ok', is_family: false },
      {
        ...base,
        type: 'identity',
        id: `identity--${randomUUID()}`,
        name: 'Fine Org',
        identity_class: 'organization',
      },
      ipv4,
    ]
    const invalid = [
      // Required property missing (STIX 2.1 section 4.7: pattern).
      { ...indicator(3, at), pattern: undefined },
      // is_family is required (specs/README.md).
      { ...base, type: 'malware', id: `malware--${randomUUID()}`, name: 'no family flag' },
      // The id's type part differs from type (section 2.9).
      {
        ...base,
        type: 'indicator',
        id: `malware--${randomUUID()}`,
        pattern: "[ipv4-addr:value = '1.2.3.4']",
        pattern_type: 'stix',
        valid_from: at,
      },
      // Not a timestamp (section 2.13).
      { ...indicator(4, at), modified: 'yesterday' },
      // An id that is not type--UUID at all, in case anyone builds SQL from it.
      {
        ...base,
        type: 'identity',
        id: "identity--'); DROP TABLE objects; --",
        name: 'x',
        identity_class: 'organization',
      },
    ].map((o) => JSON.parse(JSON.stringify(o)) as Record<string, unknown>)
    const dateAdded = '2026-03-01T00:00:00.000000Z'
    let objectRequests = 0
    const liar = await fakeTaxii((req, res) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1')
      if (!/\/collections\/[^/]+\/objects\/$/.test(url.pathname)) {
        taxiiJson(res, 404, { title: 'Not found' })
        return
      }
      objectRequests += 1
      const after = url.searchParams.get('added_after')
      if (after !== null && after >= dateAdded) {
        taxiiJson(res, 200, { more: false })
        return
      }
      taxiiJson(
        res,
        200,
        { more: false, objects: [...valid.slice(0, 2), ...invalid, ...valid.slice(2)] },
        { 'X-TAXII-Date-Added-First': dateAdded, 'X-TAXII-Date-Added-Last': dateAdded },
      )
    })
    await addFakePeer(receiver, 'liar', liar)
    const before = versionKeys(await allVersions(receiver, receiver.sharedId))

    const run = await syncOnce(receiver, ['--peer', 'liar'])
    expect(run.code, run.stderr).toBe(0)
    expect(run.reports).toEqual([expect.objectContaining({ pulled: 5, invalid: 5, errors: [] })])
    expect(run.stderr.match(/invalid object .* not stored/g)).toHaveLength(5)
    expect(run.stderr).toContain('is_family')
    const after = await allVersions(receiver, receiver.sharedId)
    expect(versionKeys(after)).toEqual([...before, ...versionKeys(valid.map(versionOf))].sort())
    const peers = await adminJson<{ id: string; name: string }[]>(receiver, ['peer', 'list'])
    const liarId = peers.find((p) => p.name === 'liar')?.id
    const validIds = new Set(valid.map((o) => String(o['id'])))
    const stored = after.filter((v) => validIds.has(v.id))
    expect(stored).toHaveLength(5)
    expect(stored.every((v) => v.originPeer === liarId)).toBe(true)
    expect(integrityCheck(join(dir, 'sink.db'))).toBe('ok')

    // The cursor moved past the page: the next run reads nothing again.
    const again = await syncOnce(receiver, ['--peer', 'liar'])
    expect(again.reports).toEqual([expect.objectContaining({ pulled: 0, invalid: 0, ok: true })])
    expect(objectRequests).toBe(2)
    const status = await adminJson<{ invalidTotal: number; movedTotal: number }>(receiver, [
      'peer',
      'status',
      'liar',
    ])
    expect(status).toMatchObject({ invalidTotal: 5, movedTotal: 5 })
  })

  it('syncs in rounds until SIGTERM without --once, a hanging peer never holding up the others', async () => {
    onTestFailed(() => printOutputs(nodes))
    await adminCli(receiver, ['peer', 'update', 'hanging', '--enable'])
    const child = spawnCli([
      'sync',
      '--db',
      receiver.db,
      '--sync-interval-seconds',
      '1',
      '--timeout',
      '120',
    ])
    let stdout = ''
    let stderr = ''
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')))
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')))
    let ended = false
    const exited = new Promise<number | null>((resolve) =>
      child.once('close', (code) => {
        ended = true
        resolve(code)
      }),
    )
    const until = async (check: () => boolean, what: string): Promise<void> => {
      const end = Date.now() + 60_000
      while (!check()) {
        if (ended || Date.now() > end) {
          throw new Error(
            `${what} did not happen${ended ? ' (intelmesh sync ended)' : ''}:\n${stdout}\n${stderr}`,
          )
        }
        await sleep(100)
      }
    }
    const healthyRuns = (): string[] =>
      stdout.split('\n').filter((line) => /^peer healthy: .* - ok in /.test(line))
    await until(() => healthyRuns().length >= 1, 'a first run of the healthy peer')
    // New objects at the healthy peer arrive in a later round, while the hanging run is stuck.
    const more = Array.from({ length: 5 }, (_, n) => ({
      ...indicator(100 + n),
      object_marking_refs: [TLP.green],
    }))
    await seed(good, good.sharedId, more)
    await until(
      () => healthyRuns().some((line) => line.startsWith('peer healthy: pulled 5,')),
      'the new objects arriving',
    )
    await until(
      () => stdout.includes('sync hanging: the previous run is still going; skipped this round'),
      'a round skipping the hanging peer',
    )
    expect(stdout).not.toMatch(/^peer hanging:/m)
    const stopAt = Date.now()
    child.kill('SIGTERM')
    expect(await exited).toBe(0)
    expect(Date.now() - stopAt).toBeLessThan(8_000)
    expect(stderr).toContain('SIGTERM received; letting runs finish their current page')
    expect(stdout.trim().split('\n').at(-1)).toMatch(/^sync: \d+ peer runs, pulled 5, .*; all ok$/)
    expect(await withStore(receiver, (st) => st.countObjects(receiver.sharedId))).toBe(30)
    await adminCli(receiver, ['peer', 'update', 'hanging', '--disable'])
  })

  it('stops a --once run at SIGINT without waiting for a peer that never answers', async () => {
    onTestFailed(() => printOutputs(nodes))
    let requests = 0
    const stuck = await fakeTaxii(() => {
      requests += 1
    })
    await addFakePeer(receiver, 'stuck', stuck)
    const child = spawnCli([
      'sync',
      '--once',
      '--peer',
      'stuck',
      '--timeout',
      '120',
      '--db',
      receiver.db,
    ])
    let stdout = ''
    let stderr = ''
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')))
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')))
    const exited = new Promise<number | null>((resolve) => child.once('close', resolve))
    const end = Date.now() + 30_000
    while (requests === 0) {
      if (Date.now() > end) throw new Error(`no request reached the peer:\n${stderr}`)
      await sleep(50)
    }
    const stopAt = Date.now()
    child.kill('SIGINT')
    // The run is cut at once and reported as not done: exit 1.
    expect(await exited).toBe(1)
    expect(Date.now() - stopAt).toBeLessThan(5_000)
    expect(stderr).toContain('SIGINT received; stopping after the current page')
    expect(stdout).toMatch(/^peer stuck: pulled 0, pushed 0 - FAILED: /m)
    await adminCli(receiver, ['peer', 'update', 'stuck', '--disable'])
  })
})

describe('intelmesh sync without --once', { timeout: 60_000 }, () => {
  it('stays up between rounds, even with no peer to sync, until SIGTERM', async () => {
    const db = `sqlite:${join(dir, 'idle.db')}`
    await withStore({ db }, async (store) => {
      await store.migrate()
    })
    const child = spawnCli(['sync', '--db', db, '--sync-interval-seconds', '1'])
    let stdout = ''
    let stderr = ''
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')))
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')))
    let code: number | null | undefined
    const exited = new Promise<void>((resolve) =>
      child.once('close', (c) => {
        code = c
        resolve()
      }),
    )
    const end = Date.now() + 30_000
    while (!stderr.includes('syncing every 1 s')) {
      if (code !== undefined || Date.now() > end) throw new Error(`did not start:\n${stderr}`)
      await sleep(100)
    }
    // Several rounds go by with nothing to do; the process must still be there.
    await sleep(2_500)
    expect(code, stderr).toBeUndefined()
    child.kill('SIGTERM')
    await exited
    expect(code).toBe(0)
    expect(stdout.trim()).toBe(
      'sync: 0 peer runs, pulled 0, pushed 0, 0 invalid received, 0 dangling refs; all ok',
    )
  })
})

function versionOf(object: Record<string, unknown>): { id: string; version: string } {
  const version = object['modified'] ?? object['created']
  return { id: String(object['id']), version: typeof version === 'string' ? version : '' }
}
