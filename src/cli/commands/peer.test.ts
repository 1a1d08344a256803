import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable, Writable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AdminService } from '../../accounts/admin-service.js'
import { createAuthenticator } from '../../accounts/authenticator.js'
import { objectMetadata } from '../../ingest/object-metadata.js'
import { SqliteStore } from '../../store/sqlite/sqlite-store.js'
import { main } from '../main.js'
import { lagText, parseAuth, parseMap } from './peer.js'

let dir: string
let db: string
const remoteId = '6f1c7a9e-1d2b-4c3d-8e4f-5a6b7c8d9e0f'
const secret = 'pa:ss:word-never-shown'
const token = 'tok-never-shown-123'

class Capture extends Writable {
  text = ''
  isTTY = false
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.text += chunk.toString('utf8')
    done()
  }
}

async function cli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new Capture()
  const stderr = new Capture()
  const code = await main(['node', 'intelmesh', ...args, '--db', db], {
    stdout,
    stderr,
    stdin: Readable.from(['']),
    env,
  })
  return { code, stdout: stdout.text, stderr: stderr.text }
}

async function withStore<T>(work: (store: SqliteStore) => Promise<T>): Promise<T> {
  const store = SqliteStore.open(db.slice('sqlite:'.length))
  try {
    return await work(store)
  } finally {
    await store.close()
  }
}

const addArgs = (name: string, ...more: string[]): string[] => [
  'peer',
  'add',
  name,
  '--url',
  'http://127.0.0.1:9/api1',
  '--org',
  'Beta',
  '--map',
  `shared=${remoteId}`,
  ...more,
]

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'intelmesh-peer-cli-'))
  db = `sqlite:${join(dir, 'node.db')}`
  await withStore(async (store) => {
    await store.migrate()
    await new AdminService(store).addApiRoot({ path: 'api1', title: 'test root' })
  })
  expect((await cli(['org', 'add', 'Beta'])).code).toBe(0)
  expect((await cli(['collection', 'add', 'shared', '--distribution', 'federation'])).code).toBe(0)
  expect((await cli(['collection', 'add', 'inside'])).code).toBe(0)
})

afterAll(() => {
  rmSync(dir, { recursive: true, force: true })
})

describe('peer argument parsing', () => {
  it('reads basic (password with colons), bearer and none', () => {
    expect(parseAuth('basic:alice:a:b')).toEqual({
      kind: 'basic',
      username: 'alice',
      password: 'a:b',
    })
    expect(parseAuth('bearer:xyz')).toEqual({ kind: 'bearer', token: 'xyz' })
    expect(parseAuth('none')).toEqual({ kind: 'none' })
  })

  it('refuses a malformed --auth without echoing it', () => {
    expect(() => parseAuth('token-typed-alone')).toThrow(/basic:<user>:<password>/)
    try {
      parseAuth('token-typed-alone')
    } catch (error) {
      expect(String(error)).not.toContain('token-typed-alone')
    }
    expect(() => parseAuth('basic:nopassword')).toThrow(/user name and a password/)
  })

  it('reads local=remote maps and refuses anything else', () => {
    expect(parseMap('shared=abc')).toEqual({ local: 'shared', remote: 'abc' })
    expect(() => parseMap('shared')).toThrow(/must be local=remote/)
    expect(() => parseMap('=abc')).toThrow(/must be local=remote/)
  })

  it('prints lag in a unit that fits', () => {
    expect(lagText(null)).toBe('unknown (never run)')
    expect(lagText(0)).toBe('0 s (caught up)')
    expect(lagText(90e6)).toBe('90.0 s')
    expect(lagText(600e6)).toBe('10.0 min')
  })
})

