// Property: user input never becomes SQL. Injection payloads in the sign-in form, the API
// and the profile id are plain data: a generic 401 or a 400, never a session, a 500 or
// another user's row, and the users table is unchanged. Statically, no file under src/
// builds SQL from strings (sql.raw, sql.lit, .raw(), SQL in untagged templates with
// `${…}`, or execute/exec/prepare/query on a string).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import ts from 'typescript';
import {
  countRows,
  sessionCookieSet,
  SQL_INJECTION_LOGINS,
  SQL_INJECTION_PROFILE_QUERIES,
  STACK_TRACE,
} from '../helpers/attack-payloads.ts';
import { GOOD_PASSWORD, TestClient } from '../helpers/client.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

describe('SQL injection through HTTP', () => {
  let server: TestServer;
  let alice: TestClient;
  let usersBefore: number;

  before(async () => {
    server = await startTestServer();
    alice = new TestClient(server.url);
    await alice.registerAndSignIn('alice');
    await new TestClient(server.url).registerAndSignIn('bob', GOOD_PASSWORD, 'bob@secret.example');
    usersBefore = await countRows(server, 'users');
  });
  after(() => server.stop());

  test('injection payloads on the sign-in page get the generic 401 and no session', async () => {
    for (const payload of SQL_INJECTION_LOGINS) {
      for (const [username, password] of [
        [payload, payload],
        ['alice', payload],
      ] as const) {
        const attacker = new TestClient(server.url);
        const sessionsBefore = await countRows(server, 'sessions');
        const response = await attacker.signIn(username!, password!);
        assert.equal(response.status, 401, `${username} / ${password}`);
        assert.match(response.body, /Invalid username or password\./);
        assert.equal(sessionCookieSet(response), undefined, 'no session cookie is issued');
        assert.equal(await countRows(server, 'sessions'), sessionsBefore, 'no session row is created');
        assert.equal((await attacker.get('/dashboard')).status, 303);
      }
    }
  });

  test('injection payloads on the API sign-in get the generic 401 JSON and no session', async () => {
    for (const payload of SQL_INJECTION_LOGINS) {
      const attacker = new TestClient(server.url);
      const response = await attacker.postJson('/api/v1/login', { username: payload, password: payload });
      assert.equal(response.status, 401, payload);
      assert.deepEqual(response.json(), { error: 'invalid_credentials', message: 'Invalid username or password.' });
      assert.equal(sessionCookieSet(response), undefined);
      assert.equal((await attacker.get('/api/v1/me')).status, 401);
    }
  });

  test('profile ids that are not one positive whole number get 400, never 500 or another user', async () => {
    for (const query of SQL_INJECTION_PROFILE_QUERIES) {
      const response = await alice.get(`/profile?${query}`);
      assert.equal(response.status, 400, query);
      assert.doesNotMatch(response.body, STACK_TRACE);
      assert.ok(!response.body.includes('bob@secret.example'), `${query} leaked bob`);
      assert.doesNotMatch(response.body, /data-user-id=/);
    }
  });

  test('the users table is intact afterwards', async () => {
    assert.equal(await countRows(server, 'users'), usersBefore);
    assert.ok(await server.deps.users.findUserByUsername('alice'));
    assert.ok(await server.deps.users.findUserByUsername('bob'));
  });
});

// ---- static check: no string-built SQL under src/ ----

const SRC = path.resolve(import.meta.dirname, '../../src');
/** A statement shape, not a lone word: "Failed to update ${x}" is not SQL. */
const SQL_STATEMENT = /\b(select\s[\s\S]*?\sfrom|insert\s+into|update\s+\S+\s+set|delete\s+from|drop\s+(table|index|database)|alter\s+table)\b/i;
const STRING_EXECUTORS = new Set(['execute', 'executeQuery', 'exec', 'prepare', 'query', 'raw', 'unsafe']);

interface Finding {
  file: string;
  line: number;
  rule: string;
  text: string;
}

function isSqlTag(tag: ts.Expression): boolean {
  return ts.isIdentifier(tag) && tag.text === 'sql';
}

function isStringish(node: ts.Node): boolean {
  return ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateExpression(node) || isConcatenation(node);
}

function isConcatenation(node: ts.Node): boolean {
  return ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.PlusToken && (isStringish(node.left) || isStringish(node.right));
}

