// Interim: allows every attempt until the throttle lands (issue #3 replaces this file).
import type { LoginGuard } from '../login/login.js';

export function createLoginGuard(): LoginGuard {
  return {
    checkAttempt: async () => ({ allowed: true }),
    recordFailure: async () => {},
    recordSuccess: async () => {},
  };
}
