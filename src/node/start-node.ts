/**
 * The node lifecycle: migrate the database, bootstrap on the first start, serve the TAXII app,
 * and stop gracefully (stop accepting, let in-flight requests finish, then close the store).
 * The store and the app factory are passed in, so only the CLI picks an adapter.
 */
import { AdminService } from '../accounts/admin-service.js'
import { createAuthenticator } from '../accounts/authenticator.js'
import type { Authenticator } from '../accounts/principal.js'
import type { Store } from '../store/store.js'
import { bootstrapNode, type BootstrapResult } from './bootstrap.js'
import type { NodeConfig } from './config.js'
import { startHttpServer, type FetchHandler } from './http-server.js'

export interface AppFactoryInput {
  store: Store
  authenticator: Authenticator
}

/** Builds the HTTP handler (the TAXII Hono app) for a store. */
export type AppFactory = (input: AppFactoryInput) => { fetch: FetchHandler }

export interface StartNodeInput {
  config: Pick<NodeConfig, 'listen' | 'tls' | 'adminPassword' | 'nodeName' | 'shutdownTimeoutMs'>
  store: Store
  createApp: AppFactory
  now?: () => Date
}

export interface RunningNode {
  /** `http://127.0.0.1:8080` (the bound port when 0 was asked for). */
  origin: string
  bootstrap: BootstrapResult
  /** Migrations applied by this start. */
  migrated: number[]
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
  let stopping: Promise<void> | undefined
  return {
    origin: server.origin,
    bootstrap,
    migrated,
    stop() {
      stopping ??= (async () => {
        try {
          await server.close()
        } finally {
          await store.close()
        }
      })()
      return stopping
    },
  }
}
