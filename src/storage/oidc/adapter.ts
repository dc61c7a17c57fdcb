/**
 * oidc-provider's storage adapter over Gatehouse's ports (issue #13). oidc-provider makes one
 * instance per model name (`new Adapter('AccessToken')`):
 *
 * - `Client` is read from the client store (registered with `gatehouse oidc-client add` or
 *   the admin console) and mapped to client metadata; oidc-provider never writes clients
 *   (no dynamic registration), so its writes are refused.
 * - Every other model (Session, Grant, AuthorizationCode, AccessToken, RefreshToken,
 *   Interaction, ReplayDetection, …) goes to the payload store: Redis when REDIS_URL is set,
 *   SQL otherwise.
 * A confidential client's secret is opened (it is stored sealed) only here, when the provider
 * loads the client to compare what the client sent.
 */
import type { Adapter, AdapterConstructor, AdapterPayload } from 'oidc-provider';
import type { OidcClient, OidcClientStore, OidcPayloadStore } from '../../domain/ports.ts';

/** The client metadata oidc-provider validates and serves (RFC 7591 names). */
export function clientMetadata(client: OidcClient, secret: string | undefined): AdapterPayload {
  return {
    client_id: client.clientId,
    ...(client.public ? {} : { client_secret: secret }),
    client_name: client.name,
    redirect_uris: client.redirectUris,
    post_logout_redirect_uris: client.postLogoutRedirectUris,
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: client.public ? 'none' : client.tokenEndpointAuthMethod === 'client_secret_post' ? 'client_secret_post' : 'client_secret_basic',
    id_token_signed_response_alg: client.idTokenSigningAlg,
  } as AdapterPayload;
}

export function createOidcAdapter(options: {
  payloads: OidcPayloadStore;
  clients: OidcClientStore;
  openSecret: (secretSealed: string) => string | undefined;
}): AdapterConstructor {
  const { payloads, clients, openSecret } = options;

  class ClientAdapter implements Adapter {
    async find(id: string): Promise<AdapterPayload | undefined> {
      const found = await clients.findClient(id);
      if (!found) return undefined;
      if (found.client.public) return clientMetadata(found.client, undefined);
      const secret = found.secretSealed === null ? undefined : openSecret(found.secretSealed);
      // Sealed under another SECRET_KEY: the client cannot authenticate, so it is unknown.
      return secret === undefined ? undefined : clientMetadata(found.client, secret);
    }
    async upsert(): Promise<void> {
      throw new Error('oidc clients are registered with gatehouse oidc-client add or the admin console');
    }
    async findByUid(): Promise<undefined> {
      return undefined;
    }
    async findByUserCode(): Promise<undefined> {
      return undefined;
    }
    async consume(): Promise<void> {}
    async destroy(): Promise<void> {
      throw new Error('oidc clients are removed with gatehouse oidc-client remove or the admin console');
    }
    async revokeByGrantId(): Promise<void> {}
  }

  class PayloadAdapter implements Adapter {
    readonly model: string;
    constructor(model: string) {
      this.model = model;
    }
    async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
      await payloads.upsert(this.model, id, payload as Record<string, unknown>, expiresIn ?? 0);
    }
    async find(id: string): Promise<AdapterPayload | undefined> {
      return (await payloads.find(this.model, id)) as AdapterPayload | undefined;
    }
    async findByUid(uid: string): Promise<AdapterPayload | undefined> {
      return (await payloads.findByUid(this.model, uid)) as AdapterPayload | undefined;
    }
    async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      return (await payloads.findByUserCode(this.model, userCode)) as AdapterPayload | undefined;
    }
    async consume(id: string): Promise<void> {
      await payloads.consume(this.model, id);
    }
    async destroy(id: string): Promise<void> {
      await payloads.destroy(this.model, id);
    }
    async revokeByGrantId(grantId: string): Promise<void> {
      await payloads.revokeByGrantId(grantId);
    }
  }

  // A constructor oidc-provider calls with the model name; it returns the instance for it.
  return function OidcAdapter(model: string): Adapter {
    return model === 'Client' ? new ClientAdapter() : new PayloadAdapter(model);
  } as unknown as AdapterConstructor;
}
