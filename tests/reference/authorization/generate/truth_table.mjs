// Renders the resolvers generate.mjs wrote (../resolvers/, ../resolvers/pipelines.json) with the VTL
// engine of @aws-amplify/amplify-appsync-simulator (its VelocityTemplate: amplify-velocity-template
// plus the simulator's $util) for every (operation, caller, item) cell and writes
// ../truth-table.json (AUTH_DESIGN.md section 4) and ../truth-table.md.
//
// The pipeline of a cell, as AppSync runs it:
//   (a) gate "api": a request AppSync itself refuses (invalid API key, Lambda authorizer
//       isAuthorized false, a token no configured provider accepts) -> HTTP 401;
//   (b) gate "directive": the caller's auth mode must be allowed on the field by the directives of
//       ../output-appsync-schema.graphql (field directives, else the type's, else the default mode);
//   (c) gate "resolver": the pipeline resolver's before template, its functions in order (request
//       template, data source, response template), its after template. A $util.unauthorized() or
//       $util.error() is the deny. Data sources: NONE returns the request's payload; DynamoDB is a
//       small in-memory emulation over `items` (GetItem, Query by id, Scan, PutItem, UpdateItem,
//       DeleteItem) that evaluates the filters and conditions the templates put in the stash
//       ($ctx.stash.authFilter, $ctx.stash.conditions) in JS; Lambda returns a fixed value.
//   Then every field of the returned object(s) that has its own resolver (field-level auth, the
//   owner-field resolvers) is resolved with the item as $ctx.source, and every field whose
//   directives refuse the caller's mode is null: those fields are `redacted`.
// Deterministic: Date.now and $util.autoId are fixed, keys sorted, cells in a fixed order.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const refDir = path.resolve(here, '..');
const simRequire = createRequire(path.join(here, 'simulator', 'package.json'));

const FIXED_NOW = Date.parse('2025-01-01T00:00:00.000Z');
Date.now = () => FIXED_NOW; // moment() (the simulator's $util.time) reads Date.now

const { VelocityTemplate } = simRequire('@aws-amplify/amplify-appsync-simulator/lib/velocity');
const { create: createUtil, TemplateSentError, Unauthorized } = simRequire(
  '@aws-amplify/amplify-appsync-simulator/lib/velocity/util',
);
const { map } = simRequire('@aws-amplify/amplify-appsync-simulator/lib/velocity/value-mapper/mapper');
const { toJSON } = simRequire('@aws-amplify/amplify-appsync-simulator/lib/velocity/value-mapper/to-json');
const { createInfo } = simRequire('@aws-amplify/amplify-appsync-simulator/lib/velocity/util/info');
const { parse: parseGraphql } = simRequire('graphql');
const simulatorVersion = simRequire('@aws-amplify/amplify-appsync-simulator/package.json').version;
const velocityVersion = simRequire('amplify-velocity-template/package.json').version;

const pipelines = JSON.parse(fs.readFileSync(path.join(refDir, 'resolvers', 'pipelines.json'), 'utf8'));

// --- fake ids (the same as generate.mjs's) -----------------------------------------------------
const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const USER_POOL_ID = 'us-east-1_example';
const USER_POOL_ISS = `https://cognito-idp.${REGION}.amazonaws.com/${USER_POOL_ID}`;
const CLIENT_ID = 'fakewebclientid0000000000';
const IDENTITY_POOL_ID = 'us-east-1:00000000-0000-4000-8000-000000000000';
const OTHER_IDENTITY_POOL_ID = 'us-east-1:99999999-9999-4999-8999-999999999999';
const AUTH_ROLE = 'amplify-authref-main-authenticatedUserRole';
const UNAUTH_ROLE = 'amplify-authref-main-unauthenticatedUserRole';
const OIDC_ISS = 'https://example.com';
const IAT = FIXED_NOW / 1000 - 60;
const EXP = FIXED_NOW / 1000 + 3540;

// --- callers --------------------------------------------------------------------------------------
const sub = (n) => `${n.toString(16).padStart(8, '0')}-0000-4000-8000-0000000000${n.toString().padStart(2, '0')}`;
function userPoolAccess(username, n, groups) {
  const claims = {
    sub: sub(n),
    iss: USER_POOL_ISS,
    client_id: CLIENT_ID,
    origin_jti: `origin-jti-${username}`,
    event_id: `event-${username}`,
    token_use: 'access',
    scope: 'aws.cognito.signin.user.admin',
    auth_time: IAT,
    exp: EXP,
    iat: IAT,
    jti: `jti-${username}`,
    username,
  };
  if (groups !== undefined) claims['cognito:groups'] = groups;
  return {
    authType: 'userPools',
    identity: {
      claims,
      defaultAuthStrategy: 'ALLOW',
      groups: Array.isArray(groups) ? groups : null,
      issuer: USER_POOL_ISS,
      sourceIp: ['203.0.113.10'],
      sub: sub(n),
      username,
    },
  };
}
function userPoolId(username, n, extra) {
  const claims = {
    sub: sub(n),
    iss: USER_POOL_ISS,
    aud: CLIENT_ID,
    'cognito:username': username,
    email_verified: true,
    origin_jti: `origin-jti-${username}`,
    event_id: `event-${username}`,
    token_use: 'id',
    auth_time: IAT,
    exp: EXP,
    iat: IAT,
    jti: `jti-${username}`,
    ...extra,
  };
  return {
    authType: 'userPools',
    identity: {
      claims,
      defaultAuthStrategy: 'ALLOW',
      groups: null,
      issuer: USER_POOL_ISS,
      sourceIp: ['203.0.113.10'],
      sub: sub(n),
      username,
    },
  };
}
function oidc(subject, extra) {
  const claims = { sub: subject, iss: OIDC_ISS, aud: 'example-client', exp: EXP, iat: IAT, ...extra };
  return { authType: 'oidc', identity: { claims, issuer: OIDC_ISS, sourceIp: ['203.0.113.20'], sub: subject } };
}
function iam({ poolId, identityId, authType, role, provider }) {
  return {
    authType: 'iam',
    identity: {
      accountId: ACCOUNT,
      cognitoIdentityAuthProvider: provider,
      cognitoIdentityAuthType: authType,
      cognitoIdentityId: identityId,
      cognitoIdentityPoolId: poolId,
      sourceIp: ['203.0.113.30'],
      userArn: `arn:aws:sts::${ACCOUNT}:assumed-role/${role}/CognitoIdentityCredentials`,
      username: `AROAFAKEROLEID0000000:CognitoIdentityCredentials`,
    },
  };
}

