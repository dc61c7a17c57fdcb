/** The error page: a heading for the kind of failure, the catalog's sentence, and a way home. */
import type { MessageKey } from '../../../messages/catalog.ts';
import { html } from './html.ts';
import { layout, type PageContext } from './layout.ts';

const HEADINGS: Readonly<Record<number, MessageKey>> = {
  403: 'page.error.heading_403',
  404: 'page.error.heading_404',
  429: 'page.error.heading_429',
};

export function errorPage(page: PageContext, status: number, message: string): string {
  const { t } = page;
  return layout(
    page,
    html`<h1>${t(HEADINGS[status] ?? 'page.error.heading_other')}</h1>
<p class="error-message">${message}</p>
<p class="hint">${t('page.error.status', { status })}</p>
<p><a class="button" href="/">${t('page.error.home_link')}</a></p>`,
  ).value;
}
