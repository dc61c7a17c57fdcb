// Property: a slow client cannot hold connections open (slowloris; v5.0.0-15.1.3 / 15.2.2).
// With REQUEST_TIMEOUT_SECONDS=2, connections that sent a POST's headers and only part of its
// body, or only part of the headers, or nothing at all, are answered 408 or closed within a
// few seconds, even while they keep dribbling bytes (so it is not an idle timeout that cuts
// them); a normal request made meanwhile is served at once.
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { TestClient } from '../helpers/client.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const TIMEOUT_SECONDS = 2;
/** The timeout, Node's deadline check (a quarter of it) and slack for a loaded machine. */
const CLOSED_WITHIN_MS = 8000;

interface SlowConnection {
  /** Milliseconds from connecting to the server closing the socket, or undefined if it stayed open. */
  closedAfter: Promise<number | undefined>;
  received: () => string;
}

/**
 * Opens a socket, writes `first`, then one byte of `drip` every 250 ms. Resolves when the
 * server closes the socket, or with undefined after `giveUpMs`.
 */
function slowConnection(port: number, first: string, drip: string, giveUpMs: number): SlowConnection {
  let received = '';
  const started = Date.now();
  const socket: Socket = connect(port, '127.0.0.1');
  let timer: NodeJS.Timeout | undefined;
  const closedAfter = new Promise<number | undefined>((resolve) => {
    const giveUp = setTimeout(() => {
      clearInterval(timer);
      socket.destroy();
      resolve(undefined);
    }, giveUpMs);
    socket.on('connect', () => {
      if (first) socket.write(first);
      if (!drip) return;
      let index = 0;
      timer = setInterval(() => {
        if (!socket.writable) return;
        socket.write(drip[index % drip.length]!);
        index += 1;
      }, 250);
    });
    socket.on('data', (chunk) => {
      received += String(chunk);
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      clearInterval(timer);
      clearTimeout(giveUp);
      resolve(Date.now() - started);
    });
  });
  return { closedAfter, received: () => received };
}

describe(`slow clients with REQUEST_TIMEOUT_SECONDS=${TIMEOUT_SECONDS}`, () => {
  let server: TestServer;
  let port: number;
  before(async () => {
    server = await startTestServer({ REQUEST_TIMEOUT_SECONDS: String(TIMEOUT_SECONDS) });
    port = Number(new URL(server.url).port);
  });
  after(() => server.stop());

  test('partial bodies, partial headers and silent sockets are cut within a few seconds; a normal request is served meanwhile', async () => {
    const partialBody = 'POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\nusername=slow&password=';
    const partialHeaders = 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: ';
    const connections = [
      ...Array.from({ length: 20 }, () => ['partial body', slowConnection(port, partialBody, 'a', CLOSED_WITHIN_MS + 4000)] as const),
      ...Array.from({ length: 20 }, () => ['partial headers', slowConnection(port, partialHeaders, 'x', CLOSED_WITHIN_MS + 4000)] as const),
      ...Array.from({ length: 5 }, () => ['partial headers, then silence', slowConnection(port, partialHeaders, '', CLOSED_WITHIN_MS + 4000)] as const),
      ...Array.from({ length: 5 }, () => ['nothing sent', slowConnection(port, '', '', CLOSED_WITHIN_MS + 4000)] as const),
    ];

    // While they hang, an ordinary client is served.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const started = Date.now();
    const normal = await new TestClient(server.url).get('/login');
    assert.equal(normal.status, 200);
    assert.ok(Date.now() - started < 2000, `a normal request took ${Date.now() - started} ms`);

    const problems: string[] = [];
    for (const [label, connection] of connections) {
      const closedAfter = await connection.closedAfter;
      if (closedAfter === undefined || closedAfter > CLOSED_WITHIN_MS) {
        problems.push(`${label}: still open after ${CLOSED_WITHIN_MS} ms`);
        continue;
      }
      const answer = connection.received();
      if (answer !== '' && !answer.startsWith('HTTP/1.1 408')) problems.push(`${label}: answered ${answer.split('\r\n')[0]}`);
    }
    assert.deepEqual(problems, []);
  });

  test('a request that completes within the timeout is unaffected, even when it arrives in pieces', async () => {
    const request = `GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`;
    const answer = await new Promise<string>((resolve, reject) => {
      let received = '';
      const socket = connect(port, '127.0.0.1', () => {
        socket.write(request.slice(0, 10));
        setTimeout(() => socket.write(request.slice(10)), 500);
      });
      socket.on('data', (chunk) => {
        received += String(chunk);
      });
      socket.on('error', reject);
      socket.on('close', () => resolve(received));
    });
    assert.match(answer, /^HTTP\/1\.1 200/);
  });

  test('on a kept-alive connection, a second request that dribbles is cut as well', async () => {
    const started = Date.now();
    const result = await new Promise<{ answers: string[]; closedAfter: number | undefined }>((resolve) => {
      const answers: string[] = [];
      let drip: NodeJS.Timeout | undefined;
      const socket = connect(port, '127.0.0.1', () => socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'));
      const giveUp = setTimeout(() => {
        clearInterval(drip);
        socket.destroy();
        resolve({ answers, closedAfter: undefined });
      }, CLOSED_WITHIN_MS + 4000);
      socket.on('data', (chunk) => {
        answers.push(String(chunk).split('\r\n')[0]!);
        if (answers.length === 1) {
          socket.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: ');
          drip = setInterval(() => socket.writable && socket.write('x'), 250);
        }
      });
      socket.on('error', () => {});
      socket.on('close', () => {
        clearInterval(drip);
        clearTimeout(giveUp);
        resolve({ answers, closedAfter: Date.now() - started });
      });
    });
    assert.equal(result.answers[0], 'HTTP/1.1 200 OK', 'the first request is served');
    assert.ok(result.closedAfter !== undefined && result.closedAfter <= CLOSED_WITHIN_MS, `closed after ${result.closedAfter} ms`);
    assert.ok(result.answers.slice(1).every((line) => line.startsWith('HTTP/1.1 408')), result.answers.join(' | '));
  });
});