const CALLERS = {
  alice: { ...userPoolAccess('alice', 1), description: 'user pool user (access token), owner of the *-alice items' },
  bob: { ...userPoolAccess('bob', 2), description: 'user pool user (access token), owner of the *-bob items' },
  admin: { ...userPoolAccess('adam', 3, ['Admins']), description: 'user pool user in group Admins' },
  auditor: { ...userPoolAccess('audrey', 4, ['Auditors']), description: 'user pool user in group Auditors' },
  teamRed: {
    ...userPoolAccess('dana', 5, ['team-red']),
    description: 'user pool user in group team-red (the team of Document doc-red and Project proj-red-green)',
  },
  emailUser: {
    ...userPoolId('eve', 6, { email: 'eve@example.com' }),
    description: 'user pool user (ID token) with email claim eve@example.com (Order.author of order-eve)',
  },
  carol: { ...userPoolAccess('carol', 7), description: 'user pool user listed in Note.editors of note-alice-carol' },
  jsonGroups: {
    ...userPoolAccess('gus', 8, '["Admins"]'),
    description: 'user pool user whose cognito:groups claim is the JSON string \'["Admins"]\'',
  },
  jsonGroupsLookalike: {
    ...userPoolAccess('hal', 9, '["NotAdmins"]'),
    description: 'user pool user whose cognito:groups claim is the JSON string \'["NotAdmins"]\' (substring of no group named Admins)',
  },
  userPoolBadToken: {
    authType: 'userPools',
    identity: null,
    apiGateDeny: true,
    description: 'a JWT no configured provider accepts (bad signature / unknown issuer): AppSync answers 401',
  },
  oidcOwner: {
    ...oidc('oidc|olivia', { email: 'olivia@example.com' }),
    description: 'OIDC user (sub oidc|olivia, no username claim), owner of ticket-olivia',
  },
  oidcOwnerWithUsername: {
    ...oidc('oidc|oscar', { username: 'oscar' }),
    description: 'OIDC user with a username claim (sub oidc|oscar, username oscar), owner of ticket-oscar',
  },
  oidcStaff: { ...oidc('oidc|sam', { roles: ['Staff'] }), description: 'OIDC user with roles ["Staff"]' },
  oidcWrongClaim: {
    ...oidc('oidc|wendy', { groups: ['Staff'] }),
    description: 'OIDC user with groups ["Staff"] (the wrong claim name: the rule reads roles)',
  },
  iamAuthenticated: {
    ...iam({
      poolId: IDENTITY_POOL_ID,
      identityId: 'us-east-1:11111111-1111-4111-8111-111111111111',
      authType: 'authenticated',
      role: AUTH_ROLE,
      provider: `cognito-idp.${REGION}.amazonaws.com/${USER_POOL_ID},cognito-idp.${REGION}.amazonaws.com/${USER_POOL_ID}:CognitoSignIn:${sub(1)}`,
    }),
    description: "identity pool authenticated user (the API's identity pool, its authenticated role; alice signed in)",
  },
  iamGuest: {
    ...iam({
      poolId: IDENTITY_POOL_ID,
      identityId: 'us-east-1:22222222-2222-4222-8222-222222222222',
      authType: 'unauthenticated',
      role: UNAUTH_ROLE,
      provider: null,
    }),
    description: "identity pool guest (the API's identity pool, its unauthenticated role)",
  },
  iamOtherPool: {
    ...iam({
      poolId: OTHER_IDENTITY_POOL_ID,
      identityId: 'us-east-1:33333333-3333-4333-8333-333333333333',
      authType: 'authenticated',
      role: 'other-app-authenticatedUserRole',
      provider: 'cognito-idp.us-east-1.amazonaws.com/us-east-1_other',
    }),
    description: 'authenticated user of another identity pool (another role)',
  },
  iamRole: {
    authType: 'iam',
    identity: {
      accountId: ACCOUNT,
      cognitoIdentityAuthProvider: null,
      cognitoIdentityAuthType: null,
      cognitoIdentityId: null,
      cognitoIdentityPoolId: null,
      sourceIp: ['203.0.113.40'],
      userArn: `arn:aws:sts::${ACCOUNT}:assumed-role/BackendJobRole/job-session`,
      username: 'AROAFAKEBACKENDROLE00:job-session',
    },
    description: 'plain IAM role (SigV4, no Cognito identity): a backend job',
  },
  apiKey: { authType: 'apiKey', identity: null, description: 'valid API key (ctx.identity is null)' },
  apiKeyInvalid: {
    authType: 'apiKey',
    identity: null,
    apiGateDeny: true,
    description: 'unknown or expired API key: AppSync answers 401',
  },
  lambdaAllow: {
    authType: 'lambda',
    identity: { resolverContext: { tenant: 'acme', userId: 'lambda-user-1' } },
    description: 'Lambda authorizer answered isAuthorized true with resolverContext {tenant, userId}',
  },
  lambdaDeny: {
    authType: 'lambda',
    identity: null,
    apiGateDeny: true,
    description: 'Lambda authorizer answered isAuthorized false: AppSync answers 401',
  },
};
const CALLER_ORDER = Object.keys(CALLERS);

