/**
 * Versioned schema migrations for both adapters. Each migration is a list of statements
 * rendered for one dialect; `migrate()` applies the pending ones in one transaction and records
 * each in `schema_migrations`. Never edit a released migration: add the next one.
 */

import { federation, federationTables } from './federation.js'

export type Dialect = 'sqlite' | 'postgres'

export interface Migration {
  version: number
  name: string
  statements(dialect: Dialect): string[]
}

/** Column types that differ between the dialects. */
function types(dialect: Dialect): { bigint: string; bool: string; false: string } {
  return dialect === 'sqlite'
    ? { bigint: 'INTEGER', bool: 'INTEGER', false: '0' }
    : { bigint: 'BIGINT', bool: 'BOOLEAN', false: 'FALSE' }
}

const initialSchema: Migration = {
  version: 1,
  name: 'initial schema',
  statements(dialect) {
    const t = types(dialect)
    return [
      `CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      )`,
      `CREATE TABLE organisations (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        identity_id TEXT NOT NULL,
        created_at TEXT NOT NULL
      )`,
      `CREATE TABLE users (
        id TEXT PRIMARY KEY,
        org_id TEXT NOT NULL REFERENCES organisations (id),
        name TEXT NOT NULL UNIQUE,
        role TEXT NOT NULL,
        password_hash TEXT,
        disabled ${t.bool} NOT NULL DEFAULT ${t.false},
        created_at TEXT NOT NULL
      )`,
      `CREATE INDEX users_org ON users (org_id)`,
      `CREATE TABLE api_keys (
        id TEXT PRIMARY KEY,
        user_id TEXT NOT NULL REFERENCES users (id),
        prefix TEXT NOT NULL UNIQUE,
        key_hash TEXT NOT NULL,
        label TEXT NOT NULL,
        revoked ${t.bool} NOT NULL DEFAULT ${t.false},
        created_at TEXT NOT NULL,
        last_used_at TEXT
      )`,
      `CREATE INDEX api_keys_user ON api_keys (user_id)`,
      `CREATE TABLE api_roots (
        id TEXT PRIMARY KEY,
        path TEXT NOT NULL UNIQUE,
        title TEXT NOT NULL,
        description TEXT,
        max_content_length ${t.bigint} NOT NULL,
        created_at TEXT NOT NULL
      )`,
      `CREATE TABLE collections (
        id TEXT PRIMARY KEY,
        api_root_id TEXT NOT NULL REFERENCES api_roots (id),
        alias TEXT NOT NULL UNIQUE,
        title TEXT NOT NULL,
        description TEXT,
        media_types TEXT NOT NULL,
        default_distribution TEXT NOT NULL,
        created_at TEXT NOT NULL,
        last_date_added_micros ${t.bigint} NOT NULL DEFAULT 0
      )`,
      `CREATE INDEX collections_api_root ON collections (api_root_id)`,
      `CREATE TABLE collection_grants (
        collection_id TEXT NOT NULL REFERENCES collections (id),
        subject_kind TEXT NOT NULL,
        subject_id TEXT NOT NULL,
        can_read ${t.bool} NOT NULL,
        can_write ${t.bool} NOT NULL,
        PRIMARY KEY (collection_id, subject_kind, subject_id)
      )`,
      // One row per (collection, object id, version). No foreign key: the collection's row is
      // read (and on PostgreSQL locked) by every add anyway, and a key check per row costs.
      `CREATE TABLE objects (
        collection_id TEXT NOT NULL,
        date_added_micros ${t.bigint} NOT NULL,
        id TEXT NOT NULL,
        type TEXT NOT NULL,
        spec_version TEXT NOT NULL,
        version TEXT NOT NULL,
        version_key TEXT NOT NULL,
        is_first ${t.bool} NOT NULL,
        is_last ${t.bool} NOT NULL,
        json TEXT NOT NULL,
        publisher_org_id TEXT,
        publisher_actor TEXT,
        marking_refs TEXT NOT NULL,
        tlp TEXT,
        dist_scope TEXT NOT NULL,
        dist_groups TEXT NOT NULL,
        dist_recipients TEXT NOT NULL,
        anonymous ${t.bool} NOT NULL,
        origin_peer TEXT,
        revoked ${t.bool} NOT NULL,
        PRIMARY KEY (collection_id, date_added_micros)
      )`,
      // Lookups by id, the versions endpoint, duplicate checks and first/last upkeep.
      `CREATE UNIQUE INDEX objects_version ON objects (collection_id, id, version_key)`,
      // match[type] paging.
      `CREATE INDEX objects_type ON objects (collection_id, type, date_added_micros)`,
      `CREATE TABLE statuses (
        id TEXT PRIMARY KEY,
        api_root_id TEXT NOT NULL,
        owner_user_id TEXT NOT NULL,
        status TEXT NOT NULL,
        request_timestamp TEXT NOT NULL,
        total_count ${t.bigint} NOT NULL,
        successes TEXT NOT NULL,
        failures TEXT NOT NULL,
        pendings TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        expires_key TEXT NOT NULL
      )`,
      `CREATE INDEX statuses_expiry ON statuses (expires_key)`,
    ]
  },
}

