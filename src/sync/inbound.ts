/**
 * The inbound audience of what a peer sends lives in the sharing layer
 * (src/sharing/inbound.ts), shared by pull and by a peer's TAXII POST; re-exported here for
 * the sync code.
 * @internal
 */
export { SHARING_PROPERTY, inboundDistribution } from '../sharing/inbound.js'