const AUTH_TYPE_NAME = {
  userPools: 'User Pool Authorization',
  oidc: 'Open ID Connect Authorization',
  iam: 'IAM Authorization',
  apiKey: 'API Key Authorization',
  lambda: 'Lambda Authorization',
};
const SIM_MODE = {
  userPools: 'AMAZON_COGNITO_USER_POOLS',
  oidc: 'OPENID_CONNECT',
  iam: 'AWS_IAM',
  apiKey: 'API_KEY',
  lambda: 'AWS_LAMBDA',
};
const DIRECTIVE_MODE = {
  aws_cognito_user_pools: 'userPools',
  aws_oidc: 'oidc',
  aws_iam: 'iam',
  aws_api_key: 'apiKey',
  aws_lambda: 'lambda',
};
const DEFAULT_MODE = 'userPools';

// --- the dataset ----------------------------------------------------------------------------------
const TS = '2024-12-01T00:00:00.000Z';
const owner = (name) => {
  const c = CALLERS[name];
  return `${c.identity.sub}::${c.identity.username}`;
};
const item = (id, fields) => ({ id, ...fields, createdAt: TS, updatedAt: TS });
const ITEMS = {
  Todo: [
    item('todo-alice', { content: 'alice todo', done: false, owner: owner('alice') }),
    item('todo-bob', { content: 'bob todo', done: false, owner: owner('bob') }),
    item('todo-alice-username', { content: 'owner is the username alone', done: false, owner: 'alice' }),
    item('todo-alice-sub', { content: 'owner is the sub alone', done: false, owner: sub(1) }),
    item('todo-no-owner', { content: 'no owner field', done: false }),
  ],
  Note: [
    item('note-alice-carol', { title: 'shared', editors: [owner('alice'), owner('carol')] }),
    item('note-bob', { title: 'bob only', editors: [owner('bob')] }),
    item('note-usernames', { title: 'editors as usernames', editors: ['alice', 'carol'] }),
  ],
  Order: [
    item('order-eve', { item: 'book', author: 'eve@example.com' }),
    item('order-other', { item: 'lamp', author: 'someone@example.com' }),
  ],
  Ticket: [
    item('ticket-olivia', { subject: 'olivia (sub only)', owner: 'oidc|olivia' }),
    item('ticket-oscar', { subject: 'oscar (sub::username)', owner: 'oidc|oscar::oscar' }),
    item('ticket-other', { subject: 'someone else', owner: 'oidc|zed' }),
  ],
  Report: [item('report-1', { title: 'quarterly' })],
  Document: [
    item('doc-red', { title: 'red doc', team: 'team-red' }),
    item('doc-blue', { title: 'blue doc', team: 'team-blue' }),
  ],
  Project: [
    item('proj-red-green', { name: 'red+green', teams: ['team-red', 'team-green'] }),
    item('proj-blue', { name: 'blue', teams: ['team-blue'] }),
  ],
  Article: [
    item('article-alice', { title: 'by alice', owner: owner('alice') }),
    item('article-bob', { title: 'by bob', owner: owner('bob') }),
  ],
  Photo: [item('photo-1', { url: 'https://example.com/1.jpg' })],
  Vault: [item('vault-1', { secret: 's3cr3t' })],
  Profile: [
    item('profile-alice', { name: 'Alice', ssn: '111-11-1111', owner: owner('alice') }),
    item('profile-bob', { name: 'Bob', ssn: '222-22-2222', owner: owner('bob') }),
  ],
};
const MODELS = Object.keys(ITEMS);
// the owner / group field of each model (for the create and reassign variants)
const OWNER_FIELD = {
  Todo: { field: 'owner', list: false },
  Note: { field: 'editors', list: true },
  Order: { field: 'author', list: false },
  Ticket: { field: 'owner', list: false },
  Document: { field: 'team', list: false },
  Project: { field: 'teams', list: true },
  Article: { field: 'owner', list: false },
  Profile: { field: 'owner', list: false },
};
const CONTENT_FIELD = {
  Todo: 'content',
  Note: 'title',
  Order: 'item',
  Ticket: 'subject',
  Report: 'title',
  Document: 'title',
  Project: 'name',
  Article: 'title',
  Photo: 'url',
  Vault: 'secret',
  Profile: 'name',
};
// "the caller's own value" of an owner/group field, as a create input would name it
function ownValue(model, callerName) {
  const c = CALLERS[callerName];
  const id = c.identity;
  if (!id || !id.claims) return null;
  if (model === 'Order') return id.claims.email ?? null;
  if (model === 'Document') return Array.isArray(id.groups) && id.groups.length ? id.groups[0] : null;
  if (model === 'Project') return Array.isArray(id.groups) && id.groups.length ? [id.groups[0]] : null;
  const value = id.claims.username ?? id.claims['cognito:username'];
  const full = value ? `${id.claims.sub}::${value}` : id.claims.sub;
  return OWNER_FIELD[model].list ? [full] : full;
}
const SOMEONE_ELSE = {
  Todo: owner('bob'),
  Note: [owner('bob')],
  Order: 'someone@example.com',
  Ticket: 'oidc|zed',
  Document: 'team-blue',
  Project: ['team-blue'],
  Article: owner('bob'),
  Profile: owner('bob'),
};

