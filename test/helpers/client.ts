/**
 * A browser-like HTTP client for tests: keeps cookies, never follows redirects (tests assert
 * them), and reads the CSRF token from the last form it saw.
 */
export interface TestResponse {
  status: number;
  headers: Headers;
  body: string;
  location: string | null;
  setCookies: string[];
  json<T = any>(): T;
}

export class TestClient {
  readonly cookies = new Map<string, string>();
  lastCsrf: string | undefined;

  readonly baseUrl: string;

  constructor(baseUrl: string) {
    this.baseUrl = baseUrl;
  }

  cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async request(method: string, path: string, options: { body?: string; headers?: Record<string, string> } = {}): Promise<TestResponse> {
    const headers: Record<string, string> = { ...options.headers };
    if (this.cookies.size > 0 && headers.cookie === undefined) headers.cookie = this.cookieHeader();
    const response = await fetch(new URL(path, this.baseUrl), { method, headers, body: options.body, redirect: 'manual' });
    const setCookies = response.headers.getSetCookie();
    for (const line of setCookies) {
      const [pair = '', ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attributes.some((a) => /^\s*(max-age=0|expires=thu, 01 jan 1970)/i.test(a));
      if (expired || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const body = await response.text();
    const csrf = /name="csrf_token" value="([^"]+)"/.exec(body);
    if (csrf) this.lastCsrf = csrf[1];
    return {
      status: response.status,
      headers: response.headers,
      body,
      location: response.headers.get('location'),
      setCookies,
      json: () => JSON.parse(body),
    };
  }

  get(path: string, headers?: Record<string, string>) {
    return this.request('GET', path, { headers });
  }

  /**
   * Opens a mailed link as a browser does: a token link answers 303 to its page without the
   * token (the token parked in a cookie, see src/http/pages/link-token.ts), which is followed.
   */
  async openLink(path: string) {
    const first = await this.request('GET', path);
    const location = first.headers.get('location');
    return first.status === 303 && location ? this.request('GET', location) : first;
  }

  /** Posts a urlencoded form; adds the last seen csrf_token unless `csrf_token` is given (null omits it). */
  postForm(path: string, fields: Record<string, string | string[] | null>, headers: Record<string, string> = {}) {
    const form = new URLSearchParams();
    const withToken = { csrf_token: this.lastCsrf ?? null, ...fields };
    for (const [key, value] of Object.entries(withToken)) {
      if (value === null) continue;
      for (const v of Array.isArray(value) ? value : [value]) form.append(key, v);
    }
    return this.request('POST', path, {
      body: form.toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    });
  }

  /** Posts JSON to the API with the X-CSRF-Token header (fetched first if not known). */
  async postJson(path: string, body: unknown, headers: Record<string, string> = {}) {
    if (!this.apiCsrf) this.apiCsrf = (await this.get('/api/v1/csrf')).json().csrfToken;
    return this.request('POST', path, {
      body: JSON.stringify(body),
      headers: { 'content-type': 'application/json', 'x-csrf-token': this.apiCsrf!, ...headers },
    });
  }

  apiCsrf: string | undefined;

  /** Registers through the form and signs in; returns the sign-in response. */
  async registerAndSignIn(username: string, password = 'correct horse battery staple', email = `${username}@example.test`) {
    await this.get('/register');
    const registered = await this.postForm('/register', { username, email, password });
    if (registered.status !== 303) throw new Error(`register ${username}: ${registered.status} ${registered.body.slice(0, 500)}`);
    return this.signIn(username, password);
  }

  /** Signs in through the form; a client already signed in (GET /login → 303) takes its token from the dashboard. */
  async signIn(username: string, password: string) {
    const page = await this.get('/login');
    if (page.status === 303) await this.get('/dashboard');
    return this.postForm('/login', { username, password });
  }
}

export const GOOD_PASSWORD = 'correct horse battery staple';
