/**
 * Password strength meter for the register and change-password pages, bundled by
 * scripts/build-assets.js into public/strength-meter.js. It runs the server's own policy
 * module (domain/passwords/policy.ts: same rules, same common-password list, same zxcvbn
 * score, same messages) so the advice while typing matches the verdict on submit; the
 * server stays the only authority and the form is never blocked here.
 *
 * Markup it expects (any missing element disables it quietly):
 *   <input id="password">  (optional) <input id="username"> <input id="email">
 *   <meter id="password-strength" min="0" max="4" hidden data-min-length="12"
 *          data-max-length="256" data-min-score="3" data-require-classes="0" [data-username data-email]>
 *   <p id="password-feedback" aria-live="polite">
 * The data-* attributes carry the server's configuration; data-username/data-email stand in
 * for the inputs on pages where the user is already known.
 *
 * CSP-clean (script-src 'self', no inline style): no eval, no innerHTML, no style attribute;
 * the look comes from classes `strength-0` … `strength-4`, `is-acceptable`, `is-refused`.
 */
import { formatMessage } from '../messages/catalog.ts';
import { describeProblem } from '../messages/problems.ts';
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

function render(meter: HTMLMeterElement, feedback: HTMLElement, password: string): void {
  const policy = readPolicy(meter);
  meter.classList.remove(...SCORE_CLASSES, 'is-acceptable', 'is-refused');
  feedback.classList.remove('is-acceptable', 'is-refused');
  if (password === '') {
    meter.value = 0;
    feedback.textContent = '';
    return;
  }
  const { problems, score } = assessPassword(password, readContext(meter), policy);
  const acceptable = problems.length === 0;
  // A refused password never looks strong, whatever zxcvbn alone would say.
  const shown = acceptable ? score : Math.max(0, Math.min(score, (policy.minScore ?? DEFAULT_MIN_SCORE) - 1));
  const state = acceptable ? 'is-acceptable' : 'is-refused';
  meter.value = shown;
  meter.classList.add(SCORE_CLASSES[shown]!, state);
  feedback.classList.add(state);
  const first = acceptable ? '' : describeProblem(problems[0]!);
  feedback.textContent = acceptable
    ? formatMessage('meter.good', { score })
    : problems.length > 1
      ? formatMessage('meter.more', { problem: first, count: problems.length - 1 })
      : first;
}

function start(): void {
  const password = document.getElementById('password');
  const meter = document.getElementById('password-strength');
  const feedback = document.getElementById('password-feedback');
  if (!(password instanceof HTMLInputElement) || !(meter instanceof HTMLMeterElement) || !feedback) return;
  // The page ships the meter `hidden`: without this script it would only ever show 0.
  meter.hidden = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(() => render(meter, feedback, password.value), DEBOUNCE_MS);
  };
  for (const id of ['password', 'username', 'email']) document.getElementById(id)?.addEventListener('input', schedule);
  if (password.value !== '') render(meter, feedback, password.value);
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
