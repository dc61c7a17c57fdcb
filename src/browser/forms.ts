/**
 * Form helpers for every page, bundled by scripts/build-assets.js into public/forms.js
 * (same-origin, CSP `script-src 'self'`; no inline handlers, no style attribute):
 *  - the error summary (`[data-error-summary]`) takes focus on load, so a screen reader
 *    announces it and the keyboard starts there; its links (`#field-id`) move focus to
 *    the field itself, not just scroll to it;
 *  - each show-password toggle (`button[data-password-toggle][aria-controls]`, shipped
 *    `hidden`) is revealed and switches its input between `type=password` and `type=text`,
 *    `aria-pressed` saying which (v5.0.0-6.2.6: masking with a reveal option). The input
 *    goes back to `type=password` before the form is sent, so no browser stores it as text.
 * Without this script the summary still shows and the toggles stay hidden.
 */

function focusSummary(): void {
  const summary = document.querySelector<HTMLElement>('[data-error-summary]');
  if (!summary) return;
  summary.focus();
  summary.addEventListener('click', (event) => {
    const link = (event.target as Element | null)?.closest('a[href^="#"]');
    const field = link && document.getElementById(link.getAttribute('href')!.slice(1));
    if (!(field instanceof HTMLElement)) return;
    event.preventDefault();
    field.focus();
    field.scrollIntoView({ block: 'center' });
  });
}

function setShown(button: HTMLButtonElement, input: HTMLInputElement, shown: boolean): void {
  input.type = shown ? 'text' : 'password';
  button.setAttribute('aria-pressed', shown ? 'true' : 'false');
}

function startToggles(): void {
  for (const button of document.querySelectorAll<HTMLButtonElement>('button[data-password-toggle]')) {
    const input = document.getElementById(button.getAttribute('aria-controls') ?? '');
    if (!(input instanceof HTMLInputElement)) continue;
    button.hidden = false;
    button.addEventListener('click', () => setShown(button, input, input.type === 'password'));
    input.form?.addEventListener('submit', () => setShown(button, input, false));
  }
}

function start(): void {
  startToggles();
  focusSummary();
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
