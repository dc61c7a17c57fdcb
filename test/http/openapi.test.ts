// Property: the OpenAPI document a real server serves is one a client developer can use:
// it passes Redocly's recommended rules with no error and no warning, a client generated
// from it (openapi-typescript) names every call, every operation has its operationId and
// its own security, every failure is the one shared `Error` component whose `error` is the
// enum of the stable codes, each operation lists exactly the statuses it can return (429 and
// 503 with Retry-After), and request bodies state the real limits and their one content type.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import openapiTS, { astToString } from 'openapi-typescript';
import { ERROR_CODES } from '../../src/domain/errors.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const run = promisify(execFile);

/** Every operation: its operationId, exactly the statuses it answers, and its security. */
const OPERATIONS = {
  'get /api/v1/csrf': { id: 'getCsrfToken', statuses: ['200', '429', '500', '503'], security: [{}, { session: [] }] },
  'get /api/v1/diagnostics/request': { id: 'diagnoseRequest', statuses: ['200', '429', '500', '503'], security: [{}] },
  'post /api/v1/register': {
    id: 'registerAccount',
    statuses: ['201', '400', '403', '409', '413', '415', '429', '500', '503'],
    security: [{ session: [], csrf: [] }],
  },
  'post /api/v1/login': { id: 'signIn', statuses: ['200', '202', '400', '401', '403', '413', '415', '429', '500', '503'], security: [{ session: [], csrf: [] }] },
  'post /api/v1/logout': { id: 'signOut', statuses: ['204', '403', '429', '500', '503'], security: [{ session: [], csrf: [] }, {}] },
  'get /api/v1/me': { id: 'getCurrentUser', statuses: ['200', '401', '429', '500', '503'], security: [{ session: [] }] },
  // Sessions (session-routes.ts).
  'get /api/v1/sessions': { id: 'listSessions', statuses: ['200', '401', '429', '500', '503'], security: [{ session: [] }] },
  'delete /api/v1/sessions/{id}': { id: 'endSession', statuses: ['204', '401', '403', '404', '429', '500', '503'], security: [{ session: [], csrf: [] }] },
  // Email addresses (issue #10, address-routes.ts).
  'post /api/v1/verify-email': { id: 'verifyEmail', statuses: ['200', '400', '403', '409', '413', '415', '429', '500', '503'], security: [{ session: [], csrf: [] }] },
  'post /api/v1/verify-email/resend': { id: 'resendVerificationEmail', statuses: ['202', '400', '403', '413', '415', '429', '500', '503'], security: [{ session: [], csrf: [] }] },
  'post /api/v1/settings/email': { id: 'changeEmail', statuses: ['202', '400', '401', '403', '413', '415', '429', '500', '503'], security: [{ session: [], csrf: [] }] },
  // Password recovery (issue #10, recovery-routes.ts).
  'post /api/v1/forgot-password': { id: 'requestPasswordReset', statuses: ['202', '400', '403', '413', '415', '429', '500', '503'], security: [{ session: [], csrf: [] }] },
  'post /api/v1/reset-password': { id: 'resetPassword', statuses: ['204', '400', '403', '413', '415', '429', '500', '503'], security: [{ session: [], csrf: [] }] },
  'post /api/v1/secure-account': { id: 'secureAccount', statuses: ['204', '400', '403', '413', '415', '429', '500', '503'], security: [{ session: [], csrf: [] }] },
  'post /api/v1/settings/secure-account': { id: 'secureSignedInAccount', statuses: ['204', '400', '401', '403', '413', '415', '429', '500', '503'], security: [{ session: [], csrf: [] }] },
  // The admin console (issue #11, admin-routes.ts).
  'get /api/v1/admin/overview': { id: 'getAdminOverview', statuses: ['200', '401', '403', '429', '500', '503'], security: [{ session: [] }] },
  'get /api/v1/admin/users': { id: 'listUsers', statuses: ['200', '400', '401', '403', '429', '500', '503'], security: [{ session: [] }] },
  'get /api/v1/admin/users/{id}': { id: 'getUser', statuses: ['200', '400', '401', '403', '404', '429', '500', '503'], security: [{ session: [] }] },
  'get /api/v1/admin/audit': { id: 'searchAuditLog', statuses: ['200', '400', '401', '403', '429', '500', '503'], security: [{ session: [] }] },
  'post /api/v1/admin/users/{id}/role': { id: 'setUserRole', statuses: ['200', '400', '401', '403', '404', '409', '413', '415', '429', '500', '503'], security: [{ session: [], csrf: [] }] },
  'post /api/v1/admin/users/{id}/disable': { id: 'disableUser', statuses: ['200', '400', '401', '403', '404', '409', '413', '415', '429', '500', '503'], security: [{ session: [], csrf: [] }] },
  'post /api/v1/admin/users/{id}/enable': { id: 'enableUser', statuses: ['200', '400', '401', '403', '404', '413', '415', '429', '500', '503'], security: [{ session: [], csrf: [] }] },
  'post /api/v1/admin/users/{id}/revoke-sessions': { id: 'revokeUserSessions', statuses: ['200', '400', '401', '403', '404', '413', '415', '429', '500', '503'], security: [{ session: [], csrf: [] }] },
  'post /api/v1/admin/users/{id}/send-reset': { id: 'sendUserPasswordReset', statuses: ['204', '400', '401', '403', '404', '413', '415', '429', '500', '503'], security: [{ session: [], csrf: [] }] },
  'post /api/v1/admin/users/{id}/resend-verification': { id: 'resendUserVerification', statuses: ['204', '400', '401', '403', '404', '409', '413', '415', '429', '500', '503'], security: [{ session: [], csrf: [] }] },
  'post /api/v1/admin/users/{id}/unblock': { id: 'unblockUser', statuses: ['204', '400', '401', '403', '404', '413', '415', '429', '500', '503'], security: [{ session: [], csrf: [] }] },
  'delete /api/v1/admin/users/{id}': { id: 'deleteUser', statuses: ['204', '400', '401', '403', '404', '409', '413', '415', '429', '500', '503'], security: [{ session: [], csrf: [] }] },
  'get /api/v1/admin/oidc-clients': { id: 'listOidcClients', statuses: ['200', '401', '403', '429', '500', '503'], security: [{ session: [] }] },
  'post /api/v1/admin/oidc-clients': { id: 'addOidcClient', statuses: ['201', '400', '401', '403', '413', '415', '429', '500', '503'], security: [{ session: [], csrf: [] }] },
  'delete /api/v1/admin/oidc-clients/{id}': { id: 'removeOidcClient', statuses: ['204', '400', '401', '403', '404', '429', '500', '503'], security: [{ session: [], csrf: [] }] },
  'post /api/v1/admin/users/{id}/reset-two-factor': { id: 'resetUserTwoFactor', statuses: ['204', '400', '401', '403', '404', '413', '415', '429', '500', '503'], security: [{ session: [], csrf: [] }] },
  'post /api/v1/login/two-factor': { id: 'completeSecondFactor', statuses: ['200', '400', '401', '403', '413', '415', '429', '500', '503'], security: [{ session: [], csrf: [] }] },
  'get /api/v1/settings/two-factor': { id: 'getTwoFactorStatus', statuses: ['200', '401', '403', '429', '500', '503'], security: [{ session: [] }] },
  'post /api/v1/settings/two-factor/enrol': { id: 'startTwoFactorEnrolment', statuses: ['200', '401', '403', '409', '429', '500', '503'], security: [{ session: [], csrf: [] }] },
  'post /api/v1/settings/two-factor/confirm': { id: 'confirmTwoFactorEnrolment', statuses: ['200', '400', '401', '403', '413', '415', '429', '500', '503'], security: [{ session: [], csrf: [] }] },
  'post /api/v1/settings/two-factor/disable': { id: 'disableTwoFactor', statuses: ['204', '400', '401', '403', '413', '415', '429', '500', '503'], security: [{ session: [], csrf: [] }] },
  'post /api/v1/settings/two-factor/recovery-codes': { id: 'regenerateRecoveryCodes', statuses: ['200', '401', '403', '409', '429', '500', '503'], security: [{ session: [], csrf: [] }] },
  // Passkeys (issue #12, passkey-routes.ts).
  'get /api/v1/passkeys': { id: 'listPasskeys', statuses: ['200', '401', '429', '500', '503'], security: [{ session: [] }] },
  'post /api/v1/passkeys/registration/options': { id: 'startPasskeyRegistration', statuses: ['200', '400', '401', '403', '409', '413', '415', '429', '500', '503'], security: [{ session: [], csrf: [] }] },
  'post /api/v1/passkeys/registration/verify': { id: 'finishPasskeyRegistration', statuses: ['201', '400', '401', '403', '409', '413', '415', '429', '500', '503'], security: [{ session: [], csrf: [] }] },
  'post /api/v1/passkeys/rename': { id: 'renamePasskey', statuses: ['204', '400', '401', '403', '404', '413', '415', '429', '500', '503'], security: [{ session: [], csrf: [] }] },
  'post /api/v1/passkeys/remove': { id: 'removePasskey', statuses: ['204', '400', '401', '403', '404', '413', '415', '429', '500', '503'], security: [{ session: [], csrf: [] }] },
  'post /api/v1/login/passkey/options': { id: 'startPasskeySignIn', statuses: ['200', '400', '403', '413', '415', '429', '500', '503'], security: [{ session: [], csrf: [] }] },
  'post /api/v1/login/passkey/verify': { id: 'signInWithPasskey', statuses: ['200', '400', '401', '403', '413', '415', '429', '500', '503'], security: [{ session: [], csrf: [] }] },
  'post /api/v1/login/two-factor/passkey/options': { id: 'startPasskeySecondFactor', statuses: ['200', '400', '401', '403', '413', '415', '429', '500', '503'], security: [{ session: [], csrf: [] }] },
  'post /api/v1/login/two-factor/passkey/verify': { id: 'finishPasskeySecondFactor', statuses: ['200', '400', '401', '403', '413', '415', '429', '500', '503'], security: [{ session: [], csrf: [] }] },
  'post /api/v1/sudo': { id: 'confirmPassword', statuses: ['204', '400', '401', '403', '413', '415', '429', '500', '503'], security: [{ session: [], csrf: [] }] },
} as const;

