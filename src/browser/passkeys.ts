/**
 * The passkey ceremonies in the browser (issue #12), bundled by scripts/build-assets.js into
 * public/passkeys.js (same-origin, CSP `script-src 'self'`; no inline handlers, no style
 * attribute, text only through textContent). @simplewebauthn/browser turns the server's JSON
 * options into `navigator.credentials` calls and the credential back into JSON.
 *
 * What it drives (markup from src/http/pages/views/passkey-views.ts):
 *  - `form[data-passkey-register]` on /settings/passkeys: "Add a passkey";
 *  - `[data-passkey-sign-in]` on /login: "Sign in with a passkey" (usernameless), and, where
 *    the browser offers it, the same sign-in from the username field's autofill (WebAuthn
 *    conditional mediation: the field has `autocomplete="username webauthn"`);
 *  - `[data-passkey-second-factor]` on /login/two-factor: "Use a passkey" as the second step.
 * Each control ships `hidden` (or inside `[data-passkey-controls] hidden`) and is revealed only
 * when the browser has WebAuthn; `[data-passkey-fallback]` sentences, which say what to do
 * without it, are hidden then. Each call to the server is a same-origin JSON POST with the
 * page's CSRF token in `X-CSRF-Token`; a server answer that redirects (sudo mode, a signed-out
 * session) is followed by navigating there. Progress goes to the control's polite live line,
 * failures to its assertive one, in the page's language (`data-msg-*`).
 */
import { browserSupportsWebAuthn, browserSupportsWebAuthnAutofill, startAuthentication, startRegistration } from '@simplewebauthn/browser';

type MessageName = 'working' | 'cancelled' | 'failed' | 'exists';

/** Used only when a page embeds a control without its `data-msg-*` sentences. */
const FALLBACK_MESSAGES: Record<MessageName, string> = {
  working: 'Follow the instructions of your browser or device.',
  cancelled: 'Nothing happened: the request was cancelled or timed out. Try again when you are ready.',
  failed: 'That did not work. Try again.',
  exists: 'This device already holds a passkey for your account.',
};

const DEFAULT_URLS = {
  'sign-in': { options: '/login/passkey/options', verify: '/login/passkey/verify' },
  'second-factor': { options: '/login/two-factor/passkey/options', verify: '/login/two-factor/passkey/verify' },
  register: { options: '/settings/passkeys/options', verify: '/settings/passkeys/verify' },
} as const;

type Kind = keyof typeof DEFAULT_URLS;

interface Control {
  kind: Kind;
  root: HTMLElement;
  start: HTMLElement;
  status: HTMLElement;
  error: HTMLElement;
  urls: { options: string; verify: string };
  busy: boolean;
}

type Answer = { kind: 'ok'; data: any } | { kind: 'refused'; message: string | undefined } | { kind: 'navigated' };

function message(control: Control, name: MessageName): string {
  return control.root.dataset[`msg${name[0]!.toUpperCase()}${name.slice(1)}`] ?? FALLBACK_MESSAGES[name];
}

function csrfToken(control: Control): string {
  const input = control.root.closest('form')?.querySelector<HTMLInputElement>('input[name="csrf_token"]') ?? document.querySelector<HTMLInputElement>('input[name="csrf_token"]');
  return input?.value ?? '';
}

function say(control: Control, text: string): void {
  control.error.textContent = '';
  control.status.textContent = text;
}

function fail(control: Control, text: string): void {
  control.status.textContent = '';
  control.error.textContent = text;
}

async function postJson(control: Control, url: string, body: unknown): Promise<Answer> {
  const response = await fetch(url, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json', accept: 'application/json', 'x-csrf-token': csrfToken(control) },
    body: JSON.stringify(body),
  });
  if (response.redirected) {
    // Sudo mode, or a session that ended: the server sent the browser to a page.
    location.assign(response.url);
    return { kind: 'navigated' };
  }
  const data: any = await response.json().catch(() => undefined);
  if (!response.ok) return { kind: 'refused', message: typeof data?.message === 'string' ? data.message : undefined };
  return { kind: 'ok', data };
}

/** A sentence for what the browser or authenticator refused. */
function describeFailure(control: Control, error: unknown): string {
  const { name, code } = (error ?? {}) as { name?: string; code?: string };
  if (code === 'ERROR_AUTHENTICATOR_PREVIOUSLY_REGISTERED' || name === 'InvalidStateError') return message(control, 'exists');
  if (code === 'ERROR_CEREMONY_ABORTED' || name === 'NotAllowedError' || name === 'AbortError') return message(control, 'cancelled');
  return message(control, 'failed');
}

