/**
 * A Node test-runner reporter for scripts/run-tests.js: one JSON line per finished test or
 * suite, `{ outcome, type, name, file, reason }`, where outcome is pass | fail | skip | todo |
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
      reason,
    })}\n`;
  }
}