// --- the SDL directive gate -------------------------------------------------------------------------
const sdl = parseGraphql(fs.readFileSync(path.join(refDir, 'output-appsync-schema.graphql'), 'utf8'));
const TYPES = {};
for (const def of sdl.definitions) {
  if (def.kind !== 'ObjectTypeDefinition' && def.kind !== 'ObjectTypeExtension') continue;
  const modes = (node) =>
    (node.directives ?? []).filter((d) => DIRECTIVE_MODE[d.name.value]).map((d) => {
      const groups = (d.arguments ?? []).find((a) => a.name.value === 'cognito_groups');
      return { mode: DIRECTIVE_MODE[d.name.value], groups: groups ? groups.value.values.map((v) => v.value) : null };
    });
  const t = TYPES[def.name.value] ?? { modes: [], fields: {}, fieldTypes: {} };
  t.modes.push(...modes(def));
  for (const f of def.fields ?? []) {
    t.fields[f.name.value] = modes(f);
    let ty = f.type;
    while (ty.type) ty = ty.type;
    t.fieldTypes[f.name.value] = ty.name.value;
  }
  TYPES[def.name.value] = t;
}
function directiveAllows(typeName, fieldName, caller) {
  const t = TYPES[typeName];
  const fieldModes = t.fields[fieldName] ?? [];
  const modes = fieldModes.length ? fieldModes : t.modes;
  if (!modes.length) return caller.authType === DEFAULT_MODE;
  return modes.some((m) => {
    if (m.mode !== caller.authType) return false;
    if (!m.groups) return true;
    const groups = caller.identity?.claims?.['cognito:groups'];
    return Array.isArray(groups) && groups.some((g) => m.groups.includes(g));
  });
}

// --- rendering with the simulator's engine ----------------------------------------------------------
const templateCache = new Map();
let autoIdCounter = 0;
class OracleTemplate extends VelocityTemplate {
  // The simulator builds ctx.identity from a JWT / IAM token itself and has no Lambda mode: here
  // ctx.identity is exactly the AppSync identity of the caller, and $util.authType() answers the
  // AppSync value for every mode (the simulator answers "API Key Authorization" for AWS_LAMBDA).
  buildRenderContext(ctxValues, requestContext, info) {
    const { source, arguments: argument, result, stash, prevResult, error } = ctxValues;
    const util = createUtil([], new Date(FIXED_NOW), info, {
      requestAuthorizationMode: SIM_MODE[requestContext.caller.authType],
    });
    util.authType = () => AUTH_TYPE_NAME[requestContext.caller.authType];
    util.autoId = () => {
      autoIdCounter += 1;
      return `00000000-0000-4000-8000-${autoIdCounter.toString().padStart(12, '0')}`;
    };
    // $util.transform.toSubscriptionFilter is not in the simulator: it hands its argument through so
    // that the filter the template builds is recorded ($extensions below) and evaluated in JS.
    util.transform = { ...util.transform, toSubscriptionFilter: (f) => f };
    const args = map(argument);
    const ctx = {
      arguments: args,
      args,
      info: map(createInfo(info)),
      request: { headers: map(requestContext.headers) },
      identity: map(requestContext.caller.identity),
      stash: map(stash || {}),
      source: map(source),
      result: map(result),
      error: error ? { ...error } : error,
    };
    if (typeof prevResult !== 'undefined') ctx.prev = map({ result: prevResult });
    const extensions = {
      setSubscriptionFilter: (f) => {
        requestContext.subscriptionFilters.push(toJSON(f));
        return '';
      },
      setSubscriptionInvalidationFilter: (f) => {
        requestContext.invalidationFilters.push(toJSON(f));
        return '';
      },
    };
    return { util, utils: util, context: ctx, ctx, extensions };
  }

  // The simulator's render(), keeping the engine's own exception when a template fails outside
  // $util.error/$util.unauthorized (so that such a cell says why instead of guessing).
  renderCell(ctxValues, requestContext, info) {
    const context = this.buildRenderContext(ctxValues, requestContext, info);
    let out;
    try {
      out = this.compiler.render(context);
    } catch (e) {
      const templateError = context.util.errors.length ? context.util.errors[context.util.errors.length - 1] : null;
      return {
        // the engine appends " on $util.x() at L/N l:c" to a thrown error's message: the message the
        // template sent is the one the error was made with (extensions.message)
        error: templateError
          ? {
              errorType: templateError.errorType ?? null,
              message: templateError.extensions?.message ?? templateError.message,
              unauthorized: templateError instanceof Unauthorized,
            }
          : { errorType: 'TemplateRenderFailure', message: String(e?.message ?? e), engine: true },
        stash: toJSON(context.ctx.stash),
        args: toJSON(context.ctx.args),
      };
    }
    const isReturn = this.compiler._state.return;
    const stash = toJSON(context.ctx.stash);
    const args = toJSON(context.ctx.args);
    let result;
    try {
      result = JSON.parse(out);
    } catch {
      if (!isReturn) {
        return { error: { errorType: 'MappingTemplate', message: `template output is not JSON: ${out.slice(0, 200)}`, engine: true }, stash, args };
      }
      result = out;
    }
    const appended = context.util.errors.filter((e) => e instanceof TemplateSentError);
    return {
      result,
      stash,
      args,
      isReturn,
      appendedErrors: appended.map((e) => ({ errorType: e.errorType, message: e.extensions?.message ?? e.message })),
    };
  }
}
function template(file, inline) {
  const key = file ?? `inline:${inline}`;
  if (!templateCache.has(key)) {
    const content = file ? fs.readFileSync(path.join(refDir, 'resolvers', file), 'utf8') : inline;
    templateCache.set(key, new OracleTemplate({ content, path: file ?? 'inline' }, { appSyncConfig: {} }));
  }
  return templateCache.get(key);
}

// --- filters (Amplify's filter format, as the templates put them in the stash) ------------------
function present(v) {
  return v !== undefined && v !== null;
}
function evalFilter(filter, it) {
  if (!filter || (typeof filter === 'object' && Object.keys(filter).length === 0)) return true;
  return Object.entries(filter).every(([key, cond]) => {
    if (key === 'and') return cond.every((f) => evalFilter(f, it));
    if (key === 'or') return cond.some((f) => evalFilter(f, it));
    if (key === 'not') return !evalFilter(cond, it);
    const v = it ? it[key] : undefined;
    return Object.entries(cond).every(([op, arg]) => {
      switch (op) {
        case 'eq':
          return present(v) && !Array.isArray(v) && v === arg;
        case 'ne':
          return !(present(v) && v === arg);
        case 'contains':
          if (Array.isArray(v)) return v.includes(arg);
          return typeof v === 'string' && typeof arg === 'string' && v.includes(arg);
        case 'notContains':
          if (Array.isArray(v)) return !v.includes(arg);
          return !(typeof v === 'string' && v.includes(arg));
        case 'containsAny':
          return Array.isArray(v) && Array.isArray(arg) && arg.some((a) => v.includes(a));
        case 'in':
          return present(v) && Array.isArray(arg) && arg.includes(v);
        case 'beginsWith':
          return typeof v === 'string' && v.startsWith(arg);
        case 'attributeExists':
          return arg ? present(v) : !present(v);
        default:
          throw new Error(`filter operator ${op} not emulated`);
      }
    });
  });
}

