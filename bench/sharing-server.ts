/**
 * The TAXII server of the sharing benchmark (`sharing.bench.ts`), run as a child process so
 * that the client's work does not share its thread: one SQLite store, two apps over it on
 * 127.0.0.1 — one applying the sharing rule, one built with `applySharingRule: false` (a
 * setting only this benchmark uses; no configuration reaches it). Sends the two ports to the
 * parent over IPC and serves until it is killed.
 */
import type { AddressInfo } from 'node:net'
import { serve } from '@hono/node-server'
import { createAuthenticator } from '../src/accounts/authenticator.js'
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js'
import { createTaxiiApp } from '../src/taxii/server/create-taxii-app.js'

const dbPath = process.argv[2]
if (dbPath === undefined || process.send === undefined) {
  process.stderr.write('usage: forked by sharing.bench.ts with the database path\n')
  process.exit(2)
}
const send = process.send.bind(process)

const store = SqliteStore.open(dbPath)
const authenticator = createAuthenticator(store)
const log = (line: string) => void process.stderr.write(`${line}\n`)

function listen(applySharingRule: boolean): Promise<number> {
  const app = createTaxiiApp({ store, authenticator, log, settings: { applySharingRule } })
  return new Promise((resolve) => {
    serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info: AddressInfo) =>
      resolve(info.port),
    )
  })
}

const ruleOn = await listen(true)
const ruleOff = await listen(false)
send({ ruleOn, ruleOff })
