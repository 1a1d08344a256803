/**
 * Serves a Hono app (or any fetch handler) on 127.0.0.1, on a free port, with
 * @hono/node-server, for tests that talk to it over a real socket.
 */
import type { AddressInfo } from 'node:net'
import { serve } from '@hono/node-server'

export interface ServedApp {
  /** `http://127.0.0.1:<port>`, without a trailing slash. */
  baseUrl: string
  close(): Promise<void>
}

export async function serveApp(app: {
  fetch: (request: Request) => Response | Promise<Response>
}): Promise<ServedApp> {
  let server: ReturnType<typeof serve> | undefined
  const address = await new Promise<AddressInfo>((resolve) => {
    server = serve(
      { fetch: (request) => app.fetch(request), hostname: '127.0.0.1', port: 0 },
      resolve,
    )
  })
  const listening = server
  return {
    baseUrl: `http://127.0.0.1:${address.port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        if (!listening) return resolve()
        if ('closeAllConnections' in listening) listening.closeAllConnections()
        listening.close((error) => (error ? reject(error) : resolve()))
      }),
  }
}
