/**
 * The federation half of the Store port (issue 6): peers, their sync cursors and tombstones.
 * Kept apart from `store.ts` so that the sync work can grow it on its own; both adapters expose
 * it as `store.peers`, implemented once in `sql/peer-records.ts`.
 */

/** Filled in by the federation work (issue 6). */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface PeerStore {}