// --- data sources ---------------------------------------------------------------------------------
const fromDdb = (v) => {
  if (v === null || v === undefined) return v;
  if ('S' in v) return v.S;
  if ('N' in v) return Number(v.N);
  if ('BOOL' in v) return v.BOOL;
  if ('NULL' in v) return null;
  if ('L' in v) return v.L.map(fromDdb);
  if ('SS' in v) return [...v.SS];
  if ('M' in v) return Object.fromEntries(Object.entries(v.M).map(([k, x]) => [k, fromDdb(x)]));
  throw new Error(`DynamoDB value ${JSON.stringify(v)} not emulated`);
};
const CONDITION_FAILED = {
  type: 'DynamoDB:ConditionalCheckFailedException',
  message: 'The conditional request failed (Service: DynamoDb, Status Code: 400)',
};
function invokeDataSource(ds, request, state) {
  if (ds.type === 'NONE') return { result: request?.payload ?? null };
  if (ds.type === 'AWS_LAMBDA') {
    state.lambdaEvents.push(request.payload);
    return { result: LAMBDA_RESULT[state.fieldName] ?? null };
  }
  if (ds.type !== 'AMAZON_DYNAMODB') throw new Error(`data source ${ds.type}`);
  const table = state.table;
  const byId = (id) => table.find((x) => x.id === id) ?? null;
  switch (request.operation) {
    case 'GetItem':
      return { result: structuredClone(byId(fromDdb(request.key.id))) };
    case 'Query': {
      const id = fromDdb(request.query.expressionValues[':id']);
      const candidates = table.filter((x) => x.id === id);
      const filter = request.filter ? state.stash.authFilter : null;
      const items = candidates.filter((x) => evalFilter(filter, x));
      return { result: { items: structuredClone(items), scannedCount: candidates.length, nextToken: null } };
    }
    case 'Scan': {
      const filter = request.filter
        ? { and: [state.stash.authFilter, state.args.filter].filter((f) => f && Object.keys(f).length) }
        : null;
      const items = table.filter((x) => evalFilter(filter, x));
      state.scanFilter = filter;
      return { result: { items: structuredClone(items), scannedCount: table.length, nextToken: null } };
    }
    case 'PutItem': {
      const values = Object.fromEntries(
        Object.entries({ ...request.attributeValues, ...request.key }).map(([k, v]) => [k, fromDdb(v)]),
      );
      if (byId(values.id)) return { error: CONDITION_FAILED };
      return { result: values };
    }
    case 'UpdateItem': {
      const id = fromDdb(request.key.id);
      const existing = byId(id);
      if (!evalFilter({ and: state.stash.conditions ?? [] }, existing)) return { error: CONDITION_FAILED };
      const next = structuredClone(existing ?? { id });
      const names = request.update.expressionNames ?? {};
      const values = request.update.expressionValues ?? {};
      const expr = request.update.expression;
      const setPart = (expr.match(/SET (.*?)(?: REMOVE | ADD |$)/) ?? [])[1];
      for (const assignment of setPart ? setPart.split(',') : []) {
        const [n, v] = assignment.split('=').map((s) => s.trim());
        next[names[n]] = fromDdb(values[v]);
      }
      const removePart = (expr.match(/REMOVE (.*?)(?: SET | ADD |$)/) ?? [])[1];
      for (const n of removePart ? removePart.split(',').map((s) => s.trim()) : []) delete next[names[n]];
      return { result: next };
    }
    case 'DeleteItem': {
      const existing = byId(fromDdb(request.key.id));
      if (!evalFilter({ and: state.stash.conditions ?? [] }, existing)) return { error: CONDITION_FAILED };
      return { result: structuredClone(existing) };
    }
    default:
      throw new Error(`DynamoDB operation ${request.operation} not emulated`);
  }
}
const LAMBDA_RESULT = { adminReport: 'report', publicEcho: 'echo', vaultCount: 1 };

// --- one pipeline ------------------------------------------------------------------------------------
function notAuthorized(typeName, fieldName) {
  return { errorType: 'Unauthorized', message: `Not Authorized to access ${fieldName} on type ${typeName}` };
}
function runPipeline(key, caller, { args = {}, source = null, table = [] }) {
  const p = pipelines[key];
  if (!p) throw new Error(`no pipeline ${key}`);
  const info = {
    fieldName: p.fieldName,
    parentType: p.typeName,
    path: { key: p.fieldName, prev: undefined },
    fieldNodes: [],
    variableValues: {},
    fragments: {},
  };
  const requestContext = { caller, headers: {}, subscriptionFilters: [], invalidationFilters: [] };
  const state = { stash: {}, args, table, lambdaEvents: [], fieldName: p.fieldName, typeName: p.typeName };
  const fail = (err, where) => ({
    error: err.unauthorized ? notAuthorized(p.typeName, p.fieldName) : { errorType: err.errorType, message: err.message },
    engineFailure: err.engine ? `${where}: ${err.message}` : null,
    state,
    requestContext,
  });
  let r = template(p.before).renderCell({ source, arguments: state.args, stash: state.stash }, requestContext, info);
  if (r.error) return fail(r.error, p.before);
  state.stash = r.stash;
  state.args = r.args;
  let prev = r.result;
  if (!r.isReturn) {
    for (const fn of p.functions) {
      const req = template(fn.request, fn.requestInline);
      r = req.renderCell({ source, arguments: state.args, stash: state.stash, prevResult: prev }, requestContext, info);
      if (r.error) return fail(r.error, fn.request ?? fn.name);
      state.stash = r.stash;
      state.args = r.args;
      if (r.isReturn) {
        prev = r.result;
        continue;
      }
      const { result, error } = invokeDataSource(fn.dataSource, r.result, state);
      const res = template(fn.response, fn.responseInline);
      r = res.renderCell(
        { source, arguments: state.args, stash: state.stash, prevResult: prev, result, error },
        requestContext,
        info,
      );
      if (r.error) return fail(r.error, fn.response ?? fn.name);
      state.stash = r.stash;
      prev = r.result;
    }
    r = template(p.after).renderCell(
      { source, arguments: state.args, stash: state.stash, result: prev, prevResult: prev },
      requestContext,
      info,
    );
    if (r.error) return fail(r.error, p.after);
  }
  return { result: r.result, state, requestContext, appendedErrors: r.appendedErrors ?? [] };
}

