/**
 * The request authenticator: HTTP Basic (user name and password, RFC 7617) and
 * `Authorization: Bearer` API keys (RFC 6750). The store is read on every request, so a
 * disabled user or a revoked key is refused at once; only the expensive part, a successful
 * scrypt verification, is remembered for a short while. Every refusal of presented credentials
 * is written to the audit log as a `login-failure` (issue 5), naming who was claimed — the
 * user name, or the key's non-secret prefix — and never the secret.
 */
import { createHash } from 'node:crypto'
import { AuditLog, type AuditEvent } from '../audit/audit-log.js'
import type { ApiKey, Store, User } from '../store/store.js'
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
  /** Where login failures are recorded (default: the store's audit log); `false`: nowhere. */
  audit?: AuditLog | false
}

/** A refusal, with whom it concerns for the audit log (never the secret). */
interface Refusal {
  reason: string
  scheme: string
  /** The account concerned when it is known: the user, or the key. */
  actor?: AuditEvent['actor']
  /** What the caller claimed: a user name or a key prefix. */
  claimed?: string
}

function principalOf(user: User, via: Principal['via'], apiKey?: ApiKey): Principal {
  const principal: Principal = {
    via,
    userId: user.id,
    userName: user.name,
    orgId: user.orgId,
    role: user.role,
  }
  if (apiKey !== undefined) {
    principal.keyId = apiKey.id
    if (apiKey.peerId !== null) principal.peerId = apiKey.peerId
  }
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
  const audit = options.audit === false ? undefined : (options.audit ?? new AuditLog(store))
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

  async function reject(refusal: Refusal): Promise<AuthOutcome> {
    if (audit !== undefined) {
      const details: { [key: string]: string } = { scheme: refusal.scheme, reason: refusal.reason }
      if (refusal.claimed !== undefined) details['claimed'] = refusal.claimed
      await audit.append({
        // An unknown claimant is recorded by what it claimed, cut to the log's length limit.
        actor: refusal.actor ?? { kind: 'anonymous', id: refusal.claimed ?? '(none)' },
        action: 'login-failure',
        outcome: 'denied',
        details,
      })
    }
    return { kind: 'rejected', reason: refusal.reason }
  }

  async function basic(header: string, token: string): Promise<AuthOutcome> {
    const scheme = 'basic'
    const credentials = parseBasicCredentials(token)
    if (!credentials) return reject({ reason: 'malformed Basic credentials', scheme })
    const claimed = credentials.userName
    const user = await store.getUserByName(credentials.userName)
    if (!user?.passwordHash) {
      // Spend the same time as a real check so response times do not reveal user names.
      decoyHash ??= hashPassword('intelmesh-decoy-password')
      await verifyPassword(credentials.password, await decoyHash)
      return reject({ reason: 'unknown user or wrong password', scheme, claimed })
    }
    const key = cacheKey(header, user.passwordHash)
    const until = verified.get(key)
    if (until === undefined || until <= now()) {
      if (until !== undefined) verified.delete(key)
      if (!(await verifyPassword(credentials.password, user.passwordHash))) {
        return reject({
          reason: 'unknown user or wrong password',
          scheme,
          claimed,
          actor: { kind: 'user', id: user.id },
        })
      }
      remember(key)
    }
    // Only after the password is proven: otherwise the answer (and its speed) would tell anyone
    // which user names exist and are disabled.
    if (user.disabled) {
      return reject({
        reason: `user "${user.name}" is disabled`,
        scheme,
        claimed,
        actor: { kind: 'user', id: user.id },
      })
    }
    return { kind: 'authenticated', principal: principalOf(user, 'password') }
  }

  async function bearer(token: string): Promise<AuthOutcome> {
    const scheme = 'bearer'
    const prefix = apiKeyPrefix(token)
    if (!prefix) return reject({ reason: 'malformed API key', scheme })
    const apiKey = await store.getApiKeyByPrefix(prefix)
    if (!apiKey || !apiKeyMatches(token, apiKey.keyHash)) {
      return reject({ reason: 'unknown API key', scheme, claimed: prefix })
    }
    const actor = { kind: 'key' as const, id: apiKey.id }
    if (apiKey.revoked) {
      return reject({ reason: `API key ${prefix} is revoked`, scheme, claimed: prefix, actor })
    }
    const user = await store.getUser(apiKey.userId)
    if (!user) return reject({ reason: 'unknown API key', scheme, claimed: prefix, actor })
    if (user.disabled) {
      return reject({ reason: `user "${user.name}" is disabled`, scheme, claimed: prefix, actor })
    }
    const at = now()
    const last =
      lastTouched.get(apiKey.id) ?? (apiKey.lastUsedAt ? Date.parse(apiKey.lastUsedAt) : 0)
    // Recording every use would turn each read into a write; once a minute is enough to audit.
    if (at - last >= touchIntervalMs) {
      lastTouched.set(apiKey.id, at)
      await store.touchApiKey(apiKey.id, new Date(at).toISOString())
    }
    return { kind: 'authenticated', principal: principalOf(user, 'api-key', apiKey) }
  }

  return {
    async authenticate(authorization) {
      const header = authorization?.trim() ?? ''
      if (header === '') return { kind: 'anonymous' }
      const space = header.indexOf(' ')
      const scheme = (space < 0 ? header : header.slice(0, space)).toLowerCase()
      const token = space < 0 ? '' : header.slice(space + 1).trim()
      if (token === '') {
        return reject({ reason: `no credentials given with the ${scheme} scheme`, scheme })
      }
      // Auth schemes are case-insensitive (RFC 7235 section 2.1).
      if (scheme === 'basic') return basic(header, token)
      if (scheme === 'bearer') return bearer(token)
      return reject({
        reason: `unsupported authorization scheme "${scheme}" (use Basic or Bearer)`,
        scheme: scheme.slice(0, 32),
      })
    },
  }
}
