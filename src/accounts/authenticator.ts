/**
 * The request authenticator: HTTP Basic (user name and password, RFC 7617) and
 * `Authorization: Bearer` API keys (RFC 6750). The store is read on every request, so a
 * disabled user or a revoked key is refused at once; only the expensive part, a successful
 * scrypt verification, is remembered for a short while.
 */
import { createHash } from 'node:crypto'
import type { Store, User } from '../store/store.js'
import { apiKeyMatches, apiKeyPrefix } from './api-key.js'
import { hashPassword, verifyPassword } from './password.js'
import type { AuthOutcome, Authenticator, Principal } from './principal.js'

export interface AuthenticatorOptions {
  /** Milliseconds since the epoch; injectable for tests. */
  now?: () => number
  /** How long a successful password verification is remembered (default 60 s). */
  cacheTtlMs?: number
  /** Most remembered verifications (default 10,000); the oldest go first. */
  cacheMaxEntries?: number
  /** Write an API key's `lastUsedAt` at most this often (default 60 s). */
  touchIntervalMs?: number
}

const reject = (reason: string): AuthOutcome => ({ kind: 'rejected', reason })

function principalOf(user: User, via: Principal['via'], keyId?: string): Principal {
  const principal: Principal = {
    via,
    userId: user.id,
    userName: user.name,
    orgId: user.orgId,
    role: user.role,
  }
  if (keyId !== undefined) principal.keyId = keyId
  return principal
}

/** Splits `Basic <base64(user:password)>` credentials, or undefined when malformed. */
export function parseBasicCredentials(
  token: string,
): { userName: string; password: string } | undefined {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(token)) return undefined
  const decoded = Buffer.from(token, 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  if (colon <= 0) return undefined
  return { userName: decoded.slice(0, colon), password: decoded.slice(colon + 1) }
}

/** Creates the {@link Authenticator} the TAXII server (and later the admin API) uses. */
export function createAuthenticator(
  store: Store,
  options: AuthenticatorOptions = {},
): Authenticator {
  const now = options.now ?? Date.now
  const cacheTtlMs = options.cacheTtlMs ?? 60_000
  const cacheMaxEntries = options.cacheMaxEntries ?? 10_000
  const touchIntervalMs = options.touchIntervalMs ?? 60_000
  const verified = new Map<string, number>()
  const lastTouched = new Map<string, number>()
  let decoyHash: Promise<string> | undefined

  // The cache key covers the stored hash too, so a password change misses the cache at once.
  const cacheKey = (header: string, storedHash: string): string =>
    createHash('sha256').update(header).update('\0').update(storedHash).digest('base64')

  function remember(key: string): void {
    if (verified.size >= cacheMaxEntries) {
      const oldest = verified.keys().next()
      if (!oldest.done) verified.delete(oldest.value)
    }
    verified.set(key, now() + cacheTtlMs)
  }

  async function basic(header: string, token: string): Promise<AuthOutcome> {
    const credentials = parseBasicCredentials(token)
    if (!credentials) return reject('malformed Basic credentials')
    const user = await store.getUserByName(credentials.userName)
    if (!user?.passwordHash) {
      // Spend the same time as a real check so response times do not reveal user names.
      decoyHash ??= hashPassword('intelmesh-decoy-password')
      await verifyPassword(credentials.password, await decoyHash)
      return reject('unknown user or wrong password')
    }
    const key = cacheKey(header, user.passwordHash)
    const until = verified.get(key)
    if (until === undefined || until <= now()) {
      if (until !== undefined) verified.delete(key)
      if (!(await verifyPassword(credentials.password, user.passwordHash))) {
        return reject('unknown user or wrong password')
      }
      remember(key)
    }
    // Only after the password is proven: otherwise the answer (and its speed) would tell anyone
    // which user names exist and are disabled.
    if (user.disabled) return reject(`user "${user.name}" is disabled`)
    return { kind: 'authenticated', principal: principalOf(user, 'password') }
  }

  async function bearer(token: string): Promise<AuthOutcome> {
    const prefix = apiKeyPrefix(token)
    if (!prefix) return reject('malformed API key')
    const apiKey = await store.getApiKeyByPrefix(prefix)
    if (!apiKey || !apiKeyMatches(token, apiKey.keyHash)) return reject('unknown API key')
    if (apiKey.revoked) return reject(`API key ${prefix} is revoked`)
    const user = await store.getUser(apiKey.userId)
    if (!user) return reject('unknown API key')
    if (user.disabled) return reject(`user "${user.name}" is disabled`)
    const at = now()
    const last =
      lastTouched.get(apiKey.id) ?? (apiKey.lastUsedAt ? Date.parse(apiKey.lastUsedAt) : 0)
    // Recording every use would turn each read into a write; once a minute is enough to audit.
    if (at - last >= touchIntervalMs) {
      lastTouched.set(apiKey.id, at)
      await store.touchApiKey(apiKey.id, new Date(at).toISOString())
    }
    return { kind: 'authenticated', principal: principalOf(user, 'api-key', apiKey.id) }
  }

  return {
    async authenticate(authorization) {
      const header = authorization?.trim() ?? ''
      if (header === '') return { kind: 'anonymous' }
      const space = header.indexOf(' ')
      const scheme = (space < 0 ? header : header.slice(0, space)).toLowerCase()
      const token = space < 0 ? '' : header.slice(space + 1).trim()
      if (token === '') return reject(`no credentials given with the ${scheme} scheme`)
      // Auth schemes are case-insensitive (RFC 7235 section 2.1).
      if (scheme === 'basic') return basic(header, token)
      if (scheme === 'bearer') return bearer(token)
      return reject(`unsupported authorization scheme "${scheme}" (use Basic or Bearer)`)
    },
  }
}
