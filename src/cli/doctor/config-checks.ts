/**
 * Findings about the configuration alone (no network): the secret, production mode, BASE_URL,
 * proxy trust, second-factor policy, the throttle store, and what several instances would need.
 * Pure: the same settings give the same findings, so each is tested by its environment.
 */
import { isIP } from 'node:net';
import type { Config } from '../../config.ts';
import { MIN_SECRET_BITS, type SecretKeyResult } from '../../secret-key.ts';
import type { Finding } from './finding.ts';

export interface ConfigCheckInput {
  config: Readonly<Config>;
  /** How SECRET_KEY was resolved (never the key itself). */
  secret: SecretKeyResult;
  /** `--instances N`: how many servers will share this configuration. */
  instances: number;
}

function secretFindings({ config, secret }: ConfigCheckInput): Finding[] {
  if (!secret.ok) {
    if (secret.key === 'secret.required') return [{ level: 'error', code: 'secret.missing' }];
    if (secret.key === 'secret.too_weak') return [{ level: 'error', code: 'secret.weak', params: { bytes: MIN_SECRET_BITS / 8 } }];
    return [{ level: 'error', code: 'secret.unusable', params: { detail: secret.reason } }];
  }
  if (secret.source === 'environment') return [{ level: 'ok', code: 'secret.environment', params: { bits: MIN_SECRET_BITS } }];
  // A generated file is fine on one development machine; production refuses it outright.
  return [{ level: config.env === 'production' ? 'error' : 'info', code: 'secret.file', params: { file: `${config.dataDir}/secret.key` } }];
}

function hostOf(url: string): string {
  return new URL(url).hostname.replace(/^\[|\]$/g, '');
}

function deploymentFindings({ config }: ConfigCheckInput): Finding[] {
  const findings: Finding[] = [];
  const production = config.env === 'production';
  if (!production) findings.push({ level: 'warn', code: 'env.not_production', params: { env: config.env } });
  if (production && !config.baseUrlGiven) findings.push({ level: 'error', code: 'base_url.missing', params: { baseUrl: config.baseUrl } });
  if (production && config.baseUrl.startsWith('http://')) findings.push({ level: 'error', code: 'base_url.http', params: { baseUrl: config.baseUrl } });
  if (isIP(hostOf(config.baseUrl)) !== 0 && (production || config.baseUrlGiven)) {
    findings.push({ level: 'warn', code: 'base_url.ip', params: { host: hostOf(config.baseUrl) } });
  }
  if (production && config.passwords.pepper === undefined) findings.push({ level: 'info', code: 'pepper.missing' });
  if (production && !config.requireTwoFactorForAdmins) findings.push({ level: 'warn', code: 'two_factor.admins_optional' });
  return findings;
}

function proxyFindings({ config }: ConfigCheckInput): Finding[] {
  // `true` trusts every hop, so the left-most X-Forwarded-For (whatever the client wrote) wins.
  if (config.trustProxy === true) return [{ level: 'warn', code: 'trust_proxy.every_hop' }];
  const behindTls = config.env === 'production' && config.baseUrl.startsWith('https://') && config.port !== 443;
  if (config.trustProxy === false && behindTls) return [{ level: 'info', code: 'trust_proxy.unset', params: { port: config.port } }];
  return [];
}

function throttleFindings({ config, instances }: ConfigCheckInput): Finding[] {
  const findings: Finding[] = [];
  const redis = config.redisUrl !== undefined;
  if (config.throttle.globalRateLimitPerMinute === 0) findings.push({ level: 'warn', code: 'throttle.global_off' });
  if (!redis && config.throttle.store === 'memory') {
    findings.push(
      instances > 1
        ? { level: 'error', code: 'instances.throttle_not_shared', params: { instances, limit: config.throttle.loginMaxFailures } }
        : { level: 'warn', code: 'throttle.memory' },
    );
  }
  if (instances > 1) {
    if (config.databaseUrl.startsWith('sqlite:')) findings.push({ level: 'warn', code: 'instances.sqlite', params: { instances } });
    if (!redis) findings.push({ level: 'warn', code: 'instances.request_limit_per_process', params: { instances, limit: config.throttle.globalRateLimitPerMinute } });
    else findings.push({ level: 'ok', code: 'instances.shared', params: { instances } });
  }
  return findings;
}

export function configFindings(input: ConfigCheckInput): Finding[] {
  return [...secretFindings(input), ...deploymentFindings(input), ...proxyFindings(input), ...throttleFindings(input)];
}
