/**
 * The client over HTTPS with a custom CA and client certificates (TAXII 2.1 sections 8.3.1,
 * 8.5.1, 8.5.2), against the fake vendor server using the test-only self-signed certificate.
 */
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  VENDOR_ROOT,
  VENDOR_TOKEN,
  startFakeVendorServer,
  type FakeVendorServer,
} from '../../../test/fixtures/taxii-client/fake-vendor-server.js'
import { TaxiiClient } from './taxii-client.js'
import { TaxiiNetworkError } from './taxii-errors.js'

const fixture = (name: string) =>
  readFileSync(new URL(`../../../test/fixtures/node/${name}`, import.meta.url), 'utf8')
const cert = fixture('test-tls-cert.pem')
const key = fixture('test-tls-key.pem')

let server: FakeVendorServer
let mutual: FakeVendorServer
const clients: TaxiiClient[] = []

function client(options: ConstructorParameters<typeof TaxiiClient>[0]): TaxiiClient {
  const made = new TaxiiClient(options)
  clients.push(made)
  return made
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise
  } catch (error) {
    return error
  }
  throw new Error('expected the promise to reject')
}

beforeAll(async () => {
  server = await startFakeVendorServer({ tls: { cert, key } })
  // Verifies clients: only certificates signed by the test certificate get in.
  mutual = await startFakeVendorServer({ tls: { cert, key, ca: cert } })
})

afterAll(async () => {
  for (const made of clients) made.close()
  await server?.close()
  await mutual?.close()
})

describe('TaxiiClient over HTTPS', () => {
  it('trusts a server certificate signed by the given CA', async () => {
    const taxii = client({ url: server.baseUrl, auth: { bearer: VENDOR_TOKEN }, tls: { ca: cert } })
    const discovery = await taxii.discovery()
    expect(discovery.api_roots).toEqual([`${server.baseUrl}/${VENDOR_ROOT}/`])
    const status = await taxii.addObjects(VENDOR_ROOT, 'inbox', [
      { type: 'malware', id: 'malware--1' },
    ])
    expect(status.success_count).toBe(1)
    await taxii.deleteObject(VENDOR_ROOT, 'paged', server.objects[0]?.id ?? '')
    expect(server.requests[server.requests.length - 1]?.method).toBe('DELETE')
  })

  it('cuts off a body larger than maxResponseBytes over the TLS transport', async () => {
    const taxii = client({
      url: server.baseUrl,
      auth: { bearer: VENDOR_TOKEN },
      tls: { ca: cert },
      maxResponseBytes: 100_000,
    })
    await expect(taxii.objectsPage(VENDOR_ROOT, 'huge')).rejects.toThrow(/exceeds maxResponseBytes/)
  })

  it('refuses an untrusted certificate at once, without retrying (section 8.5.2)', async () => {
    const before = server.connections()
    const error = await rejection(
      client({ url: server.baseUrl, retries: 3, retryBaseDelayMs: 200, tls: {} }).discovery(),
    )
    expect(error).toBeInstanceOf(TaxiiNetworkError)
    expect((error as Error).message).toMatch(/certificate/i)
    expect(server.connections() - before).toBe(1)
  })

  it('refuses an untrusted certificate with the built-in fetch too', async () => {
    const error = await rejection(
      client({ url: server.baseUrl, retries: 3, retryBaseDelayMs: 200 }).discovery(),
    )
    expect(error).toBeInstanceOf(TaxiiNetworkError)
    expect((error as Error).message).toMatch(/certificate/i)
  })

  it('skips verification only when told to', async () => {
    const taxii = client({
      url: server.baseUrl,
      auth: { bearer: VENDOR_TOKEN },
      tls: { rejectUnauthorized: false },
    })
    expect((await taxii.discovery()).title).toBe('Vendor TAXII')
  })

  it('presents a client certificate to a server that verifies clients (section 8.3.1)', async () => {
    const taxii = client({
      url: mutual.baseUrl,
      auth: { bearer: VENDOR_TOKEN },
      tls: { ca: cert, cert, key },
    })
    expect((await taxii.collections(VENDOR_ROOT)).length).toBe(2)
  })

  it('fails without a client certificate where one is required', async () => {
    const error = await rejection(
      client({
        url: mutual.baseUrl,
        auth: { bearer: VENDOR_TOKEN },
        retries: 1,
        retryBaseDelayMs: 5,
        tls: { ca: cert },
      }).discovery(),
    )
    expect(error).toBeInstanceOf(TaxiiNetworkError)
  })
})
