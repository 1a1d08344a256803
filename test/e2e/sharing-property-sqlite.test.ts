import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js'
import { describeSharingProperty } from '../helpers/sharing-world.js'

describeSharingProperty(
  'SQLite :memory:',
  async () => {
    const store = SqliteStore.open(':memory:')
    await store.migrate()
    return store
  },
  { runs: 40, timeLimitMs: 45_000 },
)