/** Template text with each substitution as `${}`, so "SELECT … ${}" can be matched. */
function templateText(node: ts.TemplateExpression): string {
  return node.head.text + node.templateSpans.map((span) => '${}' + span.literal.text).join('');
}

/** Findings of string-built SQL in one TypeScript source. */
function findStringBuiltSql(file: string, source: string): Finding[] {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const findings: Finding[] = [];
  const report = (node: ts.Node, rule: string) =>
    findings.push({ file, line: sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1, rule, text: node.getText(sf).slice(0, 120) });

  function visit(node: ts.Node) {
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
      const method = node.expression.name.text;
      const receiver = node.expression.expression;
      if (ts.isIdentifier(receiver) && receiver.text === 'sql' && (method === 'raw' || method === 'lit')) report(node, `sql.${method}(`);
      else if (method === 'raw') report(node, '.raw(');
      else if (STRING_EXECUTORS.has(method) && node.arguments[0] && isStringish(node.arguments[0]) && !ts.isRegularExpressionLiteral(receiver)) {
        report(node, `${method}( on a string`);
      }
    }
    if (ts.isTemplateExpression(node)) {
      const tagged = ts.isTaggedTemplateExpression(node.parent) && isSqlTag(node.parent.tag);
      const text = templateText(node);
      const match = SQL_STATEMENT.exec(text);
      if (!tagged && match && text.indexOf('${}', match.index) !== -1) report(node, 'SQL in an untagged template with ${…}');
    }
    if (isConcatenation(node) && !isConcatenation(node.parent)) {
      if (SQL_STATEMENT.test(node.getText(sf))) report(node, 'SQL built by string concatenation');
    }
    ts.forEachChild(node, visit);
  }
  visit(sf);
  return findings;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    // Shipped code only: tests beside the code read fixtures with constant SQL of their own.
    .filter((entry) => entry.isFile() && /\.(ts|js|mjs|cjs)$/.test(entry.name) && !/\.test\.ts$/.test(entry.name))
    .map((entry) => path.join(entry.parentPath, entry.name));
}

describe('no string-built SQL in src/', () => {
  test('the check catches sql.raw with an interpolated template, sql.lit, concatenation and execute on a string', () => {
    const bad = [
      "sql.raw(`SELECT * FROM users WHERE name = '${name}'`)",
      'sql.lit(name)',
      'db.raw(query)',
      'sql`select * from users where id = ${sql.raw(id)}`',
      "const q = `DELETE FROM sessions WHERE id_hash = '${hash}'`;",
      "connection.prepare('SELECT * FROM users WHERE id = ' + id)",
      'await connection.exec(`DROP TABLE ${table}`)',
      "pool.query(`UPDATE users SET role = 'admin' WHERE id = ${id}`)",
      "db.executeQuery('SELECT 1')",
    ];
    for (const snippet of bad) assert.notEqual(findStringBuiltSql('snippet.ts', snippet).length, 0, snippet);
  });

  test('the check allows parameterised sql`` templates, migration type fragments and ordinary strings', () => {
    const good = [
      'const identity = mysql ? sql`varchar(254) character set utf8mb4 collate utf8mb4_bin` : sql`varchar(254)`;',
      'await sql`select 1`.execute(db);',
      "await sql`delete from ${sql.table(THROTTLE_TABLE)} where ${sql.ref('expire')} < ${nowMs}`.execute(database.db);",
      "db.selectFrom('users').select(['id']).where('id', '=', id).execute()",
      'throw new Error(`Failed to update ${name}: select a role from the list`)',
      'const match = /^x$/.exec(`${value}`);',
    ];
    for (const snippet of good) assert.deepEqual(findStringBuiltSql('snippet.ts', snippet), [], snippet);
  });

  test('no file under src/ builds SQL from strings', () => {
    const files = sourceFiles(SRC);
    assert.ok(files.length > 10, 'src/ was scanned');
    const findings = files.flatMap((file) => findStringBuiltSql(path.relative(SRC, file), readFileSync(file, 'utf8')));
    assert.deepEqual(findings, [], findings.map((f) => `src/${f.file}:${f.line} ${f.rule}: ${f.text}`).join('\n'));
  });
});
