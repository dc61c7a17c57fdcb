/**
 * Wiring: the only place (with main.ts) that picks concrete stores. Opens the database,
 * builds the stores and the domain services on top, and returns what the HTTP layer and the
 * CLI need, plus `close()`.
 */
import type { Config } from './config.js';
import { type Clock, systemClock } from './domain/clock.js';
import { deriveKey } from './domain/crypto.js';
import { createLoginService } from './domain/login/login.js';
import { createPasswordHasher } from './domain/passwords/hasher.js';
import { createSessionService } from './domain/sessions/session-service.js';
import { createUserService } from './domain/users/user-service.js';
import type { HttpDependencies } from './http/dependencies-types.js';
import type { DatabaseHandle } from './storage/database.js';
import { openDatabase } from './storage/open-database.js';
import { createSqlSessionStore } from './storage/sql/session-store.js';
import { createSqlUserStore } from './storage/sql/user-store.js';

// Interim until the throttle is wired (issue #3).
const ALLOW_ALL = {
  checkAttempt: async () => ({ allowed: true as const }),
  recordFailure: async () => {},
  recordSuccess: async () => {},
};

export interface AppDependencies extends HttpDependencies {
  database: DatabaseHandle;
  close(): Promise<void>;
}

export async function createDependencies(
  config: Config,
  secretKey: string,
  options: { clock?: Clock } = {},
): Promise<AppDependencies> {
  const clock = options.clock ?? systemClock;
  const database = await openDatabase(config.databaseUrl);
  const users = createSqlUserStore(database.db, () => clock.now());
  const sessions = createSessionService(createSqlSessionStore(database.db), config.sessions, clock);
  const hasher = await createPasswordHasher(config.passwords);
  const policy = { minLength: config.passwords.minLength, maxLength: config.passwords.maxLength };
  const userService = createUserService({ users, sessions, hasher, policy, clock });
  const login = createLoginService({ users, sessions, hasher, guard: ALLOW_ALL });

  return {
    database,
    users,
    userService,
    sessions,
    login,
    hasher,
    clock,
    keys: { csrf: deriveKey(secretKey, 'csrf'), cookies: deriveKey(secretKey, 'cookies') },
    isDatabaseUp: () => database.ping(),
    close: () => database.close(),
  };
}
