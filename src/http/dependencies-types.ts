/**
 * What the HTTP layer receives from `dependencies.ts`: domain services and a few handles.
 * Each route plugin takes only the slice it uses (`Pick<HttpDependencies, …>`), so what a
 * route can touch is visible where it is registered.
 */
import type { Clock } from '../domain/clock.ts';
import type { LoginService } from '../domain/login/login.ts';
import type { ReauthenticationService } from '../domain/login/reauthentication.ts';
import type { SecondStepService } from '../domain/login/second-step.ts';
import type { TwoFactorService } from '../domain/two-factor/two-factor.ts';
import type { PasswordHasher } from '../domain/passwords/hasher.ts';
import type { PasswordChangeService } from '../domain/passwords/password-change.ts';
import type { PasswordRecoveryService } from '../domain/recovery/password-reset.ts';
import type { SecureAccountService } from '../domain/recovery/secure-account.ts';
import type { AuditLog, AuditReader, MailComposer, Transactor, UserDirectory, UserStore } from '../domain/ports.ts';
import type { AdminOverviewService } from '../domain/admin/overview.ts';
import type { SessionService } from '../domain/sessions/session-service.ts';
import type { Throttle } from '../domain/throttle/throttle.ts';
import type { RegistrationService } from '../domain/users/registration.ts';
import type { UserService } from '../domain/users/user-service.ts';
import type { AccountDeletionService } from '../domain/users/account-deletion.ts';
import type { EmailVerificationService } from '../domain/users/email-verification.ts';
import type { EmailChangeService } from '../domain/users/email-change.ts';
import type { PasskeyService } from '../domain/passkeys/passkey-service.ts';
import type { OidcClientService } from '../domain/oidc/clients.ts';
import type { OidcSigningKeys } from '../domain/oidc/signing-keys.ts';
import type { OidcSubjects } from '../domain/oidc/subjects.ts';
import type { OidcSessionLinks } from '../domain/oidc/interaction-links.ts';
import type { OidcClientStore, OidcPayloadStore } from '../domain/ports.ts';
import type { AdapterConstructor } from 'oidc-provider';

export interface HttpDependencies {
  users: UserStore;
  userService: UserService;
  registration: RegistrationService;
  sessions: SessionService;
  login: LoginService;
  passwordChange: PasswordChangeService;
  /** Forgot/reset password (issue #10). */
  passwordRecovery: PasswordRecoveryService;
  /** "This wasn't me" and "secure my account" (issue #10). */
  secureAccount: SecureAccountService;
  /** TOTP enrolment, recovery codes, the admin reset (issue #12). */
  twoFactor: TwoFactorService;
  /** The second sign-in step after a correct password (issue #12). */
  secondStep: SecondStepService;
  /** Sudo mode: confirming the password before sensitive actions (issue #11). */
  reauthentication: ReauthenticationService;
  /** Deleting one's own account (issue #10). */
  accountDeletion: AccountDeletionService;
  /** Verification links: confirm, and send a new one (issue #10). */
  emailVerification: EmailVerificationService;
  /** Change of address, effective when the new address's link is followed. */
  emailChange: EmailChangeService;
  hasher: PasswordHasher;
  /** Per-action limiters (login, registration, reset, second factor). */
  throttle: Throttle;
  /** The global per-IP request rate: shared through Redis, else in this process's memory. */
  requestThrottle: Throttle;
  clock: Clock;
  /** Units of work: a change and its tokens, mail (and audit rows) commit together. */
  transactor: Transactor;
  /** Renders a MailRequest (kind, recipient, facts) into a message for `tx.mail.enqueue`. */
  mailComposer: MailComposer;
  keys: { csrf: Buffer; cookies: Buffer; forwardAuthJwt: Buffer };
  /** The security event log: `record` in its own transaction (use `tx.audit` inside a unit of work). */
  audit: AuditLog;
  /** The admin console's reads (issue #11): the audit log, the user directory, the home page's figures. */
  auditReader: AuditReader;
  userDirectory: UserDirectory;
  adminOverview: AdminOverviewService;
  /** Passkeys: registration, sign-in, second factor, and the user's list (issue #12). */
  passkeys: PasskeyService;
  /**
   * The OpenID Connect provider's parts (issue #13): registered clients (service and store),
   * signing keys, oidc-provider's payloads (Redis when REDIS_URL is set, else SQL), users'
   * subjects, and the adapter class for oidc-provider's `adapter` option over those stores.
   */
  oidc: {
    clients: OidcClientService;
    clientStore: OidcClientStore;
    signingKeys: OidcSigningKeys;
    payloads: OidcPayloadStore;
    subjects: OidcSubjects;
    adapter: AdapterConstructor;
    /** Which grants and provider sessions each Gatehouse session made (signing it out ends them). */
    links: OidcSessionLinks;
  };
  /** True when the database answers; never throws. */
  isDatabaseUp(): Promise<boolean>;
}
