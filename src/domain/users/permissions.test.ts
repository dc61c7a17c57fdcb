// Property: permissions come from one role table; a plain user holds none of the named ones, an admin all, a disabled account none (v5.0.0-8.2.1).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canViewProfile, isAdmin } from './access.ts';
import { hasPermission, isPermission, PERMISSIONS, PERMISSIONS_BY_ROLE } from './permissions.ts';
import { ROLES, type Role, type User } from './user.ts';

function user(role: Role, overrides: Partial<User> = {}): User {
  return {
    id: 7,
    username: `a-${role}`,
    email: `${role}@example.test`,
    role,
    disabled: false,
    mustChangePassword: false,
    credentialVersion: 1,
    createdAt: new Date(0),
    ...overrides,
  } as User;
}

test('the named permissions are exactly the ones the routes and admin pages rely on', () => {
  assert.deepEqual([...PERMISSIONS].sort(), ['audit:read', 'oidc:clients', 'profiles:read-any', 'sessions:revoke', 'users:read', 'users:write']);
});

test('every role has a row in the table, and only named permissions appear in it', () => {
  for (const role of ROLES) {
    const granted = PERMISSIONS_BY_ROLE[role];
    assert.ok(Array.isArray(granted), role);
    for (const permission of granted) assert.ok(isPermission(permission), `${role}: ${permission}`);
  }
});

test('a plain user holds none of the named permissions', () => {
  for (const permission of PERMISSIONS) assert.equal(hasPermission(user('user'), permission), false, permission);
});

test('an admin holds every named permission', () => {
  for (const permission of PERMISSIONS) assert.equal(hasPermission(user('admin'), permission), true, permission);
});

test('a disabled admin holds no permission', () => {
  for (const permission of PERMISSIONS) assert.equal(hasPermission(user('admin', { disabled: true }), permission), false, permission);
});

test('an unknown role (a row that is not in the table) holds nothing', () => {
  assert.equal(hasPermission(user('superuser' as Role), 'users:read'), false);
});

test('isPermission accepts the catalog only', () => {
  assert.equal(isPermission('users:read'), true);
  for (const value of ['users:READ', 'users', 'admin', '', undefined, 1, { permission: 'users:read' }]) {
    assert.equal(isPermission(value), false, String(value));
  }
});

test('canViewProfile: own profile yes; another one only with profiles:read-any (admin)', () => {
  assert.equal(canViewProfile(user('user', { id: 7 }), 7), true);
  assert.equal(canViewProfile(user('user', { id: 7 }), 8), false);
  assert.equal(canViewProfile(user('admin', { id: 7 }), 8), true);
});

test('isAdmin follows the table: an admin yes, a plain user no', () => {
  assert.equal(isAdmin(user('admin')), true);
  assert.equal(isAdmin(user('user')), false);
});
