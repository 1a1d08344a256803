/**
 * A minimal fetch over `node:https` for custom CAs and client certificates, which Node 20's
 * built-in fetch cannot take without the `undici` package (TAXII 2.1 sections 8.5.1, 8.5.2).
 * @internal
 */
import { Agent, request } from 'node:https'

/** TLS settings for HTTPS requests. */
export interface TaxiiTlsOptions {
  /** Trusted CA certificates (PEM), replacing the default roots. */
  ca?: string | Buffer | ReadonlyArray<string | Buffer>
  /** Client certificate chain (PEM), for servers that verify clients (section 8.3.1). */
  cert?: string | Buffer
  /** Private key of the client certificate (PEM). */
  key?: string | Buffer
  /** Passphrase of `key`, if it is encrypted. */
  passphrase?: string
  /** Verify the server's certificate (default true; turning it off is for tests only). */
  rejectUnauthorized?: boolean
}

/** What the client needs of fetch: a URL and an init, resolving to a Response. */
export type FetchLike = (url: string, init: RequestInit) => Promise<Response>

/** A fetch-like function whose HTTPS requests use `tls`, and a way to release its sockets. */
export interface TlsFetch {
  fetch: FetchLike
  close(): void
}

const NULL_BODY_STATUSES = new Set([101, 204, 205, 304])

/**
 * A response body went past the client's `maxResponseBytes`.
 * @internal
 */
export class ResponseTooLargeError extends Error {
  constructor(
    readonly status: number,
    readonly limit: number,
  ) {
    super(`the response body exceeds maxResponseBytes (${limit} bytes)`)
    this.name = 'ResponseTooLargeError'
  }
}

/** @internal */
export function createTlsFetch(tls: TaxiiTlsOptions, maxResponseBytes = Infinity): TlsFetch {
  const agent = new Agent({
    keepAlive: true,
    ...(tls.ca !== undefined
      ? { ca: typeof tls.ca === 'string' || Buffer.isBuffer(tls.ca) ? tls.ca : [...tls.ca] }
      : {}),
    ...(tls.cert !== undefined ? { cert: tls.cert } : {}),
    ...(tls.key !== undefined ? { key: tls.key } : {}),
    ...(tls.passphrase !== undefined ? { passphrase: tls.passphrase } : {}),
    rejectUnauthorized: tls.rejectUnauthorized ?? true,
  })

  const tlsFetch: FetchLike = (url, init) => {
    const target = new URL(url)
    // TLS settings mean nothing over plain HTTP; let the built-in fetch do it.
    if (target.protocol !== 'https:') return fetch(url, init)
    return new Promise<Response>((resolve, reject) => {
      const headers = new Headers(init.headers)
      const body = typeof init.body === 'string' ? Buffer.from(init.body, 'utf8') : undefined
      if (init.body !== undefined && init.body !== null && body === undefined) {
        reject(new TypeError('tls fetch: only string request bodies are supported'))
        return
      }
      if (body) headers.set('Content-Length', String(body.length))
      const outgoing: Record<string, string> = {}
      headers.forEach((value, name) => {
        outgoing[name] = value
      })
      const req = request(
        target,
        {
          method: init.method ?? 'GET',
          headers: outgoing,
          agent,
          ...(init.signal ? { signal: init.signal } : {}),
        },
        (res) => {
          const chunks: Buffer[] = []
          let received = 0
          res.on('data', (chunk: Buffer) => {
            received += chunk.length
            // Stop reading at once rather than buffer a body the client will refuse anyway.
            if (received > maxResponseBytes) {
              req.destroy(new ResponseTooLargeError(res.statusCode ?? 0, maxResponseBytes))
              return
            }
            chunks.push(chunk)
          })
          res.on('error', reject)
          res.on('end', () => {
            const status = res.statusCode ?? 0
            const responseHeaders = new Headers()
            for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) {
              responseHeaders.append(res.rawHeaders[i] ?? '', res.rawHeaders[i + 1] ?? '')
            }
            try {
              resolve(
                new Response(NULL_BODY_STATUSES.has(status) ? null : Buffer.concat(chunks), {
                  status,
                  statusText: res.statusMessage ?? '',
                  headers: responseHeaders,
                }),
              )
            } catch (error) {
              reject(error instanceof Error ? error : new Error(String(error)))
            }
          })
        },
      )
      req.on('error', reject)
      req.end(body)
    })
  }

  return { fetch: tlsFetch, close: () => agent.destroy() }
}