// The fields of a returned object that come back null with an error for this caller: those whose
// directives refuse the caller's mode, and those whose own resolver refuses (field-level auth).
function redactions(typeName, obj, caller) {
  const t = TYPES[typeName];
  const redacted = [];
  const notes = [];
  const published = { ...obj };
  for (const field of Object.keys(t.fields)) {
    const ft = t.fieldTypes[field];
    if (TYPES[ft] && !['AWSDateTime'].includes(ft)) continue; // relationship fields: none here
    if (!directiveAllows(typeName, field, caller)) {
      redacted.push(field);
      published[field] = null;
      continue;
    }
    const key = `${typeName}.${field}`;
    if (pipelines[key]) {
      const r = runPipeline(key, caller, { source: { ...obj }, args: {} });
      if (r.engineFailure) notes.push(`field resolver ${key} did not render: ${r.engineFailure}`);
      if (r.error) {
        redacted.push(field);
        published[field] = null;
      } else published[field] = r.result;
    }
  }
  return { redacted: redacted.sort(), notes, published };
}

// --- cells ------------------------------------------------------------------------------------------
const cells = [];
const upper = (s) => s[0].toUpperCase() + s.slice(1);
const plural = (m) => `${m}s`;

function baseCell(model, field, operation, callerName, id, input) {
  return {
    model,
    field,
    operation,
    caller: callerName,
    id,
    input,
    decision: null,
    gate: null,
    error: null,
    visible: null,
    stored: null,
    redacted: null,
  };
}

function gates(cell, typeName, fieldName, caller) {
  if (caller.apiGateDeny) {
    Object.assign(cell, {
      decision: 'deny',
      gate: 'api',
      error: { errorType: 'UnauthorizedException', message: 'Valid authorization header not provided.' },
    });
    return false;
  }
  if (!directiveAllows(typeName, fieldName, caller)) {
    Object.assign(cell, { decision: 'deny', gate: 'directive', error: notAuthorized(typeName, fieldName) });
    return false;
  }
  return true;
}

function finish(cell, r, caller, typeName, onAllow) {
  const notes = [];
  if (cell.model && caller.authType === 'lambda') {
    notes.push('$util.authType() answered "Lambda Authorization" (the simulator has no Lambda mode)');
  }
  if (r.engineFailure) {
    // the simulator's engine could not render an Amplify template for this caller: no decision
    notes.push(`not rendered faithfully (no decision recorded): ${r.engineFailure}`);
    cell.note = notes.join('; ');
    cells.push(cell);
    return;
  }
  if (r.error) {
    Object.assign(cell, { decision: 'deny', gate: 'resolver', error: r.error });
  } else {
    cell.decision = 'allow';
    onAllow(r, notes);
  }
  if (notes.length) cell.note = notes.join('; ');
  cells.push(cell);
}

const tableFor = (model) => structuredClone(ITEMS[model]);

function cellGet(model, callerName, id) {
  const caller = CALLERS[callerName];
  const field = `get${model}`;
  const cell = baseCell(model, field, 'get', callerName, id, null);
  if (!gates(cell, 'Query', field, caller)) return cells.push(cell);
  const r = runPipeline(`Query.${field}`, caller, { args: { id }, table: tableFor(model) });
  finish(cell, r, caller, model, (res, notes) => {
    if (res.result) {
      const red = redactions(model, res.result, caller);
      cell.redacted = red.redacted;
      notes.push(...red.notes);
      cell.visible = [res.result.id];
    } else cell.visible = [];
  });
}

function cellList(model, callerName) {
  const caller = CALLERS[callerName];
  const field = `list${plural(model)}`;
  const cell = baseCell(model, field, 'list', callerName, null, null);
  if (!gates(cell, 'Query', field, caller)) return cells.push(cell);
  const r = runPipeline(`Query.${field}`, caller, { args: {}, table: tableFor(model) });
  finish(cell, r, caller, model, (res, notes) => {
    const items = res.result.items ?? [];
    cell.visible = items.map((x) => x.id);
    cell.authFilter = res.state.stash.authFilter ?? null;
    const byItem = {};
    for (const x of items) {
      const red = redactions(model, x, caller);
      notes.push(...red.notes);
      if (red.redacted.length) byItem[x.id] = red.redacted;
    }
    const union = [...new Set(Object.values(byItem).flat())].sort();
    cell.redacted = union;
    if (Object.keys(byItem).length) cell.redactedByItem = byItem;
  });
}

function cellCreate(model, callerName, variant, input) {
  const caller = CALLERS[callerName];
  const field = `create${model}`;
  const cell = baseCell(model, field, 'create', callerName, input.id, input);
  cell.variant = variant;
  if (!gates(cell, 'Mutation', field, caller)) return cells.push(cell);
  const r = runPipeline(`Mutation.${field}`, caller, { args: { input: structuredClone(input) }, table: tableFor(model) });
  finish(cell, r, caller, model, (res, notes) => {
    const stored = { ...res.result };
    delete stored.__operation;
    cell.stored = stored;
    const red = redactions(model, res.result, caller);
    cell.redacted = red.redacted;
    notes.push(...red.notes);
  });
}

