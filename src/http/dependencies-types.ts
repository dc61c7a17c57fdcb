/** What the HTTP layer receives from `dependencies.ts`: domain services and a few handles. */
import type { Clock } from '../domain/clock.js';
import type { LoginService } from '../domain/login/login.js';
import type { PasswordHasher } from '../domain/passwords/hasher.js';
import type { UserStore } from '../domain/ports.js';
import type { SessionService } from '../domain/sessions/session-service.js';
import type { UserService } from '../domain/users/user-service.js';

export interface HttpDependencies {
  users: UserStore;
  userService: UserService;
  sessions: SessionService;
  login: LoginService;
  hasher: PasswordHasher;
  clock: Clock;
  keys: { csrf: Buffer; cookies: Buffer };
  /** True when the database answers; never throws. */
  isDatabaseUp(): Promise<boolean>;
}
