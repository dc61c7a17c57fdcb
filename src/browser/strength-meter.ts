/**
 * Password strength meter for the register and change-password pages, bundled by
 * scripts/build-assets.js into public/strength-meter.js. It runs the server's own policy
 * module (domain/passwords/policy.ts: same rules, same common-password list, same zxcvbn
 * score, same messages) so the advice while typing matches the verdict on submit; the
 * server stays the only authority and the form is never blocked here.
 *
 * Markup it expects (any missing element disables it quietly):
 *   <input id="password">  (optional) <input id="username"> <input id="email"> <input id="current_password">
 *   <meter id="password-strength" min="0" max="4" hidden aria-label="…" data-input="password" data-min-length="12"
 *          data-max-length="256" data-min-score="3" data-require-classes="0" [data-username data-email]>
 *   <p id="password-feedback" aria-live="polite">
 * The data-* attributes carry the server's configuration; data-username/data-email stand in
 * for the inputs on pages where the user is already known.
 *
 * The truth: a password the server would refuse never shows as good (its bar stays below
 * `minScore`, the text names the first problem); one equal to the current password is
 * refused too, as the server does. The verdict is in words as well as colour. The meter
 * stays hidden until typing starts, and speaks the page's language (`<html lang>`); its
 * bundle carries only the catalog entries it needs (meter-catalog.ts, meter-messages.ts).
 *
 * CSP-clean (script-src 'self', no inline style): no eval, no innerHTML, no style attribute;
 * the look comes from classes `strength-0` … `strength-4`, `is-acceptable`, `is-refused`.
 */
import { formatMessage, isLocale, type Locale } from '../messages/catalog.ts';
import { describeProblem } from '../messages/problems.ts';
import { normalizePassword } from '../domain/passwords/normalize.ts';
import {
  assessPassword,
  DEFAULT_MIN_SCORE,
  type PasswordContext,
  type PasswordPolicyConfig,
} from '../domain/passwords/policy.ts';

/** Quiet period after the last keystroke before re-assessing (one zxcvbn run ≈ 1–10 ms). */
const DEBOUNCE_MS = 150;
const SCORE_CLASSES = ['strength-0', 'strength-1', 'strength-2', 'strength-3', 'strength-4'];

function readInteger(element: HTMLElement, name: string, fallback: number): number {
  const value = Number.parseInt(element.dataset[name] ?? '', 10);
  return Number.isInteger(value) ? value : fallback;
}

function readPolicy(meter: HTMLElement): PasswordPolicyConfig {
  return {
    minLength: readInteger(meter, 'minLength', 12),
    maxLength: readInteger(meter, 'maxLength', 256),
    minScore: readInteger(meter, 'minScore', DEFAULT_MIN_SCORE),
    requireClasses: meter.dataset.requireClasses === '1',
  };
}

function inputValue(id: string): string | undefined {
  const element = document.getElementById(id);
  return element instanceof HTMLInputElement && element.value !== '' ? element.value : undefined;
}

function readContext(meter: HTMLElement): PasswordContext {
  return {
    username: inputValue('username') ?? meter.dataset.username,
    email: inputValue('email') ?? meter.dataset.email,
  };
}

function pageLocale(): Locale {
  const lang = document.documentElement.lang.toLowerCase().split('-')[0];
  return isLocale(lang) ? lang : 'en';
}

function render(meter: HTMLMeterElement, feedback: HTMLElement, password: string): void {
  const policy = readPolicy(meter);
  const locale = pageLocale();
  meter.classList.remove(...SCORE_CLASSES, 'is-acceptable', 'is-refused');
  feedback.classList.remove('is-acceptable', 'is-refused');
  if (password === '') {
    meter.value = 0;
    meter.hidden = true;
    feedback.textContent = '';
    return;
  }
  meter.hidden = false;
  const assessment = assessPassword(password, readContext(meter), policy);
  const { score } = assessment;
  // The server refuses a new password equal to the current one (password-change.ts).
  const current = inputValue('current_password');
  const problems: { code: string; params?: object }[] =
    current !== undefined && normalizePassword(current) === normalizePassword(password)
      ? [...assessment.problems, { code: 'password_unchanged' }]
      : assessment.problems;
  const acceptable = problems.length === 0;
  // A refused password never looks strong, whatever zxcvbn alone would say.
  const shown = acceptable ? score : Math.max(0, Math.min(score, (policy.minScore ?? DEFAULT_MIN_SCORE) - 1));
  const state = acceptable ? 'is-acceptable' : 'is-refused';
  meter.value = shown;
  meter.classList.add(SCORE_CLASSES[shown]!, state);
  feedback.classList.add(state);
  const first = acceptable ? '' : describeProblem(problems[0]!, locale);
  feedback.textContent = acceptable
    ? formatMessage('meter.good', { score }, locale)
    : problems.length > 1
      ? formatMessage('meter.more', { problem: first, count: problems.length - 1 }, locale)
      : first;
}

function start(): void {
  const meter = document.getElementById('password-strength');
  const inputId = meter?.dataset.input ?? 'password';
  const password = document.getElementById(inputId);
  const feedback = document.getElementById('password-feedback');
  if (!(password instanceof HTMLInputElement) || !(meter instanceof HTMLMeterElement) || !feedback) return;
  // The page ships the meter `hidden`; it appears with the first character typed.
  let timer: ReturnType<typeof setTimeout> | undefined;
  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(() => render(meter, feedback, password.value), DEBOUNCE_MS);
  };
  for (const id of [inputId, 'username', 'email', 'current_password']) document.getElementById(id)?.addEventListener('input', schedule);
  if (password.value !== '') render(meter, feedback, password.value);
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