describe('intelmesh peer add / list / update', () => {
  it('adds a peer and never lists its credentials', async () => {
    const added = await cli(addArgs('beta', '--auth', `basic:svc:${secret}`, '--direction', 'pull'))
    expect(added).toMatchObject({ code: 0, stderr: '' })
    expect(added.stdout).toMatch(
      /^added peer "beta" \(id [0-9a-f-]{36}\): pull with http:\/\/127\.0\.0\.1:9\/api1\/, organisation Beta, 1 collection map\n/,
    )
    expect(added.stdout).toContain('intelmesh peer key beta')
    expect(added.stdout).not.toContain(secret)

    const table = await cli(['peer', 'list'])
    expect(table.code).toBe(0)
    expect(table.stdout).toContain('basic (svc)')
    expect(table.stdout).toContain(`shared=${remoteId}`)
    const json = await cli(['peer', 'list', '--json'])
    const listed = JSON.parse(json.stdout) as Record<string, unknown>[]
    expect(listed).toEqual([
      expect.objectContaining({
        name: 'beta',
        authKind: 'basic',
        authUser: 'svc',
        orgName: 'Beta',
        direction: 'pull',
        maps: [expect.objectContaining({ localAlias: 'shared', remoteCollectionId: remoteId })],
      }),
    ])
    for (const out of [table.stdout, json.stdout]) expect(out).not.toContain(secret)
  })

  it('takes the credentials from INTELMESH_PEER_AUTH when --auth is absent', async () => {
    const added = await cli(addArgs('gamma', '--tombstones', 'off'), {
      INTELMESH_PEER_AUTH: `bearer:${token}`,
    })
    expect(added.code).toBe(0)
    const peer = await withStore((store) => store.peers.getPeerByName('gamma'))
    expect(peer?.auth).toEqual({ kind: 'bearer', token })
    expect(peer?.applyTombstones).toBe(false)
  })

  it('refuses bad input in one line with exit 2, naming what is wrong', async () => {
    const cases: Array<[string[], RegExp]> = [
      [addArgs('delta'), /needs --auth/],
      [
        addArgs('delta', '--auth', 'bearer:x', '--direction', 'sideways'),
        /--direction must be pull, push or both/,
      ],
      [addArgs('delta', '--auth', 'bearer:x', '--tlp-ceiling', 'purple'), /--tlp-ceiling must be/],
      [
        addArgs('delta', '--auth', 'bearer:x', '--tombstones', 'maybe'),
        /--tombstones must be on or off/,
      ],
      [
        ['peer', 'add', 'delta', '--url', 'http://x/api1/', '--org', 'Beta', '--auth', 'none'],
        /at least one --map/,
      ],
      [
        [
          'peer',
          'add',
          'delta',
          '--url',
          'http://x/',
          '--org',
          'Nobody',
          '--auth',
          'none',
          '--map',
          's=r',
        ],
        /no organisation "Nobody"/,
      ],
      [
        [
          'peer',
          'add',
          'delta',
          '--url',
          'http://x/',
          '--org',
          'Beta',
          '--auth',
          'none',
          '--map',
          'nope=r',
        ],
        /no local collection "nope"/,
      ],
      [addArgs('beta', '--auth', 'none'), /a peer named "beta" exists/],
      [['peer', 'status', 'nobody'], /no peer "nobody"/],
    ]
    for (const [args, message] of cases) {
      const result = await cli(args)
      expect(result.code, args.join(' ')).toBe(2)
      expect(result.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1)
      expect(result.stderr).toMatch(message)
    }
    expect(await withStore((store) => store.peers.getPeerByName('delta'))).toBeUndefined()
  })

  it('changes only what is given; an empty filter value clears it', async () => {
    expect(
      (
        await cli([
          'peer',
          'update',
          'gamma',
          '--filter-types',
          'indicator,report',
          '--tlp-ceiling',
          'green',
        ])
      ).code,
    ).toBe(0)
    let peer = await withStore((store) => store.peers.getPeerByName('gamma'))
    expect(peer?.filter).toEqual({ types: ['indicator', 'report'], tlpCeiling: 'green' })
    const updated = await cli(['peer', 'update', 'gamma', '--filter-types', '', '--disable'])
    expect(updated.stdout).toContain('disabled')
    expect(updated.stdout).toContain('filter tlp<=green')
    peer = await withStore((store) => store.peers.getPeerByName('gamma'))
    expect(peer?.filter).toEqual({ tlpCeiling: 'green' })
    expect(peer?.enabled).toBe(false)
    expect(peer?.auth).toEqual({ kind: 'bearer', token })
    const fromEnv = await cli(['peer', 'update', 'gamma', '--auth', 'env', '--enable'], {
      INTELMESH_PEER_AUTH: 'none',
    })
    expect(fromEnv.code).toBe(0)
    peer = await withStore((store) => store.peers.getPeerByName('gamma'))
    expect(peer?.auth).toEqual({ kind: 'none' })
    expect(peer?.enabled).toBe(true)
    const missing = await cli(['peer', 'update', 'gamma', '--auth', 'env'])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain('INTELMESH_PEER_AUTH is not set')
  })
})

