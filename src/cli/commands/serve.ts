/**
 * `intelmesh serve`: runs the node. Opens the database (SQLite by default, or PostgreSQL),
 * migrates it, bootstraps it on the first start, and serves TAXII 2.1 and the admin API
 * (`/api/v1/`) until SIGINT or SIGTERM, then stops gracefully: no new connections, in-flight
 * requests finish, the database closes.
 */
import { createAdminApp } from '../../admin-api/create-admin-app.js'
import { withAdminApi } from '../../admin-api/mount.js'
import { defaultApiRootPath } from '../../node/bootstrap.js'
import { formatListen, loadConfig, type ConfigFlags, type NodeConfig } from '../../node/config.js'
import { startBanner } from '../../node/start-banner.js'
import { startNode, type RunningNode } from '../../node/start-node.js'
import type { Store } from '../../store/store.js'
import { createTaxiiApp } from '../../taxii/server/create-taxii-app.js'
import { EXIT, type CommandRegistrar } from '../context.js'
import { openStore } from '../open-store.js'
import { cliVersion } from '../version.js'

type ServeOptions = ConfigFlags & { printConfig?: boolean }

/** The resolved configuration with where each value came from; secrets are masked. */
function describeConfig(config: NodeConfig): Record<string, unknown> {
  return {
    listen: formatListen(config.listen),
    dataDir: config.dataDir,
    db: config.db.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@'),
    tls: config.tls,
    allowInsecurePublic: config.allowInsecurePublic,
    adminPassword: config.adminPassword === undefined ? null : '***',
    nodeName: config.nodeName,
    shutdownTimeoutMs: config.shutdownTimeoutMs,
    syncIntervalSeconds: config.syncIntervalSeconds,
    sources: config.sources,
  }
}

/** Resolves with the name of the first SIGINT or SIGTERM. */
function nextStopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM']
    const onSignal = (signal: NodeJS.Signals): void => {
      // Removing the handlers gives a second Ctrl-C its default meaning: stop right now.
      for (const s of signals) process.off(s, onSignal)
      resolve(signal)
    }
    for (const s of signals) process.on(s, onSignal)
  })
}

export const registerServeCommand: CommandRegistrar = (program, ctx) => {
  program
    .command('serve')
    .description(
      'Run the node: a TAXII 2.1 server on 127.0.0.1:8080 with SQLite in ./intelmesh-data by default',
    )
    .option('--config <file>', 'configuration file (JSON); environment and flags override it')
    .option('--db <url>', 'database: sqlite:<path> or postgres://user@host:port/db')
    .option('--listen <host:port>', 'address to listen on (default 127.0.0.1:8080)')
    .option('--data-dir <dir>', 'data directory (default ./intelmesh-data)')
    .option('--tls-cert <file>', 'serve HTTPS with this PEM certificate (with --tls-key)')
    .option('--tls-key <file>', 'the PEM private key of --tls-cert')
    .option('--allow-insecure-public', 'allow a non-loopback listen address without TLS')
    .option('--node-name <name>', "the node's own organisation name, used on the first start")
    .option('--sync-interval-seconds <n>', 'seconds between sync rounds with peers (0: off)')
    .option('--print-config', 'print the resolved configuration and its sources, then exit')
    .action(async (options: ServeOptions) => {
      // Configuration errors are the caller's: they reach main() and print as one line.
      const { printConfig, ...flags } = options
      const config = loadConfig({ flags, env: ctx.env })
      if (printConfig) {
        ctx.stdout.write(`${JSON.stringify(describeConfig(config), null, 2)}\n`)
        return
      }
      let store: Store | undefined
      let node: RunningNode
      try {
        store = await openStore(config.db)
        node = await startNode({
          config,
          store,
          log: (line) => ctx.stdout.write(`intelmesh: ${line}\n`),
          createApp: ({ store: s, authenticator }) =>
            withAdminApi(
              createTaxiiApp({
                store: s,
                authenticator,
                settings: {
                  title: `${config.nodeName} TAXII server`,
                  defaultApiRootPath,
                },
              }),
              createAdminApp({ store: s, authenticator, version: cliVersion() }),
            ),
        })
      } catch (error) {
        await store?.close().catch(() => undefined)
        const message = error instanceof Error ? error.message : String(error)
        ctx.stderr.write(`intelmesh: cannot start the node: ${message}\n`)
        if (ctx.env['INTELMESH_DEBUG']) console.error(error)
        ctx.setExitCode(EXIT.unusable)
        return
      }
      ctx.stdout.write(startBanner(node.origin, node.bootstrap))
      const signal = await nextStopSignal()
      ctx.stdout.write(`intelmesh: ${signal} received; finishing in-flight requests\n`)
      await node.stop()
      ctx.stdout.write('intelmesh: stopped\n')
      ctx.setExitCode(EXIT.ok)
    })
}
