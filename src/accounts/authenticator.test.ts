import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { SqliteStore } from '../store/sqlite/sqlite-store.js'
import { AuditLog } from '../audit/audit-log.js'
import { AdminService } from './admin-service.js'
import { createAuthenticator } from './authenticator.js'
import * as password from './password.js'
import type { AuthOutcome } from './principal.js'

const fast = { N: 2 ** 10, r: 8, p: 1 }
let store: SqliteStore
let admin: AdminService
let clock: number

const basic = (user: string, pass: string): string =>
  `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`

function principalOf(outcome: AuthOutcome): { userName: string; via: string; keyId?: string } {
  if (outcome.kind !== 'authenticated')
    throw new Error(`expected authenticated, got ${JSON.stringify(outcome)}`)
  return outcome.principal
}

beforeEach(async () => {
  store = SqliteStore.open(':memory:')
  await store.migrate()
  admin = new AdminService(store, { scryptParams: fast })
  await admin.addOrganisation('Acme')
  await admin.addUser({ name: 'alice', org: 'Acme', role: 'analyst', password: 'alice password 1' })
  clock = Date.parse('2026-01-01T00:00:00Z')
})

afterEach(async () => {
  vi.restoreAllMocks()
  await store.close()
})

describe('createAuthenticator', () => {
  it('is anonymous without an Authorization header', async () => {
    const auth = createAuthenticator(store)
    expect(await auth.authenticate(undefined)).toEqual({ kind: 'anonymous' })
    expect(await auth.authenticate('  ')).toEqual({ kind: 'anonymous' })
  })

  it('accepts HTTP Basic with the right password (RFC 7617)', async () => {
    const auth = createAuthenticator(store)
    const outcome = await auth.authenticate(basic('alice', 'alice password 1'))
    const principal = principalOf(outcome)
    expect(principal.userName).toBe('alice')
    expect(principal.via).toBe('password')
    expect(outcome.kind === 'authenticated' && outcome.principal.role).toBe('analyst')
  })

  it('treats the scheme name case-insensitively (RFC 7235 section 2.1)', async () => {
    const auth = createAuthenticator(store)
    const header = basic('alice', 'alice password 1').replace('Basic', 'bAsIc')
    expect((await auth.authenticate(header)).kind).toBe('authenticated')
  })

  it('rejects a wrong password, an unknown user and malformed credentials', async () => {
    const auth = createAuthenticator(store)
    expect(await auth.authenticate(basic('alice', 'wrong password'))).toMatchObject({
      kind: 'rejected',
    })
    expect(await auth.authenticate(basic('mallory', 'alice password 1'))).toMatchObject({
      kind: 'rejected',
    })
    expect(await auth.authenticate('Basic !!!notbase64')).toMatchObject({
      kind: 'rejected',
      reason: 'malformed Basic credentials',
    })
    expect(
      await auth.authenticate(`Basic ${Buffer.from('no-colon').toString('base64')}`),
    ).toMatchObject({ kind: 'rejected' })
    expect(await auth.authenticate('Basic')).toMatchObject({ kind: 'rejected' })
    expect(await auth.authenticate('Digest abc')).toMatchObject({
      kind: 'rejected',
      reason: expect.stringContaining('unsupported') as unknown,
    })
  })

  it('accepts a password containing a colon (only the first colon splits)', async () => {
    await admin.addUser({ name: 'bob', org: 'Acme', role: 'reader', password: 'with:colon:inside' })
    const auth = createAuthenticator(store)
    expect(principalOf(await auth.authenticate(basic('bob', 'with:colon:inside'))).userName).toBe(
      'bob',
    )
  })

  it('remembers a successful verification so the KDF does not run on every request', async () => {
    const verify = vi.spyOn(password, 'verifyPassword')
    const auth = createAuthenticator(store, { now: () => clock })
    const header = basic('alice', 'alice password 1')
    await auth.authenticate(header)
    await auth.authenticate(header)
    await auth.authenticate(header)
    expect(verify).toHaveBeenCalledTimes(1)
    clock += 61_000
    expect((await auth.authenticate(header)).kind).toBe('authenticated')
    expect(verify).toHaveBeenCalledTimes(2)
  })

  it('never caches a failure: a wrong password is checked every time', async () => {
    const auth = createAuthenticator(store)
    await auth.authenticate(basic('alice', 'alice password 1'))
    expect((await auth.authenticate(basic('alice', 'alice password 2'))).kind).toBe('rejected')
  })

  it('rejects a disabled user at once, even with a cached verification', async () => {
    const auth = createAuthenticator(store)
    const header = basic('alice', 'alice password 1')
    expect((await auth.authenticate(header)).kind).toBe('authenticated')
    await admin.setUserDisabled('alice', true)
    expect(await auth.authenticate(header)).toEqual({
      kind: 'rejected',
      reason: 'user "alice" is disabled',
    })
    await admin.setUserDisabled('alice', false)
    expect((await auth.authenticate(header)).kind).toBe('authenticated')
  })

  it('does not tell a wrong password for a disabled user from an unknown user', async () => {
    const auth = createAuthenticator(store)
    await admin.setUserDisabled('alice', true)
    const unknown = await auth.authenticate(basic('nobody', 'some password'))
    const disabledWrong = await auth.authenticate(basic('alice', 'not her password'))
    expect(disabledWrong).toEqual(unknown)
    expect(disabledWrong).toEqual({ kind: 'rejected', reason: 'unknown user or wrong password' })
    expect(await auth.authenticate(basic('alice', 'alice password 1'))).toEqual({
      kind: 'rejected',
      reason: 'user "alice" is disabled',
    })
  })

  it('drops the cached verification when the password changes', async () => {
    const auth = createAuthenticator(store)
    const old = basic('alice', 'alice password 1')
    expect((await auth.authenticate(old)).kind).toBe('authenticated')
    await admin.setPassword('alice', 'alice password 2')
    expect((await auth.authenticate(old)).kind).toBe('rejected')
    expect((await auth.authenticate(basic('alice', 'alice password 2'))).kind).toBe('authenticated')
  })

  it('rejects a user without a password over Basic', async () => {
    await admin.addUser({ name: 'robot', org: 'Acme', role: 'reader' })
    const auth = createAuthenticator(store)
    expect((await auth.authenticate(basic('robot', 'anything at all'))).kind).toBe('rejected')
  })

  it('accepts a Bearer API key (RFC 6750) and names the key in the principal', async () => {
    const { apiKey, key } = await admin.createApiKey('alice', 'ci')
    const auth = createAuthenticator(store)
    const principal = principalOf(await auth.authenticate(`Bearer ${key}`))
    expect(principal).toMatchObject({ userName: 'alice', via: 'api-key', keyId: apiKey.id })
  })

  it('rejects unknown, altered and malformed keys', async () => {
    const { key } = await admin.createApiKey('alice')
    const auth = createAuthenticator(store)
    const altered = key.slice(0, -2) + (key.endsWith('AA') ? 'BB' : 'AA')
    expect(await auth.authenticate(`Bearer ${altered}`)).toMatchObject({
      kind: 'rejected',
      reason: 'unknown API key',
    })
    expect(await auth.authenticate(`Bearer imk_00000000_${'x'.repeat(43)}`)).toMatchObject({
      kind: 'rejected',
    })
    expect(await auth.authenticate('Bearer nonsense')).toMatchObject({
      kind: 'rejected',
      reason: 'malformed API key',
    })
  })

  it('rejects a revoked key and a key of a disabled user at once', async () => {
    const first = await admin.createApiKey('alice')
    const second = await admin.createApiKey('alice')
    const auth = createAuthenticator(store)
    expect((await auth.authenticate(`Bearer ${first.key}`)).kind).toBe('authenticated')
    await admin.revokeApiKey(first.apiKey.prefix)
    expect(await auth.authenticate(`Bearer ${first.key}`)).toMatchObject({
      kind: 'rejected',
      reason: expect.stringContaining('revoked') as unknown,
    })
    expect((await auth.authenticate(`Bearer ${second.key}`)).kind).toBe('authenticated')
    await admin.setUserDisabled('alice', true)
    expect((await auth.authenticate(`Bearer ${second.key}`)).kind).toBe('rejected')
  })

  it('records when a key was last used, at most once a minute', async () => {
    const { apiKey, key } = await admin.createApiKey('alice')
    const touch = vi.spyOn(store, 'touchApiKey')
    const auth = createAuthenticator(store, { now: () => clock })
    await auth.authenticate(`Bearer ${key}`)
    await auth.authenticate(`Bearer ${key}`)
    expect(touch).toHaveBeenCalledTimes(1)
    expect((await store.getApiKeyByPrefix(apiKey.prefix))?.lastUsedAt).toBe(
      '2026-01-01T00:00:00.000Z',
    )
    clock += 60_000
    await auth.authenticate(`Bearer ${key}`)
    expect(touch).toHaveBeenCalledTimes(2)
  })

  it('names the peer in the principal when the key belongs to a peer node (issue 6)', async () => {
    const { key } = await admin.createApiKey('alice', 'peer', { peerId: 'peer-7' })
    const auth = createAuthenticator(store)
    const outcome = await auth.authenticate(`Bearer ${key}`)
    expect(outcome).toMatchObject({ kind: 'authenticated', principal: { peerId: 'peer-7' } })
    const own = await admin.createApiKey('alice')
    const person = await auth.authenticate(`Bearer ${own.key}`)
    expect(person.kind === 'authenticated' && person.principal.peerId).toBe(undefined)
  })
})

