/**
 * The forward-auth findings (src/domain/forward-auth/findings.ts) as doctor findings, codes
 * `forward_auth.<code>`. Its `base_url_http` is left out: the deployment checks already say it.
 */
import type { Config } from '../../config.ts';
import { forwardAuthFindings } from '../../domain/forward-auth/findings.ts';
import { DOCTOR_CODES, type DoctorCode, type Finding } from './finding.ts';

function isDoctorCode(code: string): code is DoctorCode {
  return (DOCTOR_CODES as readonly string[]).includes(code);
}

export function forwardAuthDoctorFindings(config: Readonly<Config>): Finding[] {
  return forwardAuthFindings(config).flatMap((finding) => {
    const code = `forward_auth.${finding.code}`;
    return isDoctorCode(code) ? [{ level: finding.level, code, params: finding.params }] : [];
  });
}
