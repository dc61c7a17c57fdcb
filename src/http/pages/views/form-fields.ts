/**
 * The shape every form follows (GOV.UK Design System's error pattern):
 *  - a summary at the top (`role="alert"`, a heading, one link per problem to its field's
 *    `id`), focused on load by public/forms.js; without script it still shows;
 *  - each field's own problems beside it, the input `aria-invalid="true"` and
 *    `aria-describedby` naming its hint and its error;
 *  - what was typed is kept, passwords never (their inputs have no `value`);
 *  - password inputs get a show/hide toggle (v5.0.0-6.2.6: `type=password` with a reveal
 *    toggle allowed), a real `<button type="button">` with `aria-pressed`, shipped `hidden`
 *    and revealed by the script that makes it work.
 */
import { html, type SafeHtml } from './html.ts';
import type { PageContext } from './layout.ts';

export type Problems = readonly { field?: string; message: string }[];

export interface FieldSpec {
  /** The form field's name; also its `id` unless `id` is given. */
  name: string;
  id?: string;
  label: string;
  type?: 'text' | 'email' | 'password';
  autocomplete: string;
  value?: string | undefined;
  hint?: SafeHtml | string;
  maxlength?: number;
  /** A username or email: no auto-capitalisation, no spell-checking. */
  identifier?: boolean;
  /** More ids for `aria-describedby` (the strength meter's feedback). */
  describedBy?: string[];
  /** Markup after the input (the strength meter). */
  after?: SafeHtml;
}

export function fieldId(spec: Pick<FieldSpec, 'name' | 'id'>): string {
  return spec.id ?? spec.name;
}

/** The messages of `problems` that belong to `field`. */
function messagesFor(problems: Problems, field: string): string[] {
  return problems.filter((problem) => problem.field === field).map((problem) => problem.message);
}

/**
 * The summary at the top of a form. `ids` maps a field name to its input's id; each field's
 * problem links there (`#id`).
 */
export function errorSummary(page: PageContext, problems: Problems, ids: Readonly<Record<string, string>>): SafeHtml {
  if (problems.length === 0) return html``;
  const items = problems.map((problem) => {
    const target = problem.field ? ids[problem.field] : undefined;
    // A problem of the whole form (the generic sign-in failure, a wait) is said, not linked.
    return target ? html`<li><a href="#${target}">${problem.message}</a></li>` : html`<li>${problem.message}</li>`;
  });
  return html`<div class="errors" role="alert" id="error-summary" tabindex="-1" aria-labelledby="error-summary-title" data-error-summary>
<h2 id="error-summary-title">${page.t('page.form.summary_title')}</h2>
<ul>${items}</ul>
</div>`;
}

function fieldError(page: PageContext, id: string, messages: readonly string[]): SafeHtml {
  if (messages.length === 0) return html``;
  const prefix = html`<span class="visually-hidden">${page.t('page.form.error_prefix')} </span>`;
  if (messages.length === 1) return html`<p class="field-error" id="${id}-error">${prefix}${messages[0]}</p>`;
  return html`<ul class="field-error" id="${id}-error">${messages.map((message) => html`<li>${prefix}${message}</li>`)}</ul>`;
}

/** One labelled input with its hint, its own errors and (for passwords) the toggle. */
export function formField(page: PageContext, spec: FieldSpec, problems: Problems): SafeHtml {
  const id = fieldId(spec);
  const type = spec.type ?? 'text';
  const messages = messagesFor(problems, spec.name);
  const describedBy = [spec.hint ? `${id}-hint` : undefined, messages.length > 0 ? `${id}-error` : undefined, ...(spec.describedBy ?? [])].filter(Boolean);
  const attributes = html`${describedBy.length > 0 ? html` aria-describedby="${describedBy.join(' ')}"` : ''}${
    messages.length > 0 ? html` aria-invalid="true"` : ''
  }${spec.maxlength ? html` maxlength="${spec.maxlength}"` : ''}${spec.identifier ? html` autocapitalize="none" spellcheck="false"` : ''}`;
  const input =
    type === 'password'
      ? html`<div class="password-field">
    <input id="${id}" name="${spec.name}" type="password" autocomplete="${spec.autocomplete}" required${attributes}>
    <button type="button" class="toggle-password" aria-controls="${id}" aria-pressed="false" hidden data-password-toggle>${page.t('page.form.show_password')}</button>
  </div>`
      : html`<input id="${id}" name="${spec.name}" type="${type}" autocomplete="${spec.autocomplete}" required${attributes} value="${spec.value ?? ''}">`;
  return html`<div class="field${messages.length > 0 ? ' has-error' : ''}">
  <label for="${id}">${spec.label}</label>
  ${spec.hint ? html`<p class="hint" id="${id}-hint">${spec.hint}</p>` : ''}
  ${fieldError(page, id, messages)}
  ${input}
  ${spec.after ?? ''}
</div>`;
}

export function csrfField(token: string): SafeHtml {
  return html`<input type="hidden" name="csrf_token" value="${token}">`;
}

/** The short explanation a stale form (expired CSRF token) is shown again with. */
export function formNotice(message: string | undefined): SafeHtml {
  return message ? html`<p class="warning" role="status">${message}</p>` : html``;
}