let server: TestServer;
let doc: any;
let workDir: string;
before(async () => {
  server = await startTestServer({ PASSWORD_MIN_LENGTH: '14' });
  const res = await fetch(`${server.url}/api/v1/openapi.json`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
  doc = await res.json();
  workDir = mkdtempSync(path.join(tmpdir(), 'gatehouse-openapi-'));
});
after(async () => {
  await server.stop();
  rmSync(workDir, { recursive: true, force: true });
});

function operations(): [string, any][] {
  return Object.entries(doc.paths).flatMap(([p, item]: [string, any]) => Object.entries(item).map(([method, op]) => [`${method} ${p}`, op] as [string, any]));
}

describe('the OpenAPI document', () => {
  test('passes `redocly lint --extends recommended` with zero errors and zero warnings', async () => {
    const file = path.join(workDir, 'openapi.json');
    writeFileSync(file, JSON.stringify(doc));
    const bin = path.resolve('node_modules/.bin/redocly');
    const { stdout } = await run(bin, ['lint', '--extends', 'recommended', '--format=json', file], { cwd: workDir }).catch((error) => error);
    const report = JSON.parse(stdout);
    const problems = report.problems.map((p: any) => `${p.severity} ${p.ruleId}: ${p.message} at ${p.location?.[0]?.pointer}`);
    assert.deepEqual(problems, []);
    assert.equal(report.totals.errors, 0);
    assert.equal(report.totals.warnings, 0);
  });

  test('a client generated by openapi-typescript names every operation', async () => {
    const source = astToString(await openapiTS(structuredClone(doc)));
    const operationsBlock = source.slice(source.indexOf('export interface operations'));
    assert.ok(operationsBlock.length > 0, 'no operations interface');
    for (const { id } of Object.values(OPERATIONS)) assert.match(operationsBlock, new RegExp(`\\n    ${id}: \\{`), `operations.${id} missing`);
    for (const op of Object.keys(OPERATIONS)) {
      const [method, route] = op.split(' ');
      assert.match(source, new RegExp(`"${route}": \\{[\\s\\S]*?${method}: operations\\["${OPERATIONS[op as keyof typeof OPERATIONS].id}"\\]`), op);
    }
    assert.match(source, /Error: \{/, 'the Error component is a named type');
  });

  test('every operation has its camelCase operationId, its own security, and exactly the statuses it can return', () => {
    const found = operations();
    assert.deepEqual(found.map(([key]) => key).sort(), Object.keys(OPERATIONS).sort());
    for (const [key, op] of found) {
      const expected = OPERATIONS[key as keyof typeof OPERATIONS];
      assert.equal(op.operationId, expected.id, key);
      assert.match(op.operationId, /^[a-z][a-zA-Z]+$/, key);
      assert.deepEqual(op.security, expected.security, key);
      assert.deepEqual(Object.keys(op.responses).sort(), [...expected.statuses].sort(), key);
      assert.equal(typeof op.summary, 'string', key);
      for (const [status, response] of Object.entries(op.responses) as [string, any][]) {
        assert.ok(response.description.length > 15 && response.description !== 'Default Response', `${key} ${status}: "${response.description}"`);
      }
    }
    assert.deepEqual(doc.components.securitySchemes.session, { type: 'apiKey', in: 'cookie', name: 'gatehouse_session', description: doc.components.securitySchemes.session.description });
    assert.equal(doc.components.securitySchemes.csrf.in, 'header');
    assert.equal(doc.components.securitySchemes.csrf.name, 'X-CSRF-Token');
  });

  test('every failure is the one Error component, its `error` the enum of the stable codes; 429 and 503 say Retry-After', () => {
    const error = doc.components.schemas.Error;
    assert.deepEqual(error.properties.error.enum, [...ERROR_CODES]);
    assert.deepEqual([...error.required].sort(), ['error', 'message']);
    assert.deepEqual(Object.keys(error.properties).sort(), ['error', 'field', 'message', 'problems']);
    assert.deepEqual(Object.keys(error.properties.problems.items.properties).sort(), ['code', 'field', 'message']);
    for (const [key, op] of operations()) {
      for (const [status, response] of Object.entries(op.responses) as [string, any][]) {
        if (Number(status) < 400) continue;
        assert.deepEqual(response.content, { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } }, `${key} ${status}`);
        if (status === '429' || status === '503') assert.equal(response.headers?.['Retry-After']?.schema?.type, 'integer', `${key} ${status} Retry-After`);
      }
    }
  });

  test('request bodies are application/json only and state the real limits; dates are date-time', () => {
    const body = (key: string) => {
      const [method, route] = key.split(' ');
      const content = doc.paths[route!][method!].requestBody.content;
      assert.deepEqual(Object.keys(content), ['application/json'], key);
      return content['application/json'].schema;
    };
    const register = body('post /api/v1/register');
    assert.equal(register.additionalProperties, false);
    assert.equal(register.properties.username.minLength, 3);
    assert.equal(register.properties.username.maxLength, 50);
    assert.equal(register.properties.email.format, 'email');
    assert.equal(register.properties.email.maxLength, 254);
    assert.equal(register.properties.password.maxLength, 256);
    assert.equal(register.properties.password.minLength, 14, 'PASSWORD_MIN_LENGTH of this server');
    const login = body('post /api/v1/login');
    assert.equal(login.properties.password.maxLength, 256);
    assert.equal(login.properties.password.minLength, undefined, 'sign-in takes any stored password');
    const user = doc.components.schemas.User;
    assert.equal(user.properties.createdAt.format, 'date-time');
    assert.equal(user.properties.email.format, 'email');
    assert.match(doc.info.description, /x-www-form-urlencoded/);
  });

  test('info names a contact and the MIT licence; the server is this one', () => {
    assert.equal(doc.info.license.identifier, 'MIT');
    assert.equal(doc.info.contact.url, `${server.url}/`);
    assert.deepEqual(doc.servers.map((s: any) => s.url), [server.url]);
  });
});
