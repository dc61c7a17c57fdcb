import { parseArgs } from 'node:util';
import { openDeploymentProbes } from '../../dependencies.ts';
import { inspectSecretKey } from '../../secret-key.ts';
import { type CommandRun, CliUsageError } from '../command.ts';
import { CliError, readConfig } from '../context.ts';
import { configFindings } from '../doctor/config-checks.ts';
import { type Finding, fixKey, LEVEL_ORDER, problemKey } from '../doctor/finding.ts';
import { liveFindings } from '../doctor/live-checks.ts';
import { forwardAuthDoctorFindings } from '../doctor/forward-auth-checks.ts';
import { serviceFindings } from '../doctor/service-checks.ts';
import { say } from '../messages.ts';

const MAX_INSTANCES = 10_000;

/**
 * `gatehouse doctor [--url URL] [--instances N] [--json]`: checks a deployment's configuration
 * exactly as `serve` would read it (environment and `.env`), its stores (database and
 * migrations, Redis, SMTP, the mail queue) and, with `--url`, the running server (headers,
 * cookie flags, how it resolves a client behind its proxy). Prints every finding with its
 * level and fix, errors first; exit 1 when any is an error. Never prints a secret: findings
 * carry names, counts, hosts and addresses only.
 */
export const doctor: CommandRun = async (args, io, context) => {
  const { values } = parseArgs({
    args,
    options: { url: { type: 'string' }, instances: { type: 'string' }, json: { type: 'boolean' } },
    strict: true,
    allowPositionals: false,
  });
  const instances = values.instances === undefined ? 1 : Number(values.instances);
  if (!Number.isInteger(instances) || instances < 1 || instances > MAX_INSTANCES) throw new CliError({ key: 'cli.doctor.bad_instances', params: { max: MAX_INSTANCES } });
  if (values.url !== undefined && !/^https?:\/\/[^\s/]+/.test(values.url)) throw new CliUsageError();
  const config = readConfig(context);
  const secret = inspectSecretKey({ secretKey: config.secretKey, production: config.env === 'production', dataDir: config.dataDir });
  const findings: Finding[] = [
    ...configFindings({ config, secret, instances }),
    ...forwardAuthDoctorFindings(config),
    ...(await serviceFindings({ config, secretKey: secret.ok && secret.key !== '' ? secret.key : undefined, openProbes: openDeploymentProbes, now: new Date() })),
    ...(values.url !== undefined ? await liveFindings({ config, url: values.url }) : []),
  ].sort((a, b) => LEVEL_ORDER[a.level] - LEVEL_ORDER[b.level]);
  const errors = findings.filter((finding) => finding.level === 'error').length;
  const warnings = findings.filter((finding) => finding.level === 'warn').length;
  if (values.json) {
    const described = findings.map((finding) => ({
      level: finding.level,
      code: finding.code,
      message: say(context, problemKey(finding.code), finding.params),
      fix: finding.level === 'ok' ? null : say(context, fixKey(finding.code), finding.params),
    }));
    io.out(JSON.stringify({ errors, warnings, findings: described }));
  } else {
    for (const finding of findings) {
      io.out(`${say(context, `cli.doctor.level.${finding.level}`).padEnd(6)} ${say(context, problemKey(finding.code), finding.params)}`);
      if (finding.level !== 'ok') io.out(`       ${say(context, 'cli.doctor.fix', { fix: say(context, fixKey(finding.code), finding.params) })}`);
    }
    io.out(say(context, 'cli.doctor.summary', { errors, warnings, total: findings.length }));
  }
  return errors > 0 ? 1 : 0;
};
