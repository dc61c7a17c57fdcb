/**
 * A Node test-runner reporter for scripts/run-tests.js: one JSON line per finished test or
 * suite, `{ outcome, type, name, file, reason, error }`, where outcome is pass | fail | skip | todo |
 * cancelled. Suites are reported too, so a skipped `describe(…, { skip })` (which holds no
 * test the runner would count) is counted, and so is a failing hook. The human-readable
 * output stays with the `spec` reporter, which runs beside this one.
 */
function outcomeOf(event) {
  const { data } = event;
  if (data.todo !== undefined && data.todo !== false) return 'todo';
  if (data.skip !== undefined && data.skip !== false) return 'skip';
  if (event.type === 'test:pass') return 'pass';
  return data.details?.error?.failureType === 'cancelledByParent' ? 'cancelled' : 'fail';
}

function errorText(error) {
  if (!error) return undefined;
  const cause = error.cause ?? error;
  const text = String(cause?.stack ?? cause?.message ?? cause);
  return text.split('\n').slice(0, 6).join('\n').slice(0, 1200);
}

export default async function* countReporter(source) {
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    const { data } = event;
    const reason = typeof data.skip === 'string' ? data.skip : typeof data.todo === 'string' ? data.todo : undefined;
    yield `${JSON.stringify({
      outcome: outcomeOf(event),
      type: data.details?.type ?? 'test',
      name: data.name,
      file: data.file,
      failureType: data.details?.error?.failureType,
      // Why it failed, first lines only, so run-tests.js can repeat it in its summary: a
      // long pass's own output is often cut off in CI logs before the failure is reached.
      error: event.type === 'test:fail' ? errorText(data.details?.error) : undefined,
      reason,
    })}\n`;
  }
}
