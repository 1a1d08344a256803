/**
 * When the TAXII client retries, and how long it waits: exponential backoff with full jitter,
 * and the HTTP `Retry-After` header (RFC 9110 section 10.2.3: delay-seconds or an HTTP-date).
 * @internal
 */

/** The backoff settings of a client. */
export interface RetrySettings {
  /** Retries after the first attempt (0 disables retrying). */
  retries: number
  /** Ceiling of the first backoff window, in milliseconds. */
  baseDelayMs: number
  /** Largest wait between attempts, in milliseconds; a longer `Retry-After` is not honoured. */
  maxDelayMs: number
}

/**
 * The wait before retry number `retry` (0 for the first retry): a uniformly random delay in
 * [0, min(maxDelayMs, baseDelayMs * 2^retry)) ("full jitter"), so that many clients that failed
 * together do not retry together.
 * @internal
 */
export function backoffDelay(
  retry: number,
  settings: Pick<RetrySettings, 'baseDelayMs' | 'maxDelayMs'>,
  random: () => number = Math.random,
): number {
  const window = Math.min(settings.maxDelayMs, settings.baseDelayMs * 2 ** Math.max(0, retry))
  return Math.floor(random() * window)
}

/**
 * Reads `Retry-After` as milliseconds from `nowMs`: delay-seconds (`120`) or an HTTP-date
 * (`Wed, 21 Oct 2026 07:28:00 GMT`). A date in the past gives 0; an unreadable value gives
 * `undefined`.
 * @internal
 */
export function parseRetryAfter(
  value: string | null | undefined,
  nowMs: number,
): number | undefined {
  if (value === null || value === undefined) return undefined
  const text = value.trim()
  if (/^\d+$/.test(text)) return Number(text) * 1000
  // RFC 9110 allows only IMF-fixdate and two obsolete forms; all name a weekday and GMT.
  if (!/^[A-Za-z]{3,9}, .*GMT$|^[A-Za-z]{3} [A-Za-z]{3} +\d/.test(text)) return undefined
  const at = Date.parse(text)
  if (Number.isNaN(at)) return undefined
  return Math.max(0, at - nowMs)
}

/** Statuses worth another attempt: 429 (Too Many Requests) and the 5xx server errors. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || (status >= 500 && status <= 599)
}
