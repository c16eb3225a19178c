// THE schema of AUTH_DESIGN.md section 1, verbatim (JS instead of TS: the same `a` builder calls).
import { a, defineData } from '@aws-amplify/backend';
import { authorizerFn, fn } from '../functions/resource.mjs';

export const schema = a.schema({
  // per-owner (user pool, default identity claim sub::username) + a static admin group
  Todo: a.model({ content: a.string(), done: a.boolean() })
    .authorization(allow => [allow.owner(), allow.groups(['Admins'])]),
  // multi-owner list
  Note: a.model({ title: a.string(), editors: a.string().array() })
    .authorization(allow => [allow.ownersDefinedIn('editors')]),
  // owner in a custom field, custom identity claim, narrowed operations, plus signed-in readers
  Order: a.model({ item: a.string(), author: a.string() })
    .authorization(allow => [
      allow.ownerDefinedIn('author').identityClaim('email').to(['create', 'read', 'delete']),
      allow.authenticated().to(['read']),
    ]),
  // OIDC owner
  Ticket: a.model({ subject: a.string() }).authorization(allow => [allow.owner('oidc')]),
  // static groups (user pool) and OIDC groups from a custom claim
  Report: a.model({ title: a.string() }).authorization(allow => [
    allow.groups(['Admins', 'Auditors']),
    allow.groups(['Staff'], 'oidc').withClaimIn('roles'),
  ]),
  // dynamic groups: one group in a field, a list of groups in a field
  Document: a.model({ title: a.string(), team: a.string() })
    .authorization(allow => [allow.groupDefinedIn('team')]),
  Project: a.model({ name: a.string(), teams: a.string().array() })
    .authorization(allow => [allow.groupsDefinedIn('teams')]),
  // public (API key) readers, owners write
  Article: a.model({ title: a.string() })
    .authorization(allow => [allow.publicApiKey().to(['read']), allow.owner()]),
  // guests (identity pool unauthenticated role) read, identity-pool users write
  Photo: a.model({ url: a.string() })
    .authorization(allow => [allow.guest().to(['read']), allow.authenticated('identityPool')]),
  // custom (Lambda authorizer)
  Vault: a.model({ secret: a.string() }).authorization(allow => [allow.custom()]),
  // field-level rules
  Profile: a.model({
    name: a.string(),
    ssn: a.string().authorization(allow => [allow.owner()]),
    owner: a.string().authorization(allow => [allow.owner().to(['read', 'delete'])]),
  }).authorization(allow => [allow.owner(), allow.authenticated().to(['read'])]),
  // custom operations under the new rules
  adminReport: a.query().returns(a.string())
    .authorization(allow => [allow.groups(['Admins'])]).handler(a.handler.function(fn)),
  publicEcho: a.query().arguments({ message: a.string() }).returns(a.string())
    .authorization(allow => [allow.publicApiKey(), allow.guest()]).handler(a.handler.function(fn)),
  vaultCount: a.query().returns(a.integer())
    .authorization(allow => [allow.custom()]).handler(a.handler.function(fn)),
});

export const data = defineData({
  schema,
  authorizationModes: {
    defaultAuthorizationMode: 'userPool',
    apiKeyAuthorizationMode: { expiresInDays: 30 },
    lambdaAuthorizationMode: { function: authorizerFn, timeToLiveInSeconds: 300 },
    oidcAuthorizationMode: {
      oidcProviderName: 'example',
      oidcIssuerUrl: 'https://example.com',
      tokenExpiryFromAuthInSeconds: 300,
      tokenExpireFromIssueInSeconds: 600,
    },
  },
});
