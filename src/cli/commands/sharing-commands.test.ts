import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable, Writable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { indicatorVersion } from '../../../test/helpers/admin-world.js'
import { AuditLog, type AuditEntry } from '../../audit/audit-log.js'
import { SqliteStore } from '../../store/sqlite/sqlite-store.js'
import { main } from '../main.js'

let dir: string
let path: string

class Capture extends Writable {
  text = ''
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.text += chunk.toString('utf8')
    done()
  }
}

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new Capture()
  const stderr = new Capture()
  const code = await main(['node', 'intelmesh', ...args, '--db', `sqlite:${path}`], {
    stdout,
    stderr,
    stdin: Readable.from(['']),
    env: {},
  })
  return { code, stdout: stdout.text, stderr: stderr.text }
}

async function withStore<T>(work: (store: SqliteStore) => Promise<T>): Promise<T> {
  const store = SqliteStore.open(path)
  try {
    return await work(store)
  } finally {
    await store.close()
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'intelmesh-sharing-cli-'))
  path = join(dir, 'node.db')
  await withStore((store) => store.migrate())
  for (const org of ['Acme', 'Beta', 'Gamma']) expect((await cli('org', 'add', org)).code).toBe(0)
  for (const [user, org] of [
    ['alice', 'Acme'],
    ['bob', 'Beta'],
  ] as const) {
    expect((await cli('user', 'add', user, '--org', org, '--no-password')).code).toBe(0)
  }
  await withStore(async (store) => {
    await store.createApiRoot({
      id: '0f0e0d0c-0b0a-4909-8887-868584838281',
      path: 'api1',
      title: 'api1',
      description: null,
      maxContentLength: 1024 * 1024,
      createdAt: '2026-01-01T00:00:00.000Z',
    })
  })
  expect((await cli('collection', 'add', 'intel')).code).toBe(0)
})

afterAll(() => {
  rmSync(dir, { recursive: true, force: true })
})

describe('intelmesh group', () => {
  it('creates, shows, lists and changes a group', async () => {
    const created = await cli(
      'group',
      'create',
      'isac',
      '--owner',
      'Acme',
      '--member',
      'Beta',
      '--description',
      'banks',
    )
    expect(created).toMatchObject({ code: 0, stderr: '' })
    expect(created.stdout).toMatch(/created group "isac"[\s\S]*owner {8}Acme[\s\S]*members {6}Beta/)
    expect((await cli('group', 'add-member', 'isac', 'Gamma')).stdout).toBe(
      'organisation "Gamma" added to group "isac"\n',
    )
    expect((await cli('group', 'add-member', 'isac', 'Gamma')).stdout).toMatch(/already a member/)
    expect((await cli('group', 'remove-member', 'isac', 'Gamma')).stdout).toMatch(/removed from/)
    const shown = JSON.parse((await cli('group', 'show', 'isac', '--json')).stdout) as {
      members: { name: string }[]
    }
    expect(shown.members.map((m) => m.name)).toEqual(['Beta'])
    const listed = await cli('group', 'list')
    expect(listed.stdout).toMatch(/^NAME\tOWNER\tMEMBERS\tID\nisac\tAcme\tBeta\t/)
    expect((await cli('group', 'describe', 'isac', 'banks and insurers')).stdout).toMatch(
      /description {2}banks and insurers/,
    )
  })

  it('refuses a missing owner, a taken name and an unknown group in one line (exit 2)', async () => {
    expect((await cli('group', 'create', 'x')).code).toBe(2)
    const taken = await cli('group', 'create', 'isac', '--owner', 'Beta')
    expect(taken.code).toBe(2)
    expect(taken.stderr).toBe(
      'intelmesh: Record already exists: sharing group "isac" already exists\n',
    )
    expect((await cli('group', 'show', 'nope')).stderr).toMatch(/no sharing group "nope"/)
  })

  it('deletes a group', async () => {
    await cli('group', 'create', 'temp', '--owner', 'Gamma')
    expect((await cli('group', 'delete', 'temp')).stdout).toBe('deleted group "temp"\n')
    expect((await cli('group', 'show', 'temp')).code).toBe(2)
  })
})