/** One ceremony: options from the server, the browser's prompt, the answer back; then where the server says. */
async function runCeremony(control: Control, extra: () => Record<string, unknown>, autofill = false): Promise<void> {
  if (control.busy && !autofill) return;
  if (!autofill) {
    control.busy = true;
    control.start.setAttribute('aria-disabled', 'true');
    say(control, message(control, 'working'));
  }
  try {
    const options = await postJson(control, control.urls.options, {});
    if (options.kind === 'navigated') return;
    if (options.kind === 'refused') {
      if (!autofill) fail(control, options.message ?? message(control, 'failed'));
      return;
    }
    const response =
      control.kind === 'register' ? await startRegistration({ optionsJSON: options.data }) : await startAuthentication({ optionsJSON: options.data, useBrowserAutofill: autofill });
    if (autofill) say(control, message(control, 'working'));
    const verified = await postJson(control, control.urls.verify, { ...extra(), response });
    if (verified.kind === 'navigated') return;
    if (verified.kind === 'refused') return fail(control, verified.message ?? message(control, 'failed'));
    location.assign(typeof verified.data?.redirect === 'string' ? verified.data.redirect : '/dashboard');
  } catch (error) {
    // An autofill request is cancelled whenever the button starts its own: nothing to say.
    if (!autofill) fail(control, describeFailure(control, error));
  } finally {
    if (!autofill) {
      control.busy = false;
      control.start.removeAttribute('aria-disabled');
    }
  }
}

/** The control's live regions, made when the page did not ship them (an embedded bare button). */
function region(root: HTMLElement, selector: string, live: 'polite' | 'assertive', className: string): HTMLElement {
  const found = root.querySelector<HTMLElement>(selector);
  if (found) return found;
  const made = document.createElement('p');
  made.setAttribute('aria-live', live);
  made.className = className;
  made.setAttribute(selector.slice(1, -1), '');
  // A bare button (inside a paragraph, say): the line goes after the block that holds it.
  if (root instanceof HTMLButtonElement) (root.closest('p') ?? root).after(made);
  else root.append(made);
  return made;
}

function reveal(root: HTMLElement): void {
  root.hidden = false;
  const wrapper = root.closest<HTMLElement>('[data-passkey-controls]');
  if (wrapper) wrapper.hidden = false;
}

function controlOf(root: HTMLElement, kind: Kind): Control {
  const start = root instanceof HTMLButtonElement ? root : (root.querySelector<HTMLElement>('[data-passkey-start], button[type="submit"]') ?? root);
  return {
    kind,
    root,
    start,
    status: region(root, '[data-passkey-status]', 'polite', 'hint'),
    error: region(root, '[data-passkey-error]', 'assertive', 'field-error'),
    urls: { options: root.dataset.optionsUrl ?? DEFAULT_URLS[kind].options, verify: root.dataset.verifyUrl ?? DEFAULT_URLS[kind].verify },
    busy: false,
  };
}

function startRegistering(form: HTMLFormElement): void {
  const control = controlOf(form, 'register');
  const name = form.querySelector<HTMLInputElement>('input[name="name"]');
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void runCeremony(control, () => ({ name: name?.value ?? '' }));
  });
}

function startSigningIn(root: HTMLElement, kind: 'sign-in' | 'second-factor'): void {
  const control = controlOf(root, kind);
  const extra = () => (kind === 'sign-in' ? { next: root.dataset.next ?? '' } : {});
  control.start.addEventListener('click', (event) => {
    event.preventDefault();
    void runCeremony(control, extra);
  });
  // Conditional mediation: the username field's autofill lists this site's passkeys too.
  if (kind === 'sign-in' && document.querySelector('input[autocomplete$="webauthn"]')) {
    void browserSupportsWebAuthnAutofill().then((supported) => (supported ? runCeremony(control, extra, true) : undefined));
  }
}

function start(): void {
  if (!browserSupportsWebAuthn()) return;
  for (const fallback of document.querySelectorAll<HTMLElement>('[data-passkey-fallback]')) fallback.hidden = true;
  for (const form of document.querySelectorAll<HTMLFormElement>('form[data-passkey-register]')) {
    reveal(form);
    startRegistering(form);
  }
  for (const root of document.querySelectorAll<HTMLElement>('[data-passkey-sign-in]')) {
    reveal(root);
    startSigningIn(root, 'sign-in');
  }
  for (const root of document.querySelectorAll<HTMLElement>('[data-passkey-second-factor]')) {
    reveal(root);
    startSigningIn(root, 'second-factor');
  }
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
