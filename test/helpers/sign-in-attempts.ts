/** Sign-in attempts and their expected refusals, for the brute-force tests. */
import assert from 'node:assert/strict';
import { sessionCookieSet } from './attack-payloads.ts';
import { GOOD_PASSWORD, TestClient, type TestResponse } from './client.ts';
import type { TestServer } from './server.ts';

export const WRONG = 'wrong password, guess number';
export const TOO_MANY = /Too many attempts/;

/** One sign-in attempt through the form (the client has loaded /login once). */
export function pageAttempt(client: TestClient, username: string, password: string): Promise<TestResponse> {
  return client.postForm('/login', { username, password });
}

export function apiAttempt(client: TestClient, username: string, password: string): Promise<TestResponse> {
  return client.postJson('/api/v1/login', { username, password });
}

export function assertThrottled(response: TestResponse, label: string) {
  assert.equal(response.status, 429, `${label}: status`);
  const retryAfter = Number(response.headers.get('retry-after'));
  assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 86_400, `${label}: Retry-After ${response.headers.get('retry-after')}`);
  assert.equal(sessionCookieSet(response), undefined, `${label}: no session issued`);
}

export async function registerUser(server: TestServer, username: string, password = GOOD_PASSWORD) {
  const client = new TestClient(server.url);
  await client.get('/register');
  const response = await client.postForm('/register', { username, email: `${username}@example.test`, password });
  assert.equal(response.status, 303, `register ${username}: ${response.body.slice(0, 300)}`);
}

export async function visitor(server: TestServer): Promise<TestClient> {
  const client = new TestClient(server.url);
  await client.get('/login');
  return client;
}
