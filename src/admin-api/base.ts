/** Where the admin API lives on a node, beside the TAXII endpoints. */
export const ADMIN_API_BASE = '/api/v1'
