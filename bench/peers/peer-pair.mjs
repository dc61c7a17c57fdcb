/**
 * The set-up each peer figure (P1–P3) makes for itself: Gatehouse on SQLite (whatever
 * --backend says: the peer runs on SQLite, so both sides do) and Better Auth on its own
 * SQLite file, both through better-sqlite3, both with NODE_ENV=cfg.nodeEnv; cfg.b3Users users
 * registered on each through its own JSON API with random cfg.passwordLength-character
 * passwords; one signed-in session on each for the readers.
 *
 * Returns { sides: { gatehouse, peer }, stop() }. A side is
 *   { label, load, server, readPath, cookie, usersFile, checkRead() }
 * where `load` names the side for signin-json-load.mjs and checkRead() throws unless the
 * reader's session still reads its user (run after each measurement: Better Auth answers a
 * lost session with 200 `null`, which autocannon would count as a good answer).
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { registerUsersFile } from '../figures/fixture.mjs';
import { getWithCookie, signInApi } from '../lib/gatehouse-client.mjs';
import { provision, startGatehouse } from '../lib/servers.mjs';
import { checkPeerSession, ensurePeerInstalled, registerPeerUsers, signInPeer, startBetterAuth } from './peer-servers.mjs';

async function gatehouseSide(ctx, gh, id) {
  const { users, usersFile } = await registerUsersFile(ctx, gh.url, { count: ctx.cfg.b3Users, prefix: `${id}-gatehouse-` });
  const reader = users[0];
  const cookie = await signInApi(gh.url, reader);
  const checkRead = async () => {
    const me = await getWithCookie(`${gh.url}/api/v1/me`, cookie);
    if (me.status !== 200 || !me.body.includes(reader.email)) throw new Error(`GET /api/v1/me: ${me.status}, the session does not name its user`);
  };
  await checkRead();
  return { label: 'Gatehouse', load: 'gatehouse', server: gh, readPath: '/api/v1/me', cookie, usersFile, checkRead };
}

async function peerSide(ctx, peer, id) {
  const users = await registerPeerUsers(peer, ctx.cfg.b3Users, { passwordLength: ctx.cfg.passwordLength });
  const usersFile = path.join(ctx.tmpRoot, `${id}-better-auth-users.json`);
  writeFileSync(usersFile, JSON.stringify(users));
  const reader = users[0];
  const cookie = await signInPeer(peer, reader);
  const checkRead = () => checkPeerSession(peer, cookie, reader);
  return { label: 'Better Auth', load: 'better-auth', server: peer, readPath: '/api/auth/get-session', cookie, usersFile, checkRead };
}

/** Starts both servers for figure `id` and prepares their users; stop() stops both (also when the set-up fails). */
export async function startPeerPair(ctx, id) {
  const { cfg, log } = ctx;
  await ensurePeerInstalled(ctx);
  const backend = await provision(ctx, 'sqlite');
  const started = [];
  const stop = async () => {
    for (const server of started.reverse()) await server.stop();
    await backend.cleanup();
  };
  try {
    const gh = await startGatehouse(ctx, `${id}-gatehouse`, { ...backend.env, REGISTER_MAX_PER_HOUR: '1000000' });
    started.push(gh);
    const peer = await startBetterAuth(ctx, `${id}-better-auth`);
    started.push(peer);
    log(`${id}: gatehouse pid ${gh.pid} on ${gh.url}, better-auth pid ${peer.pid} on ${peer.url}; registering ${cfg.b3Users} users on each`);
    const sides = { gatehouse: await gatehouseSide(ctx, gh, id), peer: await peerSide(ctx, peer, id) };
    return { sides, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