describe('createAuthenticator login failures (issue 5, audit log)', () => {
  async function failures() {
    const out = []
    for await (const entry of new AuditLog(store).list({ action: 'login-failure' })) out.push(entry)
    return out
  }

  it('records each refusal with who was claimed, and never the secret', async () => {
    const auth = createAuthenticator(store)
    const { apiKey, key } = await admin.createApiKey('alice')
    const alice = await store.getUserByName('alice')
    await auth.authenticate(basic('alice', 'not the password'))
    await auth.authenticate(basic('mallory', 'guess'))
    await auth.authenticate(`Bearer ${key.slice(0, -2)}xx`)
    await admin.revokeApiKey(apiKey.prefix)
    await auth.authenticate(`Bearer ${key}`)
    await auth.authenticate('Digest abc')
    expect((await auth.authenticate(basic('alice', 'alice password 1'))).kind).toBe('authenticated')
    const entries = await failures()
    expect(entries.map((e) => e.actor)).toEqual([
      { kind: 'user', id: alice?.id },
      { kind: 'anonymous', id: 'mallory' },
      { kind: 'anonymous', id: apiKey.prefix },
      { kind: 'key', id: apiKey.id },
      { kind: 'anonymous', id: '(none)' },
    ])
    expect(entries.every((e) => e.outcome === 'denied')).toBe(true)
    expect(entries[1]?.details).toMatchObject({ scheme: 'basic', claimed: 'mallory' })
    const text = JSON.stringify(entries)
    for (const secret of ['not the password', 'guess', key]) expect(text).not.toContain(secret)
    expect(await new AuditLog(store).verify()).toMatchObject({ ok: true, entries: 5 })
  })

  it('records nothing when given audit: false, or when no credentials are sent', async () => {
    await createAuthenticator(store, { audit: false }).authenticate(basic('mallory', 'x'))
    await createAuthenticator(store).authenticate(undefined)
    expect(await failures()).toEqual([])
  })
})
