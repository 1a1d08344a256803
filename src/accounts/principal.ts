import type { Role } from '../store/store.js'

/** Who is making a request, once authenticated. */
export interface Principal {
  /** How they authenticated: HTTP Basic (`password`) or `Authorization: Bearer` (`api-key`). */
  via: 'password' | 'api-key'
  userId: string
  userName: string
  orgId: string
  role: Role
  /** Set when authenticated with an API key. */
  keyId?: string
  /** Set when the API key belongs to a peer node (issue 6): the request is that peer's. */
  peerId?: string
}

/** The outcome of reading an `Authorization` header. */
export type AuthOutcome =
  /** No credentials were sent. */
  | { kind: 'anonymous' }
  | { kind: 'authenticated'; principal: Principal }
  /** Credentials were sent but are wrong, unknown, disabled or revoked. */
  | { kind: 'rejected'; reason: string }

/** Turns an `Authorization` header into an {@link AuthOutcome}. */
export interface Authenticator {
  authenticate(authorization: string | undefined): Promise<AuthOutcome>
}
