/**
 * Federation (issue 6): peers, the pull/push sync engine, preview and tombstones. The CLI
 * (`intelmesh peer`, `intelmesh sync`), the scheduler in `serve` and the admin API build on
 * this module only.
 *
 * - {@link addPeer}, {@link updatePeer}, {@link removePeer}, {@link listPeers}, {@link findPeer},
 *   {@link peerStatus}, {@link createPeerKey}: managing peers. Listings never carry secrets.
 * - {@link syncPeer}, {@link syncAll}: one run (pull, then push, per collection map); a peer's
 *   failure is reported in the {@link SyncReport} and its cursors, never thrown.
 * - {@link previewPeer}: what the next push would send and hold back, with the deciding rule.
 * - {@link deleteWithTombstone}: the TAXII DELETE route's deletion, recording a tombstone.
 * - {@link formatSyncSummary}: one line per run for terminals and logs.
 */
export {
  addPeer,
  checkPeerUrl,
  createPeerKey,
  findPeer,
  listPeers,
  peerStatus,
  removePeer,
  summarisePeer,
  updatePeer,
} from './peer-service.js'
export { previewPeer, syncAll, syncPeer } from './sync-engine.js'
export { formatSyncSummary } from './summary.js'
export { deleteWithTombstone, tombstoneResource, type TombstoneResource } from './tombstones.js'
export type {
  CollectionSyncReport,
  FilterCode,
  NewPeer,
  PeerChanges,
  PeerKey,
  PeerStatus,
  PeerSummary,
  PreviewItem,
  PreviewOptions,
  PreviewReport,
  SyncAllOptions,
  SyncDeps,
  SyncOptions,
  SyncProgress,
  SyncReport,
} from './types.js'
export type {
  CollectionMap,
  CursorDirection,
  Peer,
  PeerAuth,
  PeerDirection,
  PeerFilter,
  SyncCursor,
  Tombstone,
  TombstoneApplication,
} from '../store/peer-store.js'
