/**
 * Opaque `next` tokens (TAXII 2.1 sections 3.4 and 3.7): the keyset position (the last
 * returned `date_added`, in microseconds) plus a hash of the filters it was issued for,
 * signed with HMAC-SHA256 under a node secret kept in the store's settings, so several
 * processes sharing one database accept each other's tokens.
 *
 * A token that is malformed, forged, or used with other filters is refused (TAXII_BAD_NEXT).
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import { AppError } from '../../errors.js'
import type { Store } from '../../store/store.js'

const SECRET_SETTING = 'taxii.next_token_secret'
const TOKEN_VERSION = 1

/** Everything that fixes the result set a token pages through. */
export type FilterScope = readonly unknown[]

function badNext(detail: string): AppError {
  return new AppError('TAXII_BAD_NEXT', {
    detail: `next: ${detail}`,
    details: { parameter: 'next' },
  })
}

function filterHash(scope: FilterScope): string {
  return createHash('sha256').update(JSON.stringify(scope)).digest('base64url').slice(0, 22)
}

/** Issues and checks `next` tokens; one per app. */
export class NextTokens {
  private secret: Buffer | undefined

  constructor(private readonly store: Store) {}

  private async loadSecret(refresh: boolean): Promise<Buffer> {
    if (this.secret && !refresh) return this.secret
    let stored = await this.store.getSetting(SECRET_SETTING)
    if (stored === undefined) {
      await this.store.setSetting(SECRET_SETTING, randomBytes(32).toString('base64url'))
      // Read back: when two processes race, both end up with the value written last.
      stored = await this.store.getSetting(SECRET_SETTING)
    }
    if (stored === undefined) throw new AppError('TAXII_INTERNAL', { detail: 'no token secret' })
    this.secret = Buffer.from(stored, 'base64url')
    return this.secret
  }

  private static sign(secret: Buffer, payload: string): string {
    return createHmac('sha256', secret).update(payload).digest('base64url').slice(0, 32)
  }

  /** A token that continues after `afterMicros` for the same filters. */
  async issue(scope: FilterScope, afterMicros: number): Promise<string> {
    const secret = await this.loadSecret(false)
    const payload = Buffer.from(
      JSON.stringify([TOKEN_VERSION, afterMicros, filterHash(scope)]),
    ).toString('base64url')
    return `${payload}.${NextTokens.sign(secret, payload)}`
  }

  /** The position a token continues after; throws TAXII_BAD_NEXT when it is not usable. */
  async verify(token: string, scope: FilterScope): Promise<number> {
    const match = /^([A-Za-z0-9_-]{1,200})\.([A-Za-z0-9_-]{32})$/.exec(token)
    if (!match) throw badNext('not a token issued by this server')
    const payload = match[1] ?? ''
    const signature = Buffer.from(match[2] ?? '')
    let valid = false
    for (const refresh of [false, true]) {
      const expected = Buffer.from(NextTokens.sign(await this.loadSecret(refresh), payload))
      if (expected.length === signature.length && timingSafeEqual(expected, signature)) {
        valid = true
        break
      }
    }
    if (!valid) throw badNext('the token was not issued by this server or was altered')
    let decoded: unknown
    try {
      decoded = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'))
    } catch (cause) {
      throw new AppError('TAXII_BAD_NEXT', { detail: 'next: unreadable token', cause })
    }
    if (
      !Array.isArray(decoded) ||
      decoded[0] !== TOKEN_VERSION ||
      typeof decoded[1] !== 'number' ||
      !Number.isSafeInteger(decoded[1]) ||
      typeof decoded[2] !== 'string'
    ) {
      throw badNext('unreadable token')
    }
    if (decoded[2] !== filterHash(scope)) {
      throw badNext(
        'the token was issued for other filters; repeat the original query parameters with it (TAXII 2.1 section 3.5)',
      )
    }
    return decoded[1]
  }
}
