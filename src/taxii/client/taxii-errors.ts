/**
 * Errors thrown by the TAXII client. Each names the request (method and URL) it belongs to;
 * none carries credentials.
 */
import type { ErrorMessage } from '../resources.js'

/** Base class of every error the TAXII client throws for a failed request. */
export class TaxiiClientError extends Error {
  /** The HTTP method of the failed request. */
  readonly method: string
  /** The URL of the failed request. */
  readonly url: string

  constructor(message: string, method: string, url: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'TaxiiClientError'
    this.method = method
    this.url = url
  }
}

/**
 * The server answered with an HTTP error status (TAXII 2.1 section 3.6). `body` holds the TAXII
 * error message (section 3.6.1) when the server sent one.
 *
 * @example
 * ```ts
 * try {
 *   await client.collection('api1', 'no-such-collection')
 * } catch (error) {
 *   if (error instanceof TaxiiHttpError && error.status === 404) console.log(error.body?.title)
 * }
 * ```
 */
export class TaxiiHttpError extends TaxiiClientError {
  /** The HTTP status code. */
  readonly status: number
  /** The TAXII error message from the response body, when it held one. */
  readonly body: ErrorMessage | undefined
  /** The start of the response body when it was not a TAXII error message. */
  readonly bodyText: string | undefined
  /** The delay the server asked for in `Retry-After`, in milliseconds, if any. */
  readonly retryAfterMs: number | undefined

  constructor(
    method: string,
    url: string,
    status: number,
    details: { body?: ErrorMessage; bodyText?: string; retryAfterMs?: number } = {},
  ) {
    const what = details.body
      ? `: ${details.body.title}${details.body.description ? ` (${details.body.description})` : ''}`
      : details.bodyText
        ? `: ${details.bodyText}`
        : ''
    super(`${method} ${url} answered HTTP ${status}${what}`, method, url)
    this.name = 'TaxiiHttpError'
    this.status = status
    this.body = details.body
    this.bodyText = details.bodyText
    this.retryAfterMs = details.retryAfterMs
  }

  /** The server's `title`, if it sent a TAXII error message. */
  get title(): string | undefined {
    return this.body?.title
  }

  /** The server's `description`, if any. */
  get description(): string | undefined {
    return this.body?.description
  }

  /** The server's application-specific `error_code`, if any. */
  get errorCode(): string | undefined {
    return this.body?.error_code
  }
}

/**
 * The request succeeded but the response cannot be used: wrong media type, a body that is not
 * JSON or not the TAXII resource the endpoint defines, or missing paging information.
 */
export class TaxiiResponseError extends TaxiiClientError {
  /** The HTTP status code of the response. */
  readonly status: number

  constructor(
    method: string,
    url: string,
    status: number,
    problem: string,
    options?: { cause?: unknown },
  ) {
    super(`${method} ${url}: unusable response (HTTP ${status}): ${problem}`, method, url, options)
    this.name = 'TaxiiResponseError'
    this.status = status
  }
}

/**
 * No HTTP response arrived: the connection failed, TLS verification failed, or the request
 * timed out (`timedOut`). `cause` holds the underlying error.
 */
export class TaxiiNetworkError extends TaxiiClientError {
  /** True when the request was cut off by the client's timeout. */
  readonly timedOut: boolean

  constructor(
    method: string,
    url: string,
    problem: string,
    timedOut: boolean,
    options?: { cause?: unknown },
  ) {
    super(`${method} ${url}: ${problem}`, method, url, options)
    this.name = 'TaxiiNetworkError'
    this.timedOut = timedOut
  }
}