describe('intelmesh peer key / status / preview / remove', () => {
  it('issues a key once that authenticates as the peer', async () => {
    const issued = await cli(['peer', 'key', 'beta'])
    expect(issued.code).toBe(0)
    const key = /^(imk_\S+)$/m.exec(issued.stdout)?.[1]
    expect(key).toBeDefined()
    expect(issued.stdout).toContain('shown once')
    const outcome = await withStore(async (store) => {
      const peer = await store.peers.getPeerByName('beta')
      const auth = await createAuthenticator(store).authenticate(`Bearer ${key ?? ''}`)
      return { peerId: peer?.id, auth }
    })
    expect(outcome.auth).toMatchObject({
      kind: 'authenticated',
      principal: { userName: 'peer-beta', peerId: outcome.peerId },
    })
    const listed = await cli(['peer', 'list', '--json'])
    expect(listed.stdout).not.toContain(key ?? '-')
  })

  it('shows a peer that never ran, one or all, as text and JSON', async () => {
    const one = await cli(['peer', 'status', 'beta'])
    expect(one.code).toBe(0)
    expect(one.stdout).toContain('peer beta (pull, enabled) http://127.0.0.1:9/api1/')
    expect(one.stdout).toMatch(/last run\s+never/)
    expect(one.stdout).toMatch(/lag\s+unknown \(never run\)/)
    expect(one.stdout).not.toContain(secret)
    const all = JSON.parse((await cli(['peer', 'status', '--json'])).stdout) as Array<{
      peer: { name: string }
      cursors: unknown[]
      movedTotal: number
    }>
    expect(all.map((s) => s.peer.name)).toEqual(['beta', 'gamma'])
    expect(all[0]).toMatchObject({ cursors: [], movedTotal: 0 })
  })

  it('previews the next push with the deciding rule of each version', async () => {
    const ids = await withStore(async (store) => {
      const shared = await store.getCollectionByAlias('shared')
      const beta = await store.getOrganisationByName('Beta')
      if (!shared || !beta) throw new Error('fixture missing')
      const make = (n: number, type: 'indicator' | 'malware', marking: string) => {
        const at = `2026-02-0${n}T00:00:00.000Z`
        const base = {
          spec_version: '2.1',
          id: `${type}--0000000${n}-0000-4000-8000-000000000000`,
          created: at,
          modified: at,
          object_marking_refs: [marking],
        }
        return type === 'indicator'
          ? {
              ...base,
              type,
              pattern: "[ipv4-addr:value = '10.0.0.1']",
              pattern_type: 'stix',
              valid_from: at,
            }
          : { ...base, type, name: 'x', is_family: true }
      }
      const green = 'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb'
      const amber = 'marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421'
      const objects = [
        make(1, 'indicator', green),
        make(2, 'malware', green),
        make(3, 'indicator', amber),
      ]
      const rows = objects.map((o) =>
        objectMetadata(o, JSON.stringify(o), shared, { orgId: null, actor: 'test' }),
      )
      const third = rows[2]
      if (third) third.distribution = { scope: 'community', groups: [], recipients: [] }
      await store.addObjects(rows, Date.now() * 1000)
      return objects.map((o) => o.id)
    })
    await cli(['peer', 'update', 'gamma', '--filter-types', 'indicator', '--tlp-ceiling', ''])
    const preview = await cli(['peer', 'preview', 'gamma', '--json'])
    expect(preview.code).toBe(0)
    const report = JSON.parse(preview.stdout) as {
      items: Array<{ id: string; send: boolean; rule: string }>
      byRule: Record<string, number>
    }
    const rules = Object.fromEntries(report.items.map((i) => [i.id, [i.send, i.rule]]))
    expect(rules).toEqual({
      [ids[0] ?? '']: [true, 'FEDERATION_PEER'],
      [ids[1] ?? '']: [false, 'FILTER_TYPE'],
      [ids[2] ?? '']: [false, 'PEER_NOT_FEDERATED'],
    })
    const text = await cli(['peer', 'preview', 'gamma'])
    expect(text.stdout).toContain(
      'peer gamma: the next push would send 1 and hold back 2 (FEDERATION_PEER 1, FILTER_TYPE 1, PEER_NOT_FEDERATED 1)',
    )
    const limited = await cli(['peer', 'preview', 'gamma', '--limit', '0'])
    expect(limited.code).toBe(2)
  })

  it('removes a peer and revokes the keys issued to it', async () => {
    const removed = await cli(['peer', 'remove', 'beta'])
    expect(removed.stdout).toContain('removed peer "beta"')
    const keys = await withStore((store) => store.listApiKeys())
    expect(keys.filter((k) => k.label === 'peer beta').every((k) => k.revoked)).toBe(true)
    const listed = JSON.parse((await cli(['peer', 'list', '--json'])).stdout) as { name: string }[]
    expect(listed.map((p) => p.name)).toEqual(['gamma'])
  })
})

describe('intelmesh sync (usage)', () => {
  it('refuses an unknown peer and a loop with the interval at 0, exit 2', async () => {
    const unknown = await cli(['sync', '--once', '--peer', 'nobody'])
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain('no peer "nobody"')
    const loop = await cli(['sync'], { INTELMESH_SYNC_INTERVAL_SECONDS: '0' })
    expect(loop.code).toBe(2)
    expect(loop.stderr).toContain('the sync interval is 0 (from INTELMESH_SYNC_INTERVAL_SECONDS)')
    const timeout = await cli(['sync', '--once', '--timeout', 'soon'])
    expect(timeout.code).toBe(2)
    expect(timeout.stderr).toContain('--timeout must be a whole number')
  })
})
