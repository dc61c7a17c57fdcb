/**
 * The audit's HTTP client: fetch against the base URL with `redirect: 'manual'` (redirects are
 * what probes assert), a small cookie jar, the form's `csrf_token` and the API's CSRF token
 * kept from the last page, the time each answer took, and raw bytes over `node:net`/`node:tls`
 * for what fetch cannot send. Every cookie value and token it sees is handed to `secret`, so
 * the command can redact it from anything it prints.
 */
import { connect as connectTcp } from 'node:net';
import { connect as connectTls } from 'node:tls';

export interface AuditResponse {
  status: number;
  headers: Headers;
  body: string;
  location: string | null;
  setCookies: string[];
  ms: number;
}

export interface RequestOptions {
  form?: Record<string, string | null>;
  json?: unknown;
  body?: string;
  headers?: Record<string, string>;
  /** Adds the form's csrf_token (forms) or X-CSRF-Token (JSON); default true. */
  csrf?: boolean;
}

const TIMEOUT_MS = 15_000;

export class AuditClient {
  readonly cookies = new Map<string, string>();
  csrf: string | undefined;
  apiCsrf: string | undefined;
  private readonly base: URL;
  private readonly secret: (value: string) => void;

  constructor(base: URL, secret: (value: string) => void) {
    this.base = base;
    this.secret = secret;
  }

  cookieHeader(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  async request(method: string, path: string, options: RequestOptions = {}): Promise<AuditResponse> {
    const headers: Record<string, string> = {};
    let body = options.body;
    if (options.form) {
      const form = new URLSearchParams();
      const fields = options.csrf === false ? options.form : { csrf_token: this.csrf ?? null, ...options.form };
      for (const [key, value] of Object.entries(fields)) if (value !== null) form.append(key, value);
      body = form.toString();
      headers['content-type'] = 'application/x-www-form-urlencoded';
    } else if (options.json !== undefined) {
      if (options.csrf !== false) {
        if (this.apiCsrf === undefined) await this.get('/api/v1/csrf');
        if (this.apiCsrf !== undefined) headers['x-csrf-token'] = this.apiCsrf;
      }
      body = JSON.stringify(options.json);
      headers['content-type'] = 'application/json';
    }
    if (this.cookies.size > 0) headers.cookie = this.cookieHeader();
    Object.assign(headers, options.headers);
    const started = performance.now();
    const response = await fetch(new URL(path, this.base), { method, headers, body, redirect: 'manual', signal: AbortSignal.timeout(TIMEOUT_MS) });
    const text = await response.text();
    const ms = performance.now() - started;
    const setCookies = response.headers.getSetCookie();
    for (const line of setCookies) {
      const [pair = '', ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (value.length >= 8) this.secret(value);
      const expired = attributes.some((a) => /^\s*(max-age=0|expires=thu, 01 jan 1970)/i.test(a));
      if (expired || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const token = /name="csrf_token"\s+value="([^"]+)"/.exec(text)?.[1];
    if (token) {
      this.secret(token);
      this.csrf = token;
    }
    if (path.startsWith('/api/v1/csrf') && response.ok) {
      try {
        const apiToken = (JSON.parse(text) as { csrfToken?: unknown }).csrfToken;
        if (typeof apiToken === 'string') {
          this.secret(apiToken);
          this.apiCsrf = apiToken;
        }
      } catch {
        // not JSON: no API token
      }
    }
    return { status: response.status, headers: response.headers, body: text, location: response.headers.get('location'), setCookies, ms };
  }

  get(path: string, headers?: Record<string, string>): Promise<AuditResponse> {
    return this.request('GET', path, { headers });
  }

  post(path: string, form: Record<string, string | null>, options: Omit<RequestOptions, 'form'> = {}): Promise<AuditResponse> {
    return this.request('POST', path, { ...options, form });
  }

  /** Signed in, as far as a signed-in-only page says. */
  async signedIn(): Promise<boolean> {
    const dashboard = await this.get('/dashboard');
    return dashboard.status === 200;
  }
}

/** A client holding a signed-in session. */
export type AuditSession = AuditClient;

/**
 * Bytes fetch will not send (a lying Content-Length, a broken chunk): written to a socket,
 * the status line of the answer read back; `null` when the server closed without answering.
 */
export function rawRequest(base: URL, bytes: string, timeoutMs = 5000): Promise<{ status: number | null; head: string }> {
  return new Promise((resolve) => {
    const port = Number(base.port || (base.protocol === 'https:' ? 443 : 80));
    const socket = base.protocol === 'https:' ? connectTls({ host: base.hostname, port, servername: base.hostname }) : connectTcp({ host: base.hostname, port });
    let received = '';
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      socket.destroy();
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(received)?.[1];
      resolve({ status: status ? Number(status) : null, head: received.slice(0, 2000) });
    };
    socket.setTimeout(timeoutMs, finish);
    socket.on('error', finish);
    socket.on('close', finish);
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
      if (/\r\n\r\n/.test(received)) setTimeout(finish, 50);
    });
    socket.on(base.protocol === 'https:' ? 'secureConnect' : 'connect', () => socket.write(bytes.replaceAll('{host}', base.host)));
  });
}
