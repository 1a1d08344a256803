/**
 * `intelmesh/taxii-client`: a standalone TAXII 2.1 client (TAXII 2.1 sections 3 to 5) for any
 * conforming server, with the TAXII resource schemas it validates responses against.
 *
 * @example
 * ```ts
 * import { TaxiiClient } from 'intelmesh/taxii-client'
 *
 * const client = new TaxiiClient({ url: 'https://taxii.example.org/', auth: { bearer: token } })
 * for await (const object of client.objects('api1', collectionId, { addedAfter: since })) {
 *   console.log(object.type, object.id)
 * }
 * ```
 */
export {
  TaxiiClient,
  type AddObjectsOptions,
  type ApiRootRef,
  type PageCursor,
  type RequestOptions,
  type TaxiiAuth,
  type TaxiiClientOptions,
  type TaxiiObject,
  type TaxiiPage,
} from './taxii-client.js'
export {
  TaxiiClientError,
  TaxiiHttpError,
  TaxiiNetworkError,
  TaxiiResponseError,
} from './taxii-errors.js'
export type {
  DeleteFilters,
  ObjectByIdFilters,
  ObjectFilters,
  VersionMatch,
  VersionsFilters,
} from './build-query.js'
export type { FetchLike, TaxiiTlsOptions } from './tls-fetch.js'
export {
  TAXII_MEDIA_TYPE,
  STIX_MEDIA_TYPE,
  type ApiRootResource,
  type CollectionResource,
  type Discovery,
  type ErrorMessage,
  type ManifestRecord,
  type StatusDetails,
  type StatusResource,
} from '../resources.js'
