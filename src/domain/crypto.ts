/**
 * Small cryptographic helpers shared by the domain: random tokens, SHA-256, HMAC key
 * derivation and constant-time comparison. Everything here is from node:crypto.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** 32 random bytes (256 bits) as base64url: 43 characters. */
export function generateToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

export function hmacBase64Url(key: Buffer, message: string): string {
  return createHmac('sha256', key).update(message, 'utf8').digest('base64url');
}

/** A key for one purpose, derived from the root secret so purposes never share a key. */
export function deriveKey(rootSecret: string, purpose: string): Buffer {
  return createHmac('sha256', rootSecret).update(`gatehouse:${purpose}`, 'utf8').digest();
}

/** Constant-time equality of two strings; a length mismatch returns false without comparing. */
export function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  if (left.length !== right.length) return false;
  return timingSafeEqual(left, right);
}
