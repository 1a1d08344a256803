import { AppError } from '../../errors.js'

function tooLarge(limit: number, detail: string): AppError {
  return new AppError('TAXII_PAYLOAD_TOO_LARGE', {
    detail: `${detail}; this API root accepts at most ${limit} bytes (max_content_length, TAXII 2.1 section 4.2.1)`,
    details: { max_content_length: limit },
  })
}

/**
 * Reads a request body of at most `limit` bytes as UTF-8 text. A declared `Content-Length`
 * above the limit is refused before reading anything; a body sent without one (chunked) is
 * counted while it arrives and refused as soon as it passes the limit, so an oversize body is
 * never held whole (TAXII 2.1 section 5.5: 413).
 */
export async function readBodyLimited(request: Request, limit: number): Promise<string> {
  const declared = request.headers.get('content-length')
  if (declared !== null) {
    if (!/^\d+$/.test(declared.trim())) {
      throw new AppError('TAXII_BAD_REQUEST', { detail: 'Content-Length is not a number' })
    }
    const length = Number(declared.trim())
    if (length > limit) throw tooLarge(limit, `the body is ${length} bytes`)
  }
  const body = request.body
  if (!body) return ''
  const reader = (body as ReadableStream<Uint8Array>).getReader()
  const chunks: Uint8Array[] = []
  let received = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    received += value.byteLength
    if (received > limit) {
      await reader.cancel().catch(() => undefined)
      throw tooLarge(limit, `the body exceeds ${limit} bytes`)
    }
    chunks.push(value)
  }
  const bytes = new Uint8Array(received)
  let offset = 0
  for (const chunk of chunks) {
    bytes.set(chunk, offset)
    offset += chunk.byteLength
  }
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes)
  } catch (cause) {
    throw new AppError('TAXII_BAD_REQUEST', {
      detail: 'the body is not valid UTF-8 (TAXII 2.1 section 2: strings are UTF-8)',
      cause,
    })
  }
}
