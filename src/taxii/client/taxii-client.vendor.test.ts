/**
 * The client against a fake server of another vendor (test/fixtures/taxii-client): its own
 * `next` format, `limit` ignored, paging by date only, repeated pages, 429, 500, a hanging
 * server, malformed bodies and a slow status, all over a real socket on 127.0.0.1.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  VENDOR_PASSWORD,
  VENDOR_ROOT,
  VENDOR_TOKEN,
  VENDOR_USER,
  startFakeVendorServer,
  type FakeVendorServer,
} from '../../../test/fixtures/taxii-client/fake-vendor-server.js'
import { TaxiiClient, type TaxiiClientOptions } from './taxii-client.js'
import { TaxiiHttpError, TaxiiNetworkError, TaxiiResponseError } from './taxii-errors.js'

let server: FakeVendorServer

beforeAll(async () => {
  server = await startFakeVendorServer()
})

afterAll(async () => {
  await server?.close()
})

function client(options: Partial<TaxiiClientOptions> = {}): TaxiiClient {
  return new TaxiiClient({
    url: server.baseUrl,
    auth: { basic: { user: VENDOR_USER, password: VENDOR_PASSWORD } },
    retryBaseDelayMs: 10,
    timeoutMs: 2000,
    ...options,
  })
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const item of items) out.push(item)
  return out
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise
  } catch (error) {
    return error
  }
  throw new Error('expected the promise to reject')
}

describe('TaxiiClient against another vendor: server information (sections 4.1, 4.2, 5.1)', () => {
  it('discovers API roots and reads them with Basic credentials (section 1.6.9)', async () => {
    const taxii = client()
    const discovery = await taxii.discovery()
    expect(discovery.api_roots).toEqual([`${server.baseUrl}/${VENDOR_ROOT}/`])
    const root = await taxii.apiRoot(discovery.api_roots?.[0] ?? '')
    expect(root.max_content_length).toBe(1048576)
    expect(root['x_vendor_tier']).toBe('gold')
    const collections = await taxii.collections(VENDOR_ROOT)
    expect(collections.map((collection) => collection.id)).toEqual(['paged', 'slow-status'])
  })

  it('sends the TAXII Accept header, a User-Agent and no Content-Type on GET (section 3.2)', async () => {
    const before = server.requests.length
    await client().discovery()
    const request = server.requests[before]
    expect(request?.headers.accept).toBe('application/taxii+json;version=2.1')
    expect(request?.headers['user-agent']).toBe('intelmesh-taxii-client')
    expect(request?.headers['content-type']).toBeUndefined()
  })

  it('authenticates with a bearer token', async () => {
    const discovery = await client({ auth: { bearer: VENDOR_TOKEN } }).discovery()
    expect(discovery.title).toBe('Vendor TAXII')
  })

  it('takes credentials written in the URL as Basic credentials', async () => {
    const url = new URL(server.baseUrl)
    url.username = VENDOR_USER
    url.password = encodeURIComponent(VENDOR_PASSWORD)
    const discovery = await new TaxiiClient({ url }).discovery()
    expect(discovery.title).toBe('Vendor TAXII')
  })

  it('accepts the discovery URL itself as the server URL', async () => {
    const taxii = client({ url: `${server.baseUrl}/taxii2/` })
    expect(taxii.discoveryUrl).toBe(`${server.baseUrl}/taxii2/`)
    expect(taxii.apiRootUrl(VENDOR_ROOT)).toBe(`${server.baseUrl}/${VENDOR_ROOT}/`)
    expect((await taxii.collection(VENDOR_ROOT, 'paged')).can_read).toBe(true)
  })

  it('throws TaxiiHttpError 401 without retrying when credentials are wrong', async () => {
    const before = server.requests.length
    const error = await rejection(
      client({ auth: { basic: { user: VENDOR_USER, password: 'wrong' } } }).discovery(),
    )
    expect(error).toBeInstanceOf(TaxiiHttpError)
    expect((error as TaxiiHttpError).status).toBe(401)
    expect((error as TaxiiHttpError).title).toBe('Unauthorized')
    expect(server.requests.length - before).toBe(1)
  })
})

describe('TaxiiClient against another vendor: paging (section 3.5)', () => {
  it('follows an opaque next token of another format while ignoring that limit was ignored', async () => {
    const before = server.requests.length
    const objects = await collect(client().objects(VENDOR_ROOT, 'paged', { limit: 4 }))
    expect(objects.map((object) => object.id)).toEqual(server.objects.map((object) => object.id))
    const requests = server.requests.slice(before)
    expect(requests.map((request) => request.query.get('next'))).toEqual([null, 'cur-10', 'cur-20'])
    // Section 3.5: every follow-up repeats the original query options.
    expect(requests.every((request) => request.query.get('limit') === '4')).toBe(true)
  })

  it('exposes pages one at a time', async () => {
    const taxii = client()
    const first = await taxii.objectsPage(VENDOR_ROOT, 'paged')
    expect(first.items).toHaveLength(10)
    expect(first.more).toBe(true)
    expect(first.next).toBe('cur-10')
    expect(first.dateAddedFirst).toBe(server.objects[0]?.dateAdded)
    expect(first.dateAddedLast).toBe(server.objects[9]?.dateAdded)
    const second = await taxii.objectsPage(VENDOR_ROOT, 'paged', { next: first.next ?? '' })
    expect(second.items[0]?.id).toBe(server.objects[10]?.id)
  })

  it('falls back to added_after = X-TAXII-Date-Added-Last when there is no next', async () => {
    const objects = await collect(
      client().objects(VENDOR_ROOT, 'dated', {
        type: 'malware',
        addedAfter: '2026-03-01T00:00:01.000Z',
      }),
    )
    expect(objects.map((object) => object.id)).toEqual(server.objects.slice(2).map((o) => o.id))
    const addedAfter = server.requestsTo('dated').map((request) => request.query.get('added_after'))
    expect(addedAfter).toEqual([
      '2026-03-01T00:00:01.000Z',
      server.objects[8]?.dateAdded,
      server.objects[15]?.dateAdded,
      server.objects[22]?.dateAdded,
    ])
    expect(server.requestsTo('dated').every((r) => r.query.get('match[type]') === 'malware')).toBe(
      true,
    )
  })

  it('yields each object once and stops when a server repeats everything with more: true', async () => {
    const objects = await collect(client().objects(VENDOR_ROOT, 'repeat', { limit: 5 }))
    expect(objects).toHaveLength(server.objects.length)
    expect(new Set(objects.map((object) => object.id)).size).toBe(server.objects.length)
    expect(server.requestsTo('repeat')).toHaveLength(2)
  })

  it('stops when added_after paging does not advance', async () => {
    const objects = await collect(client().objects(VENDOR_ROOT, 'stuck'))
    expect(objects).toHaveLength(5)
    expect(server.requestsTo('stuck')).toHaveLength(2)
  })

  it('throws TaxiiResponseError when more is true but nothing says where to go on', async () => {
    const seen: string[] = []
    const error = await rejection(
      (async () => {
        for await (const object of client().objects(VENDOR_ROOT, 'no-cursor')) seen.push(object.id)
      })(),
    )
    expect(seen).toHaveLength(3)
    expect(error).toBeInstanceOf(TaxiiResponseError)
    expect((error as Error).message).toMatch(/neither next nor X-TAXII-Date-Added-Last/)
  })

  it('throws TaxiiResponseError when X-TAXII-Date-Added-Last is not a timestamp', async () => {
    const error = await rejection(collect(client().objects(VENDOR_ROOT, 'bad-date')))
    expect(error).toBeInstanceOf(TaxiiResponseError)
    expect((error as Error).message).toMatch(/X-TAXII-Date-Added-Last is not a TAXII timestamp/)
    expect(server.requestsTo('bad-date')).toHaveLength(1)
  })

  it('pages through the manifest with the server next token (section 5.3)', async () => {
    const records = await collect(client().manifest(VENDOR_ROOT, 'paged'))
    expect(records.map((record) => record.id)).toEqual(server.objects.map((object) => object.id))
    const request = server.requests.findLast((r) => r.path.endsWith('/paged/manifest/'))
    expect(request?.headers.accept).toBe(
      'application/taxii+json;version=2.1,application/stix+json;version=2.1',
    )
    expect(records[0]?.date_added).toBe(server.objects[0]?.dateAdded)
  })

  it('pages through object versions by date (section 5.8)', async () => {
    const id = server.objects[0]?.id ?? ''
    const versions = await collect(client().objectVersions(VENDOR_ROOT, 'paged', id))
    expect(versions).toEqual([
      '2026-01-01T00:00:00.000Z',
      '2026-02-01T00:00:00.000Z',
      '2026-03-01T00:00:00.000Z',
    ])
  })

  it('gets an object by id, its latest version or all of them (section 5.6)', async () => {
    const id = server.objects[3]?.id ?? ''
    const latest = await client().getObject(VENDOR_ROOT, 'paged', id)
    expect(latest.map((object) => object['modified'])).toEqual(['2026-03-01T00:00:00.000Z'])
    const all = await client().getObject(VENDOR_ROOT, 'paged', id, { version: 'all' })
    expect(all).toHaveLength(3)
    const last = server.requests[server.requests.length - 1]
    expect(last?.path).toBe(`/${VENDOR_ROOT}/collections/paged/objects/${id}/`)
    expect(last?.query.get('match[version]')).toBe('all')
  })
})

describe('TaxiiClient against another vendor: retries and timeouts', () => {
  it('waits as Retry-After says after a 429, then succeeds', async () => {
    const started = Date.now()
    const page = await client().objectsPage(VENDOR_ROOT, 'busy')
    expect(page.items).toHaveLength(2)
    expect(Date.now() - started).toBeGreaterThanOrEqual(950)
    expect(server.requestsTo('busy')).toHaveLength(2)
  })

  it('throws at once when Retry-After asks for longer than maxRetryDelayMs', async () => {
    const error = await rejection(
      client({ maxRetryDelayMs: 5000 }).objectsPage(VENDOR_ROOT, 'throttled'),
    )
    expect(error).toBeInstanceOf(TaxiiHttpError)
    expect((error as TaxiiHttpError).status).toBe(429)
    expect((error as TaxiiHttpError).retryAfterMs).toBe(120_000)
    expect(server.requestsTo('throttled')).toHaveLength(1)
  })

  it('retries a 500 with backoff, then succeeds', async () => {
    const page = await client().objectsPage(VENDOR_ROOT, 'flaky')
    expect(page.items).toHaveLength(2)
    expect(server.requestsTo('flaky')).toHaveLength(3)
  })

  it('gives up after the configured retries and reports the last 5xx with its TAXII body', async () => {
    const fresh = await startFakeVendorServer()
    try {
      const taxii = new TaxiiClient({
        url: fresh.baseUrl,
        auth: { bearer: VENDOR_TOKEN },
        retries: 1,
        retryBaseDelayMs: 5,
      })
      const error = await rejection(taxii.objectsPage(VENDOR_ROOT, 'flaky'))
      expect(error).toBeInstanceOf(TaxiiHttpError)
      expect((error as TaxiiHttpError).status).toBe(500)
      expect((error as TaxiiHttpError).title).toBe('Database hiccup')
      expect(fresh.requestsTo('flaky')).toHaveLength(2)
    } finally {
      await fresh.close()
    }
  })

  it('times out on a server that hangs, retries, and throws TaxiiNetworkError', async () => {
    const started = Date.now()
    const error = await rejection(
      client({ timeoutMs: 200, retries: 2 }).objectsPage(VENDOR_ROOT, 'hang'),
    )
    expect(error).toBeInstanceOf(TaxiiNetworkError)
    expect((error as TaxiiNetworkError).timedOut).toBe(true)
    expect((error as Error).message).toMatch(/no complete response within 200 ms/)
    expect(server.requestsTo('hang')).toHaveLength(3)
    expect(Date.now() - started).toBeLessThan(5000)
  })

  it('stops at once when the caller aborts', async () => {
    const controller = new AbortController()
    const pending = client({ timeoutMs: 10_000 }).objectsPage(
      VENDOR_ROOT,
      'hang',
      {},
      { signal: controller.signal },
    )
    setTimeout(() => controller.abort(new Error('user stop')), 50)
    const error = await rejection(pending)
    expect((error as Error).message).toBe('user stop')
  })

  it('stops waiting for a retry when the caller aborts', async () => {
    const controller = new AbortController()
    const started = Date.now()
    const pending = client({ retryBaseDelayMs: 10_000 }).objectsPage(
      VENDOR_ROOT,
      'always-500',
      {},
      { signal: controller.signal },
    )
    setTimeout(() => controller.abort(new Error('user stop')), 100)
    const error = await rejection(pending)
    expect((error as Error).message).toBe('user stop')
    expect(Date.now() - started).toBeLessThan(2000)
  })

  it('retries a refused connection, then throws TaxiiNetworkError', async () => {
    const closed = await startFakeVendorServer()
    const url = closed.baseUrl
    await closed.close()
    const error = await rejection(
      new TaxiiClient({ url, retries: 2, retryBaseDelayMs: 5 }).discovery(),
    )
    expect(error).toBeInstanceOf(TaxiiNetworkError)
    expect((error as TaxiiNetworkError).timedOut).toBe(false)
    expect((error as Error).message).toMatch(/ECONNREFUSED/)
  })

  it('never retries a 4xx and carries the TAXII error message', async () => {
    const error = await rejection(client().objectsPage(VENDOR_ROOT, 'locked'))
    expect(error).toBeInstanceOf(TaxiiHttpError)
    const http = error as TaxiiHttpError
    expect(http.status).toBe(403)
    expect(http.method).toBe('GET')
    expect(http.url).toBe(`${server.baseUrl}/${VENDOR_ROOT}/collections/locked/objects/`)
    expect(http.description).toBe('your subscription does not cover this collection')
    expect(http.errorCode).toBe('SUB-17')
    expect(http.message).toMatch(/answered HTTP 403: Forbidden \(your subscription/)
    expect(server.requestsTo('locked')).toHaveLength(1)
  })
})

describe('TaxiiClient against another vendor: malformed responses', () => {
  it('throws TaxiiResponseError for a body that is not JSON, without retrying', async () => {
    const error = await rejection(client().objectsPage(VENDOR_ROOT, 'malformed'))
    expect(error).toBeInstanceOf(TaxiiResponseError)
    expect((error as Error).message).toMatch(/not valid JSON/)
    expect(server.requestsTo('malformed')).toHaveLength(1)
  })

  it('throws TaxiiResponseError naming the property of a body that is not an envelope', async () => {
    const error = await rejection(client().objectsPage(VENDOR_ROOT, 'bad-shape'))
    expect(error).toBeInstanceOf(TaxiiResponseError)
    expect((error as Error).message).toMatch(/more: .*objects: /)
  })

  it('throws TaxiiResponseError for a JSON list instead of an envelope', async () => {
    const error = await rejection(client().objectsPage(VENDOR_ROOT, 'array'))
    expect(error).toBeInstanceOf(TaxiiResponseError)
    expect((error as Error).message).toMatch(/expected an envelope object/)
  })

  it('reads an empty objects list as no objects (section 2 wants it left out)', async () => {
    const page = await client().objectsPage(VENDOR_ROOT, 'empty-list')
    expect(page.items).toEqual([])
    expect(page.more).toBe(false)
  })

  it('throws TaxiiResponseError for a response that is not the TAXII media type (section 3.1)', async () => {
    const error = await rejection(client().objectsPage(VENDOR_ROOT, 'html'))
    expect(error).toBeInstanceOf(TaxiiResponseError)
    expect((error as Error).message).toMatch(/Content-Type is text\/html/)
  })

  it('cuts off a body larger than maxResponseBytes with TaxiiResponseError', async () => {
    const error = await rejection(
      client({ maxResponseBytes: 100_000 }).objectsPage(VENDOR_ROOT, 'huge'),
    )
    expect(error).toBeInstanceOf(TaxiiResponseError)
    expect((error as Error).message).toMatch(/exceeds maxResponseBytes \(100000 bytes\)/)
    expect(server.requestsTo('huge')).toHaveLength(1)
    const page = await client().objectsPage(VENDOR_ROOT, 'huge')
    expect(page.items).toHaveLength(5000)
  })

  it('throws TaxiiResponseError for an envelope object without an id (section 3.7)', async () => {
    const error = await rejection(client().objectsPage(VENDOR_ROOT, 'not-stix'))
    expect(error).toBeInstanceOf(TaxiiResponseError)
    expect((error as Error).message).toMatch(/objects\.0: a STIX object needs/)
  })
})

describe('TaxiiClient against another vendor: add and delete (sections 5.5, 4.3, 5.7)', () => {
  const objects = [
    { type: 'malware', id: 'malware--1' },
    { type: 'malware', id: 'malware--2' },
  ]

  it('POSTs an envelope with the TAXII Content-Type', async () => {
    const status = await client().addObjects(VENDOR_ROOT, 'inbox', objects)
    expect(status.status).toBe('complete')
    expect(status.success_count).toBe(2)
    const post = server.requestsTo('inbox').find((request) => request.method === 'POST')
    expect(post?.headers['content-type']).toBe('application/taxii+json;version=2.1')
    expect(post?.headers.accept).toBe('application/taxii+json;version=2.1')
    expect(JSON.parse(post?.body ?? '')).toEqual({ objects })
  })

  it('polls a pending status with growing waits until it is complete', async () => {
    const status = await client().addObjects(VENDOR_ROOT, 'slow-status', objects, {
      pollIntervalMs: 20,
    })
    expect(status.status).toBe('complete')
    expect(status.failures?.[0]?.message).toBe('rejected')
    const polls = server.requests.filter((request) =>
      request.path.startsWith(`/${VENDOR_ROOT}/status/${status.id}/`),
    )
    expect(polls).toHaveLength(4)
  })

  it('returns the last pending status when the status timeout passes', async () => {
    const status = await client().addObjects(VENDOR_ROOT, 'slow-status', objects, {
      pollIntervalMs: 20,
      statusTimeoutMs: 30,
    })
    expect(status.status).toBe('pending')
  })

  it('returns the first status without polling when wait is false', async () => {
    const status = await client().addObjects(VENDOR_ROOT, 'slow-status', objects, { wait: false })
    expect(status.status).toBe('pending')
    expect(status.pending_count).toBe(2)
  })

  it('refuses an empty list of objects', async () => {
    await expect(client().addObjects(VENDOR_ROOT, 'inbox', [])).rejects.toThrow(RangeError)
  })

  it('deletes an object with match[version] and match[spec_version]', async () => {
    const id = server.objects[1]?.id ?? ''
    await client().deleteObject(VENDOR_ROOT, 'paged', id, {
      version: '2026-01-01T00:00:00.000Z',
      specVersion: '2.1',
    })
    const request = server.requests[server.requests.length - 1]
    expect(request?.method).toBe('DELETE')
    expect(request?.path).toBe(`/${VENDOR_ROOT}/collections/paged/objects/${id}/`)
    expect(request?.query.get('match[version]')).toBe('2026-01-01T00:00:00.000Z')
    expect(request?.query.get('match[spec_version]')).toBe('2.1')
  })

  it('reports a 404 for a delete of an unknown object', async () => {
    const error = await rejection(client().deleteObject(VENDOR_ROOT, 'paged', 'malware--none'))
    expect((error as TaxiiHttpError).status).toBe(404)
  })
})

describe('TaxiiClient options', () => {
  it('refuses bad settings with a message naming them', () => {
    expect(() => new TaxiiClient({ url: 'not a url' })).toThrow(/url is not a valid URL/)
    expect(() => new TaxiiClient({ url: 'ftp://127.0.0.1/' })).toThrow(/http: or https:/)
    expect(() => new TaxiiClient({ url: server.baseUrl, retries: -1 })).toThrow(/retries/)
    expect(() => new TaxiiClient({ url: server.baseUrl, timeoutMs: 0 })).toThrow(/timeoutMs/)
    expect(
      () =>
        new TaxiiClient({ url: server.baseUrl, auth: { basic: { user: 'a:b', password: '' } } }),
    ).toThrow(/must not contain ":"/)
    expect(() => new TaxiiClient({ url: server.baseUrl, auth: { bearer: '' } })).toThrow(/bearer/)
    expect(
      () => new TaxiiClient({ url: server.baseUrl, fetch: (u, i) => fetch(u, i), tls: {} }),
    ).toThrow(/either fetch or tls/)
  })

  it('resolves API root names against a server URL with a path prefix', () => {
    const taxii = new TaxiiClient({ url: 'https://127.0.0.1/intel-taxii2/taxii2/' })
    expect(taxii.discoveryUrl).toBe('https://127.0.0.1/intel-taxii2/taxii2/')
    expect(taxii.apiRootUrl('api1')).toBe('https://127.0.0.1/intel-taxii2/api1/')
    expect(taxii.apiRootUrl('/api2')).toBe('https://127.0.0.1/api2/')
    expect(taxii.apiRootUrl('https://other.example/root')).toBe('https://other.example/root/')
  })

  it('uses an injected fetch', async () => {
    const seen: string[] = []
    const taxii = client({
      fetch: (url, init) => {
        seen.push(url)
        return fetch(url, init)
      },
    })
    await taxii.discovery()
    expect(seen).toEqual([`${server.baseUrl}/taxii2/`])
  })

  it('encodes path segments', async () => {
    const error = await rejection(client().collection(VENDOR_ROOT, 'a/b c'))
    expect((error as TaxiiHttpError).status).toBe(404)
    expect((error as TaxiiHttpError).url).toBe(
      `${server.baseUrl}/${VENDOR_ROOT}/collections/a%2Fb%20c/`,
    )
  })
})