function cellMutate(model, op, callerName, variant, input) {
  const caller = CALLERS[callerName];
  const field = `${op}${model}`;
  const cell = baseCell(model, field, op, callerName, input.id, input);
  cell.variant = variant;
  if (!gates(cell, 'Mutation', field, caller)) return cells.push(cell);
  const r = runPipeline(`Mutation.${field}`, caller, { args: { input: structuredClone(input) }, table: tableFor(model) });
  finish(cell, r, caller, model, (res, notes) => {
    if (op === 'update') {
      const stored = { ...res.result };
      delete stored.__operation;
      cell.stored = stored;
    }
    const red = redactions(model, res.result, caller);
    cell.redacted = red.redacted;
    notes.push(...red.notes);
  });
}

function cellListen(model, callerName, variant, args) {
  const caller = CALLERS[callerName];
  const field = `onCreate${model}`;
  const cell = baseCell(model, field, 'listen', callerName, null, Object.keys(args).length ? args : null);
  cell.variant = variant;
  if (!gates(cell, 'Subscription', field, caller)) return cells.push(cell);
  const r = runPipeline(`Subscription.${field}`, caller, { args: structuredClone(args), table: [] });
  finish(cell, r, caller, model, (res, notes) => {
    const filters = res.requestContext.subscriptionFilters;
    cell.subscriptionFilter = filters.length ? filters[filters.length - 1] : null;
    // the events: each dataset item as the createX mutation would publish it (its fields resolved
    // by the type's field resolvers, e.g. owner "sub::username" -> "username"), as this caller.
    // AppSync also delivers only the events whose result fields equal the subscription's own
    // arguments (here the owner argument), whatever the resolver decided.
    const argMatch = Object.entries(args).filter(([k]) => k !== 'filter');
    cell.visible = ITEMS[model]
      .filter((x) => {
        const { published } = redactions(model, x, caller);
        return evalFilter(cell.subscriptionFilter, published) && argMatch.every(([k, v]) => published[k] === v);
      })
      .map((x) => x.id);
    notes.push(
      'visible: the runtime filter the subscription set ($extensions.setSubscriptionFilter) and AppSync\'s argument match (subscription arguments equal to the published fields), evaluated on each item as createX would publish it (its field resolvers run as this caller)',
    );
  });
}

function cellCustom(field, callerName, args) {
  const caller = CALLERS[callerName];
  const cell = baseCell(null, field, 'custom', callerName, null, Object.keys(args).length ? args : null);
  if (!gates(cell, 'Query', field, caller)) return cells.push(cell);
  const r = runPipeline(`Query.${field}`, caller, { args: structuredClone(args) });
  finish(cell, r, caller, null, (res, notes) => {
    if (caller.authType === 'lambda') notes.push('$util.authType() answered "Lambda Authorization" (the simulator has no Lambda mode)');
    cell.lambdaEvent = res.state.lambdaEvents[0] ?? null;
  });
}

for (const model of MODELS) {
  const items = ITEMS[model];
  const of = OWNER_FIELD[model];
  const content = CONTENT_FIELD[model];
  for (const callerName of CALLER_ORDER) {
    for (const it of items) cellGet(model, callerName, it.id);
    cellGet(model, callerName, `${model.toLowerCase()}-missing`);
    cellList(model, callerName);
    // create: without the owner/group field, with the caller's own value, naming someone else
    const newId = `${model.toLowerCase()}-new`;
    cellCreate(model, callerName, 'no-owner-field', { id: newId, [content]: 'new' });
    if (of) {
      const own = ownValue(model, callerName);
      if (own !== null) cellCreate(model, callerName, 'own-value', { id: newId, [content]: 'new', [of.field]: own });
      cellCreate(model, callerName, 'someone-else', { id: newId, [content]: 'new', [of.field]: SOMEONE_ELSE[model] });
    }
    if (model === 'Profile') cellCreate(model, callerName, 'with-ssn', { id: newId, name: 'new', ssn: '333-33-3333' });
    // update: each item, a missing item, and (owner models) reassigning the owner field
    for (const it of [...items, { id: `${model.toLowerCase()}-missing` }]) {
      cellMutate(model, 'update', callerName, 'content', { id: it.id, [content]: 'changed' });
      if (of) cellMutate(model, 'update', callerName, 'reassign', { id: it.id, [of.field]: SOMEONE_ELSE[model] });
      if (model === 'Profile') cellMutate(model, 'update', callerName, 'ssn', { id: it.id, ssn: '999-99-9999' });
    }
    for (const it of [...items, { id: `${model.toLowerCase()}-missing` }]) {
      cellMutate(model, 'delete', callerName, 'delete', { id: it.id });
    }
    cellListen(model, callerName, 'no-arguments', {});
    if (model === 'Todo' || model === 'Article' || model === 'Profile') {
      cellListen(model, callerName, 'owner-argument-alice', { owner: 'alice' });
      cellListen(model, callerName, 'owner-argument-alice-full', { owner: owner('alice') });
    }
    if (model === 'Order') cellListen(model, callerName, 'author-argument-eve', { author: 'eve@example.com' });
    if (model === 'Ticket') cellListen(model, callerName, 'owner-argument-olivia', { owner: 'oidc|olivia' });
  }
}
for (const callerName of CALLER_ORDER) {
  cellCustom('adminReport', callerName, {});
  cellCustom('publicEcho', callerName, { message: 'hi' });
  cellCustom('vaultCount', callerName, {});
}

