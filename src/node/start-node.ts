/**
 * The node lifecycle: migrate the database, bootstrap on the first start, serve the TAXII app,
 * run the sync scheduler (issue 6) when an interval is configured, and stop gracefully (stop
 * accepting and stop starting sync runs, let in-flight requests and runs finish up to the
 * shutdown timeout, then close the store). The store and the app factory are passed in, so only
 * the CLI picks an adapter.
 */
import { hostname } from 'node:os'
import { AdminService } from '../accounts/admin-service.js'
import { createAuthenticator } from '../accounts/authenticator.js'
import type { Authenticator } from '../accounts/principal.js'
import { AuditLog } from '../audit/audit-log.js'
import type { Store } from '../store/store.js'
import { bootstrapNode, type BootstrapResult } from './bootstrap.js'
import type { NodeConfig } from './config.js'
import { startHttpServer, type FetchHandler } from './http-server.js'
import {
  createSyncScheduler,
  syncEngineRunner,
  type PeerRunner,
  type SyncScheduler,
} from './sync-scheduler.js'

/**
 * The run lease of a peer lasts this long past each page (the engine renews it per page). A node
 * killed mid-run holds its peers' leases at most this long for other processes.
 */
export const SYNC_LEASE_MS = 120_000

export interface AppFactoryInput {
  store: Store
  authenticator: Authenticator
}

/** Builds the HTTP handler (the TAXII Hono app) for a store. */
export type AppFactory = (input: AppFactoryInput) => { fetch: FetchHandler }

export interface StartNodeInput {
  config: Pick<NodeConfig, 'listen' | 'tls' | 'adminPassword' | 'nodeName' | 'shutdownTimeoutMs'> &
    Partial<Pick<NodeConfig, 'syncIntervalSeconds'>>
  store: Store
  createApp: AppFactory
  now?: () => Date
  /** Where the sync scheduler reports each run (one line each); default: nowhere. */
  log?: (line: string) => void
  /** What the scheduler runs (default: the sync engine over `store`); tests pass fakes. */
  syncRunner?: PeerRunner
}

export interface RunningNode {
  /** `http://127.0.0.1:8080` (the bound port when 0 was asked for). */
  origin: string
  bootstrap: BootstrapResult
  /** Migrations applied by this start. */
  migrated: number[]
  /** The sync scheduler, when `syncIntervalSeconds` is above 0. */
  scheduler: SyncScheduler | undefined
  /** Graceful stop: stops accepting, waits for in-flight requests, closes the store. */
  stop(): Promise<void>
}

/** Starts a node on an opened store; on failure the store is left for the caller to close. */
export async function startNode(input: StartNodeInput): Promise<RunningNode> {
  const { store, config } = input
  const migrated = await store.migrate()
  const admin = new AdminService(store, input.now ? { now: input.now } : {})
  const bootstrap = await bootstrapNode(store, admin, {
    nodeName: config.nodeName,
    adminPassword: config.adminPassword,
    ...(input.now ? { now: input.now } : {}),
  })
  const app = input.createApp({ store, authenticator: createAuthenticator(store) })
  const server = await startHttpServer({
    fetch: (request) => app.fetch(request),
    listen: config.listen,
    tls: config.tls,
    shutdownTimeoutMs: config.shutdownTimeoutMs,
  })
  const scheduler = startScheduler(input)
  let stopping: Promise<void> | undefined
  return {
    origin: server.origin,
    bootstrap,
    migrated,
    scheduler,
    stop() {
      stopping ??= (async () => {
        try {
          // Both wait up to the shutdown timeout, side by side, so stopping never takes twice it.
          const [stopped] = await Promise.all([
            scheduler?.stop(config.shutdownTimeoutMs),
            server.close(),
          ])
          if (stopped && stopped.cut.length > 0) {
            input.log?.(
              `sync: cut the runs of ${stopped.cut.join(', ')} at shutdown; they resume from their last committed page`,
            )
          }
        } finally {
          await store.close()
        }
      })()
      return stopping
    },
  }
}

function startScheduler(input: StartNodeInput): SyncScheduler | undefined {
  const seconds = input.config.syncIntervalSeconds ?? 0
  if (seconds <= 0) return undefined
  const { store } = input
  const runner =
    input.syncRunner ??
    syncEngineRunner(
      {
        store,
        audit: new AuditLog(store),
        ...(input.log ? { log: input.log } : {}),
        // One SQLite database serves one node process: a node restarted after a crash may take
        // back its own leases at once. Processes sharing PostgreSQL keep distinct owners.
        ...(store.capabilities.multiProcess ? {} : { leaseOwner: `serve@${hostname()}` }),
      },
      { syncOptions: { leaseMs: SYNC_LEASE_MS } },
    )
  const scheduler = createSyncScheduler({
    intervalMs: seconds * 1000,
    runner,
    ...(input.log ? { log: input.log } : {}),
  })
  scheduler.start()
  return scheduler
}
