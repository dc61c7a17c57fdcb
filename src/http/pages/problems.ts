/** Coded problems (from the domain) as the `{ field, message }` lines a form shows. */
import type { Locale } from '../../messages/catalog.ts';
import { describeProblem, type CodedProblem } from '../../messages/problems.ts';

export function problemLines(problems: readonly (CodedProblem & { field?: string })[], locale: Locale): { field?: string; message: string }[] {
  return problems.map((problem) => ({ ...(problem.field ? { field: problem.field } : {}), message: describeProblem(problem, locale) }));
}
