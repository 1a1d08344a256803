/**
 * The HTTP(S) listener around a fetch handler (the TAXII Hono app), with a graceful close:
 * stop accepting, let in-flight requests finish, then cut whatever is left after a timeout.
 */
import { readFileSync } from 'node:fs'
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import { getRequestListener } from '@hono/node-server'
import { AppError } from '../errors.js'
import { formatListen, type ListenAddress } from './config.js'

export type FetchHandler = (request: Request) => Response | Promise<Response>

export interface HttpServerOptions {
  fetch: FetchHandler
  listen: ListenAddress
  tls?: { cert: string; key: string } | null
  /** How long `close()` waits for in-flight requests before closing their connections. */
  shutdownTimeoutMs?: number
}

export interface RunningHttpServer {
  /** The address actually bound (port 0 resolved). */
  address: ListenAddress
  /** Base URL, e.g. `http://127.0.0.1:8080`. */
  origin: string
  /** Stops accepting connections and resolves once every connection is closed. */
  close(): Promise<void>
}

function readTlsFile(path: string, what: string): Buffer {
  try {
    return readFileSync(path)
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? 'unreadable'
    throw new AppError('CONFIG_INVALID', {
      detail: `cannot read the TLS ${what} ${path} (${reason})`,
      cause: error,
    })
  }
}

const listenErrors: Record<string, string> = {
  EADDRINUSE: 'the address is already in use',
  EACCES: 'permission denied (ports below 1024 need privileges)',
  EADDRNOTAVAIL: 'the address is not available on this machine',
  ENOTFOUND: 'the host name does not resolve',
}

/** Starts listening; rejects with one clear message when the address cannot be bound. */
export async function startHttpServer(options: HttpServerOptions): Promise<RunningHttpServer> {
  const handle = getRequestListener(options.fetch)
  // The adapter answers its own errors (500), so the promise never needs awaiting here.
  const listener = (request: IncomingMessage, response: ServerResponse): void => {
    void handle(request, response)
  }
  let server: Server
  if (options.tls) {
    try {
      server = createHttpsServer(
        {
          cert: readTlsFile(options.tls.cert, 'certificate'),
          key: readTlsFile(options.tls.key, 'private key'),
        },
        listener,
      )
    } catch (error) {
      if (error instanceof AppError) throw error
      const message = error instanceof Error ? error.message : String(error)
      throw new AppError('CONFIG_INVALID', {
        detail: `the TLS certificate or key is unusable: ${message}`,
        cause: error,
      })
    }
  } else {
    server = createHttpServer(listener)
  }
  // Slow clients must not hold a connection forever (slowloris); bodies are bounded elsewhere.
  server.headersTimeout = 20_000
  server.requestTimeout = 300_000
  server.keepAliveTimeout = 5_000

  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      const reason = listenErrors[error.code ?? ''] ?? error.message
      reject(
        new AppError('CONFIG_INVALID', {
          detail: `cannot listen on ${formatListen(options.listen)}: ${reason}`,
          cause: error,
        }),
      )
    }
    server.once('error', onError)
    server.listen(options.listen.port, options.listen.host, () => {
      server.off('error', onError)
      resolve()
    })
  })
  // After start-up, a server error (out of file descriptors...) is logged, not a crash.
  server.on('error', (error) => {
    process.stderr.write(`intelmesh: server error: ${error.message}\n`)
  })
  const bound = server.address() as AddressInfo
  const address = { host: options.listen.host, port: bound.port }
  const origin = `${options.tls ? 'https' : 'http'}://${formatListen(address)}`
  const shutdownTimeoutMs = options.shutdownTimeoutMs ?? 10_000
  let closing: Promise<void> | undefined

  return {
    address,
    origin,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => {
          clearInterval(sweeper)
          clearTimeout(deadline)
          resolve()
        })
        // Keep-alive connections become idle as their requests finish; close them as they do.
        server.closeIdleConnections()
        const sweeper = setInterval(() => server.closeIdleConnections(), 50)
        const deadline = setTimeout(() => server.closeAllConnections(), shutdownTimeoutMs)
      })
      return closing
    },
  }
}
