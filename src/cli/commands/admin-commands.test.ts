import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable, Writable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAuthenticator } from '../../accounts/authenticator.js'
import { SqliteStore } from '../../store/sqlite/sqlite-store.js'
import { main } from '../main.js'

let dir: string
let db: string

class Capture extends Writable {
  text = ''
  isTTY: boolean
  constructor(tty = false) {
    super()
    this.isTTY = tty
  }
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.text += chunk.toString('utf8')
    done()
  }
}

async function cli(
  args: string[],
  options: { stdin?: string; tty?: boolean; env?: Record<string, string> } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new Capture(options.tty)
  const stderr = new Capture()
  const code = await main(['node', 'intelmesh', ...args], {
    stdout,
    stderr,
    stdin: Readable.from([options.stdin ?? '']),
    env: options.env ?? {},
  })
  return { code, stdout: stdout.text, stderr: stderr.text }
}

const withDb = (...args: string[]): string[] => [...args, '--db', db]

async function authenticate(header: string): Promise<string> {
  const store = SqliteStore.open(db.slice('sqlite:'.length))
  try {
    return (await createAuthenticator(store).authenticate(header)).kind
  } finally {
    await store.close()
  }
}

const basic = (user: string, pass: string): string =>
  `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'intelmesh-admin-'))
  const path = join(dir, 'node.db')
  db = `sqlite:${path}`
  const store = SqliteStore.open(path)
  await store.migrate()
  await store.close()
})

afterAll(() => {
  rmSync(dir, { recursive: true, force: true })
})

describe('intelmesh org', () => {
  it('adds and lists organisations', async () => {
    const added = await cli(withDb('org', 'add', 'Acme'))
    expect(added).toMatchObject({ code: 0, stderr: '' })
    expect(added.stdout).toMatch(
      /^added organisation "Acme" \(id [0-9a-f-]{36}, identity identity--/,
    )
    const listed = await cli(withDb('org', 'list', '--json'))
    expect(JSON.parse(listed.stdout)).toEqual([expect.objectContaining({ name: 'Acme' })])
  })

  it('refuses a duplicate in one line and exits 2', async () => {
    const again = await cli(withDb('org', 'add', 'Acme'))
    expect(again.code).toBe(2)
    expect(again.stderr).toBe(
      'intelmesh: Record already exists: organisation "Acme" already exists\n',
    )
  })

  it('prints an aligned table on a terminal and tab-separated lines in a pipe', async () => {
    await cli(withDb('org', 'add', 'Beta Corp'))
    const tty = await cli(withDb('org', 'list'), { tty: true })
    const lines = tty.stdout.trimEnd().split('\n')
    expect(lines[0]).toMatch(/^NAME\s+ID\s+IDENTITY\s+CREATED$/)
    expect(lines[1]).toMatch(/^-+\s+-+/)
    expect(lines.slice(2).map((l) => l.split(/\s{2,}/)[0])).toEqual(['Acme', 'Beta Corp'])
    const piped = await cli(withDb('org', 'list'))
    expect(piped.stdout.split('\n')[0]).toBe('NAME\tID\tIDENTITY\tCREATED')
  })
})

describe('intelmesh user', () => {
  it('adds a user with a generated password printed once', async () => {
    const added = await cli(withDb('user', 'add', 'alice', '--org', 'Acme', '--role', 'analyst'))
    expect(added.code).toBe(0)
    const password = /password: (\S+)/.exec(added.stdout)?.[1] ?? ''
    expect(password).toHaveLength(24)
    expect(await authenticate(basic('alice', password))).toBe('authenticated')
  })

  it('reads a chosen password from standard input', async () => {
    const added = await cli(
      withDb('user', 'add', 'bob', '--org', 'Beta Corp', '--password-stdin'),
      {
        stdin: 'bob chose this one\n',
      },
    )
    expect(added.code).toBe(0)
    expect(added.stdout).not.toContain('password:')
    expect(await authenticate(basic('bob', 'bob chose this one'))).toBe('authenticated')
  })

  it('names the problem with a bad role, a short password or an unknown organisation', async () => {
    const role = await cli(withDb('user', 'add', 'x', '--org', 'Acme', '--role', 'root'))
    expect(role.code).toBe(2)
    expect(role.stderr).toContain("'root' is invalid")
    const short = await cli(withDb('user', 'add', 'x', '--org', 'Acme', '--password-stdin'), {
      stdin: 'short',
    })
    expect(short).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('at least 12 characters') as unknown,
    })
    const org = await cli(withDb('user', 'add', 'x', '--org', 'Nowhere'))
    expect(org).toMatchObject({
      code: 2,
      stderr: 'intelmesh: Record not found: no organisation named "Nowhere"\n',
    })
  })

  it('lists users without their password hashes, and filters by organisation', async () => {
    const all = JSON.parse((await cli(withDb('user', 'list', '--json'))).stdout) as Record<
      string,
      unknown
    >[]
    expect(all.map((u) => u['name']).sort()).toEqual(['alice', 'bob'])
    expect(JSON.stringify(all)).not.toContain('scrypt$')
    const beta = JSON.parse(
      (await cli(withDb('user', 'list', '--org', 'Beta Corp', '--json'))).stdout,
    ) as unknown[]
    expect(beta).toEqual([
      expect.objectContaining({ name: 'bob', org: 'Beta Corp', hasPassword: true }),
    ])
  })

  it('disables a user so their credentials stop working at once, and enables them again', async () => {
    expect((await cli(withDb('user', 'disable', 'bob'))).stdout).toBe('user "bob" disabled\n')
    expect(await authenticate(basic('bob', 'bob chose this one'))).toBe('rejected')
    const listed = await cli(withDb('user', 'list'))
    expect(listed.stdout).toMatch(/bob\tBeta Corp\treader\tdisabled/)
    await cli(withDb('user', 'enable', 'bob'))
    expect(await authenticate(basic('bob', 'bob chose this one'))).toBe('authenticated')
  })
})

describe('intelmesh key', () => {
  let key = ''
  let prefix = ''

  it('creates a key shown once that authenticates as its user', async () => {
    const created = await cli(withDb('key', 'create', 'alice', '--label', 'sensor'))
    expect(created.code).toBe(0)
    key = /^(imk_\S+)$/m.exec(created.stdout)?.[1] ?? ''
    prefix = key.slice(4, 12)
    expect(created.stdout).toContain(`created API key ${prefix} for "alice"`)
    expect(await authenticate(`Bearer ${key}`)).toBe('authenticated')
  })

  it('lists keys by prefix and never shows a key or its hash', async () => {
    const listed = await cli(withDb('key', 'list', '--json'))
    expect(JSON.parse(listed.stdout)).toEqual([
      expect.objectContaining({ prefix, user: 'alice', label: 'sensor', revoked: false }),
    ])
    expect(listed.stdout).not.toContain(key.slice(13))
    expect(listed.stdout).not.toContain('keyHash')
  })

  it('revokes a key by prefix so it stops working at once', async () => {
    expect((await cli(withDb('key', 'revoke', prefix))).stdout).toBe(`revoked API key ${prefix}\n`)
    expect(await authenticate(`Bearer ${key}`)).toBe('rejected')
    const unknown = await cli(withDb('key', 'revoke', 'ffffffff'))
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain('no API key "ffffffff"')
  })
})

describe('intelmesh collection', () => {
  it('adds a collection under an API root and grants access', async () => {
    const root = SqliteStore.open(db.slice('sqlite:'.length))
    await root.createApiRoot({
      id: '5f0c4d6e-1111-4222-8333-444455556666',
      path: 'api1',
      title: 'Main',
      description: null,
      maxContentLength: 10_485_760,
      createdAt: '2026-01-01T00:00:00.000Z',
    })
    await root.close()
    const added = await cli(withDb('collection', 'add', 'intel', '--title', 'Shared intel'))
    expect(added.code).toBe(0)
    expect(added.stdout).toContain('added collection "intel"')
    const grant = await cli(
      withDb('collection', 'grant', 'intel', '--org', 'Acme', '--read', '--write'),
    )
    expect(grant.stdout).toBe('organisation "Acme" may now read and write collection "intel"\n')
    await cli(withDb('collection', 'grant', 'intel', '--user', 'bob', '--read'))
    const listed = await cli(withDb('collection', 'list'))
    expect(listed.stdout).toMatch(
      /intel\t\/api1\/\t[0-9a-f-]{36}\tShared intel\torg:Acme=rw user:bob=r/,
    )
  })

  it('explains a grant without rights or without a subject', async () => {
    const none = await cli(withDb('collection', 'grant', 'intel', '--org', 'Acme'))
    expect(none).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('give --read and/or --write') as unknown,
    })
    const both = await cli(withDb('collection', 'grant', 'intel', '--read'))
    expect(both.stderr).toContain('exactly one of --org')
    const missing = await cli(withDb('collection', 'add', 'other', '--api-root', 'nope'))
    expect(missing.stderr).toBe('intelmesh: Record not found: no API root "nope"\n')
  })
})

describe('admin commands and the database', () => {
  it('refuse to create a database that does not exist', async () => {
    const result = await cli(['org', 'list', '--db', `sqlite:${join(dir, 'typo.db')}`])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('no database at')
    expect(result.stderr).toContain('intelmesh serve')
  })

  it('find the database from INTELMESH_DB like serve does', async () => {
    const result = await cli(['org', 'list', '--json'], { env: { INTELMESH_DB: db } })
    expect(result.code).toBe(0)
    expect((JSON.parse(result.stdout) as unknown[]).length).toBe(2)
  })
})