const auditLog: Migration = {
  version: 2,
  name: 'audit log',
  statements(dialect) {
    const t = types(dialect)
    // On SQLite an INTEGER PRIMARY KEY is the rowid itself: no second index for seq.
    const seq = dialect === 'sqlite' ? 'INTEGER PRIMARY KEY' : 'BIGINT PRIMARY KEY'
    const table = [
      // The hash chain (src/audit) makes any edit or removal detectable; the triggers below
      // only stop accidents, as anyone able to write SQL can drop them.
      `CREATE TABLE audit_log (
        seq ${seq} CHECK (seq > 0),
        ts TEXT NOT NULL,
        ts_micros ${t.bigint} NOT NULL,
        actor_kind TEXT NOT NULL,
        actor_id TEXT NOT NULL,
        action TEXT NOT NULL,
        object_ids TEXT NOT NULL,
        collection_id TEXT,
        outcome TEXT NOT NULL,
        details TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
      )`,
      `CREATE INDEX audit_log_ts ON audit_log (ts_micros)`,
      `CREATE INDEX audit_log_actor ON audit_log (actor_id, seq)`,
    ]
    if (dialect === 'sqlite') {
      return [
        ...table,
        `CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
         BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END`,
        `CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
         BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END`,
      ]
    }
    return [
      ...table,
      `CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$`,
      `CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
         FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()`,
    ]
  },
}

const sharing: Migration = {
  version: 3,
  name: 'sharing groups, organisation sharing, public collections, peer keys',
  statements(dialect) {
    const t = types(dialect)
    return [
      `CREATE TABLE sharing_groups (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        owner_org_id TEXT NOT NULL REFERENCES organisations (id),
        description TEXT NOT NULL,
        created_at TEXT NOT NULL
      )`,
      `CREATE TABLE sharing_group_members (
        group_id TEXT NOT NULL REFERENCES sharing_groups (id) ON DELETE CASCADE,
        org_id TEXT NOT NULL REFERENCES organisations (id),
        PRIMARY KEY (group_id, org_id)
      )`,
      `CREATE INDEX sharing_group_members_org ON sharing_group_members (org_id)`,
      // JSON of OrganisationSharing; '{}' reads as the defaults.
      `ALTER TABLE organisations ADD COLUMN sharing TEXT NOT NULL DEFAULT '{}'`,
      `ALTER TABLE collections ADD COLUMN public ${t.bool} NOT NULL DEFAULT ${t.false}`,
      `ALTER TABLE api_keys ADD COLUMN peer_id TEXT`,
    ]
  },
}

/** Every migration, in version order. */
export const migrations: readonly Migration[] = [initialSchema, auditLog, sharing, federation]

/** The version the newest migration brings a database to. */
export const latestSchemaVersion = migrations.at(-1)?.version ?? 0

/** The statement creating the bookkeeping table (the same on both dialects). */
export const createSchemaMigrations = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  applied_at TEXT NOT NULL
)`

/** Tables holding data, children first (for cleaning a test database). */
export const dataTables = [
  ...federationTables,
  'audit_log',
  'statuses',
  'objects',
  'collection_grants',
  'collections',
  'api_roots',
  'api_keys',
  'sharing_group_members',
  'sharing_groups',
  'users',
  'organisations',
  'settings',
] as const