// --- output -------------------------------------------------------------------------------------------
function sortKeys(value) {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortKeys(value[k])]),
    );
  }
  return value;
}
const callersOut = Object.fromEntries(
  CALLER_ORDER.map((n) => {
    const c = CALLERS[n];
    const out = { authType: c.authType, identity: c.identity, description: c.description };
    if (c.apiGateDeny) out.apiGate = 'deny';
    return [n, out];
  }),
);
const table = {
  generatedBy: {
    simulator: `@aws-amplify/amplify-appsync-simulator ${simulatorVersion}`,
    velocity: `amplify-velocity-template ${velocityVersion}`,
    fixedNow: new Date(FIXED_NOW).toISOString(),
    settings: {
      defaultAuthorizationMode: DEFAULT_MODE,
      userPoolId: USER_POOL_ID,
      identityPoolId: IDENTITY_POOL_ID,
      authRoleArn: `arn:aws:sts::${ACCOUNT}:assumed-role/${AUTH_ROLE}/CognitoIdentityCredentials`,
      unauthRoleArn: `arn:aws:sts::${ACCOUNT}:assumed-role/${UNAUTH_ROLE}/CognitoIdentityCredentials`,
      oidcIssuer: OIDC_ISS,
      region: REGION,
      account: ACCOUNT,
    },
  },
  callers: callersOut,
  items: ITEMS,
  cells,
};
fs.writeFileSync(path.join(refDir, 'truth-table.json'), `${JSON.stringify(sortKeys(table), null, 1)}\n`);
fs.writeFileSync(path.join(refDir, 'truth-table.md'), renderMarkdown());
const engineFailures = cells.filter((c) => c.decision === null).length;
console.log(`wrote truth-table.json and truth-table.md: ${cells.length} cells (${engineFailures} not rendered: no decision)`);

function short(c) {
  if (c.decision === null) return 'NOT RENDERED';
  if (c.decision === 'deny') {
    if (c.gate === 'api') return 'DENY 401';
    if (c.gate === 'directive') return 'DENY dir';
    return c.error?.message?.startsWith('Not Authorized') ? 'DENY' : `DENY: ${c.error.errorType}`;
  }
  return 'allow';
}
function renderMarkdown() {
  const lines = [];
  lines.push('# Authorization truth table (Amplify Gen 2 resolvers rendered with amplify-appsync-simulator\'s VTL engine)');
  lines.push('');
  lines.push(`Generated by generate/truth_table.mjs from resolvers/ and output-appsync-schema.graphql (${cells.length} cells; every value in truth-table.json).`);
  lines.push('`DENY 401` = gate api (HTTP 401), `DENY dir` = the SDL directives refuse the mode, `DENY` = the resolver\'s $util.unauthorized(), `DENY: <type>` = another resolver error (e.g. ConditionalCheckFailed).');
  lines.push('');
  lines.push('## Callers');
  lines.push('');
  lines.push('| caller | mode | description |');
  lines.push('|---|---|---|');
  for (const n of CALLER_ORDER) lines.push(`| ${n} | ${CALLERS[n].authType} | ${CALLERS[n].description.replace(/\|/g, '\\|')} |`);
  lines.push('');
  const fmtIds = (ids) => (ids === null ? '' : ids.length ? ids.join(', ') : '(none)');
  for (const model of MODELS) {
    lines.push(`## ${model}`);
    lines.push('');
    lines.push('Items: ' + ITEMS[model].map((x) => `\`${x.id}\``).join(', '));
    lines.push('');
    const mc = cells.filter((c) => c.model === model);
    lines.push('| caller | get (visible ids) | list (visible) | create | update | delete | onCreate (visible) |');
    lines.push('|---|---|---|---|---|---|---|');
    for (const n of CALLER_ORDER) {
      const cc = mc.filter((c) => c.caller === n);
      const gets = cc.filter((c) => c.operation === 'get');
      const getCol = gets.every((c) => c.gate === gets[0].gate && c.gate && c.gate !== 'resolver')
        ? short(gets[0])
        : gets.map((c) => `${c.id}: ${c.decision === 'allow' ? (c.visible.length ? 'allow' : 'null') : short(c)}`).join('<br>');
      const list = cc.find((c) => c.operation === 'list');
      const listCol = list.decision === 'allow' ? fmtIds(list.visible) : short(list);
      const mut = (op) =>
        cc
          .filter((c) => c.operation === op)
          .map((c) => `${c.variant === 'delete' ? '' : `${c.variant} `}${c.id}: ${short(c)}`)
          .join('<br>');
      const listen = cc
        .filter((c) => c.operation === 'listen')
        .map((c) => `${c.variant}: ${c.decision === 'allow' ? fmtIds(c.visible) : short(c)}`)
        .join('<br>');
      lines.push(`| ${n} | ${getCol} | ${listCol} | ${mut('create')} | ${mut('update')} | ${mut('delete')} | ${listen} |`);
    }
    lines.push('');
    const withRedaction = mc.filter((c) => c.redacted && c.redacted.length);
    if (withRedaction.length) {
      lines.push(`Field redactions (${model}):`);
      lines.push('');
      lines.push('| operation | caller | id | redacted |');
      lines.push('|---|---|---|---|');
      for (const c of withRedaction) {
        lines.push(`| ${c.operation}${c.variant ? ` (${c.variant})` : ''} | ${c.caller} | ${c.id ?? ''} | ${c.redactedByItem ? Object.entries(c.redactedByItem).map(([k, v]) => `${k}: ${v.join(', ')}`).join('; ') : c.redacted.join(', ')} |`);
      }
      lines.push('');
    }
  }
  lines.push('## Custom operations');
  lines.push('');
  lines.push('| caller | adminReport | publicEcho | vaultCount |');
  lines.push('|---|---|---|---|');
  for (const n of CALLER_ORDER) {
    const col = (f) => short(cells.find((c) => c.field === f && c.caller === n));
    lines.push(`| ${n} | ${col('adminReport')} | ${col('publicEcho')} | ${col('vaultCount')} |`);
  }
  lines.push('');
  return `${lines.join('\n')}\n`;
}
