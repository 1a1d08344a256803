/**
 * The sync engine (issue 6): `syncPeer` runs pull then push for each collection map of a peer,
 * `syncAll` runs every enabled peer with a small concurrency, `previewPeer` lists what the next
 * push would send and hold back.
 */
import { AppError } from '../errors.js'
import type { Peer } from '../store/peer-store.js'
import type {
  PreviewOptions,
  PreviewReport,
  SyncAllOptions,
  SyncDeps,
  SyncOptions,
  SyncReport,
} from './types.js'

/** Runs pull then push for each collection map of `peer`; never throws for a peer's failure. */
export async function syncPeer(
  _deps: SyncDeps,
  _peer: Peer,
  _options: SyncOptions = {},
): Promise<SyncReport> {
  await Promise.resolve()
  throw new AppError('TAXII_INTERNAL', { detail: 'syncPeer: not implemented yet (issue 6)' })
}

/** Runs every enabled peer (or the one named), a few at once; one failure never stops others. */
export async function syncAll(
  _deps: SyncDeps,
  _options: SyncAllOptions = {},
): Promise<SyncReport[]> {
  await Promise.resolve()
  throw new AppError('TAXII_INTERNAL', { detail: 'syncAll: not implemented yet (issue 6)' })
}

/** What the next push to `peer` would send and hold back, each with the rule that decided. */
export async function previewPeer(
  _deps: SyncDeps,
  _peer: Peer,
  _options: PreviewOptions = {},
): Promise<PreviewReport> {
  await Promise.resolve()
  throw new AppError('TAXII_INTERNAL', { detail: 'previewPeer: not implemented yet (issue 6)' })
}
