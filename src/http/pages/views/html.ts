/**
 * Escape-by-default HTML templates. `html\`…\`` escapes every interpolated value unless it
 * is itself `SafeHtml` (the result of another `html` call); arrays are joined. There is no
 * way to insert raw text except building it through `html`, so reflected input cannot
 * become markup.
 */
export class SafeHtml {
  readonly value: string;
  constructor(value: string) {
    this.value = value;
  }
  toString(): string {
    return this.value;
  }
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

const SPECIAL = /[&<>"'`]/;

export function escapeHtml(value: string): string {
  // Most interpolated text (catalog sentences, usernames, paths) has nothing to escape: a
  // test is ~10× cheaper than a replace with a callback (B1's profile: 10 µs a page).
  return SPECIAL.test(value) ? value.replace(/[&<>"'`]/g, (ch) => ESCAPES[ch]!) : value;
}

type Interpolation = SafeHtml | string | number | boolean | null | undefined | readonly Interpolation[];

function render(value: Interpolation): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: Interpolation[]): SafeHtml {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i += 1) out += render(values[i]!) + strings[i + 1]!;
  return new SafeHtml(out);
}
