/**
 * A real SMTP server for tests (the `smtp-server` package) on 127.0.0.1, keeping every
 * message it accepts, parsed (mailparser): headers, both bodies. `stop()` closes it (the
 * port is freed, so senders see ECONNREFUSED); `start()` listens again on the same port.
 */
import { type AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { startTestServer, type TestServer } from './server.ts';

export interface TestSmtp {
  url: string;
  received: ParsedMail[];
  start(): Promise<void>;
  stop(): Promise<void>;
}

export async function startTestSmtp(): Promise<TestSmtp> {
  const received: ParsedMail[] = [];
  let port = 0;
  let server: SMTPServer | undefined;
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      server = new SMTPServer({
        authOptional: true,
        disabledCommands: ['STARTTLS'],
        logger: false,
        onData(stream, _session, callback) {
          simpleParser(stream)
            .then((mail) => {
              received.push(mail);
              callback();
            })
            .catch(callback);
        },
      });
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        port = (server!.server.address() as AddressInfo).port;
        resolve();
      });
    });
  await listen();
  return {
    get url() {
      return `smtp://127.0.0.1:${port}`;
    },
    received,
    start: listen,
    stop: () => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())),
  };
}

/**
 * A real SMTP server and a Gatehouse server that delivers to it (`SMTP_URL` set, `env` and
 * `options` passed on), for tests of what mail a flow sends; `stop()` stops both.
 */
export async function startServerWithSmtp(
  env: Record<string, string> = {},
  options: Parameters<typeof startTestServer>[1] = {},
): Promise<{ server: TestServer; smtp: TestSmtp; stop(): Promise<void> }> {
  const smtp = await startTestSmtp();
  const server = await startTestServer({ SMTP_URL: smtp.url, ...env }, options);
  return {
    server,
    smtp,
    async stop() {
      await server.stop();
      await smtp.stop();
    },
  };
}