describe('intelmesh org sharing', () => {
  it('sets the default distribution, anonymity and ceilings, and shows them', async () => {
    const set = await cli(
      'org',
      'sharing',
      'Acme',
      '--default-distribution',
      'groups',
      '--groups',
      'isac',
      '--anonymous-default',
      'on',
      '--ceiling',
      'role=analyst,tlp=amber,scope=community',
      '--ceiling',
      'user=alice,tlp=red',
    )
    expect(set).toMatchObject({ code: 0, stderr: '' })
    expect(set.stdout).toContain('anonymous by default  on')
    expect(set.stdout).toContain('ceiling role=analyst  tlp=amber,scope=community')
    expect(set.stdout).toContain('ceiling user=alice  tlp=red')
    const shown = JSON.parse((await cli('org', 'sharing', 'Acme', '--json')).stdout) as {
      defaultDistribution: { scope: string }
    }
    expect(shown.defaultDistribution.scope).toBe('groups')
    const cleared = await cli(
      'org',
      'sharing',
      'Acme',
      '--default-distribution',
      'none',
      '--clear-ceiling',
      'user=alice',
    )
    expect(cleared.stdout).toContain("default distribution  (none: the collection's default)")
    expect(cleared.stdout).not.toContain('user=alice')
  })

  it('names a bad ceiling or switch (exit 2)', async () => {
    const tlp = await cli('org', 'sharing', 'Acme', '--ceiling', 'role=analyst,tlp=purple')
    expect(tlp.code).toBe(2)
    expect(tlp.stderr).toMatch(/--ceiling tlp "purple" is not one of clear, green/)
    const who = await cli('org', 'sharing', 'Acme', '--ceiling', 'tlp=red')
    expect(who.stderr).toMatch(/names no role= or user=/)
    const stranger = await cli('org', 'sharing', 'Acme', '--ceiling', 'user=bob,tlp=red')
    expect(stranger.stderr).toMatch(/user "bob" is not of organisation "Acme"/)
    expect((await cli('org', 'sharing', 'Acme', '--anonymous-default', 'maybe')).stderr).toMatch(
      /--anonymous-default takes on or off/,
    )
  })
})

describe('intelmesh collection update, node set, user set-role', () => {
  it('opens a collection and changes its default distribution', async () => {
    const updated = await cli(
      'collection',
      'update',
      'intel',
      '--public',
      'on',
      '--default-distribution',
      'federation',
    )
    expect(updated.stdout).toBe('collection "intel": public, default distribution federation\n')
    expect((await cli('collection', 'update', 'intel')).code).toBe(2)
    const added = await cli('collection', 'add', 'open', '--public', '--json')
    expect(JSON.parse(added.stdout)).toMatchObject({ alias: 'open', public: true })
  })

  it('sets the default TLP and refuses an unknown level', async () => {
    expect((await cli('node', 'set', 'default-tlp', 'green')).stdout).toBe(
      'default TLP is now green\n',
    )
    expect((await cli('node', 'show')).stdout).toMatch(/^default TLP {8}green\n/)
    const bad = await cli('node', 'set', 'default-tlp', 'white')
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/"white" is not one of clear/)
  })

  it("changes a user's role", async () => {
    expect((await cli('user', 'set-role', 'bob', 'analyst')).stdout).toBe(
      'user "bob" is now analyst\n',
    )
    expect((await cli('user', 'set-role', 'bob', 'root')).code).toBe(2)
  })

  it('audits every change as the local CLI (system), and the chain verifies', async () => {
    const entries = await withStore(async (store) => {
      const list: AuditEntry[] = []
      for await (const entry of new AuditLog(store).list()) list.push(entry)
      expect(await new AuditLog(store).verify()).toMatchObject({ ok: true })
      return list
    })
    expect(entries.every((e) => e.actor.kind === 'system' && e.actor.id === 'cli')).toBe(true)
    const changes = entries.map((e) => e.details['change'])
    expect(changes).toEqual(
      expect.arrayContaining([
        'organisation.create',
        'user.create',
        'collection.create',
        'group.create',
        'organisation.sharing',
        'collection.sharing',
        'node.settings',
        'user.set-role',
      ]),
    )
  })
})

describe('intelmesh sharing explain', () => {
  it('prints the decision per version, and JSON with --json', async () => {
    const id = 'indicator--7d0c1f7a-3b8e-4c4b-9f51-0a1b2c3d4e5f'
    await withStore(async (store) => {
      const acme = await store.getOrganisationByName('Acme')
      const beta = await store.getOrganisationByName('Beta')
      const collection = await store.getCollectionByAlias('intel')
      if (!acme || !beta || !collection) throw new Error('seed missing')
      await store.addObjects(
        [
          indicatorVersion(collection.id, id, '2026-01-02T00:00:00.000Z', {
            publisherOrgId: acme.id,
            tlp: 'red',
            distribution: { scope: 'community', recipients: [beta.id] },
          }),
        ],
        1_000_000,
      )
    })
    const text = await cli('sharing', 'explain', '--object', id, '--viewer', 'Gamma')
    expect(text.code).toBe(0)
    expect(text.stdout).toContain('viewer organisation "Gamma"')
    expect(text.stdout).toMatch(/rule {10}RED_NOT_RECIPIENT: hidden/)
    const json = await cli('sharing', 'explain', '--object', id, '--viewer', 'user:bob', '--json')
    expect(JSON.parse(json.stdout)).toMatchObject({
      viewer: { kind: 'user', role: 'analyst' },
      versions: [{ decision: { rule: 'NAMED_RECIPIENT', visible: true } }],
    })
    const unknown = await cli('sharing', 'explain', '--object', id, '--viewer', 'Nobody')
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toMatch(/no organisation or user "Nobody"/)
  })
})
