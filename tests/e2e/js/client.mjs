// Drives the real aws-amplify client against the local server, as a frontend would:
// Amplify.configure(outputs) + a token or credentials provider, then generateClient().models.Todo.
//
//   node client.mjs OUTPUTS_JSON AUTH_MODE SCENARIO
//
// AUTH_MODE: userPool | oidc | iam. The token (userPool/oidc) comes in DEV_TOKEN, the credentials
// (iam) in DEV_CREDENTIALS, both as printed by `python -m appsync_data token|credentials`.
// SCENARIO: crud (create, get, list, update, delete, get) or list (one list call).
// Prints one JSON object: what each client call returned.
import { readFileSync } from 'node:fs';
import { Amplify } from 'aws-amplify';
import { decodeJWT } from 'aws-amplify/auth';
import { generateClient } from 'aws-amplify/data';

const [outputsPath, authMode, scenario] = process.argv.slice(2);
const outputs = JSON.parse(readFileSync(outputsPath, 'utf8'));
const endpoint = new URL(outputs.data.url);
if (endpoint.hostname !== '127.0.0.1') {
  throw new Error(`refusing to call a non-loopback endpoint: ${endpoint.href}`);
}

const tokenProvider = {
  async getTokens() {
    const token = process.env.DEV_TOKEN;
    return token ? { accessToken: decodeJWT(token) } : null;
  },
};

const credentialsProvider = {
  async getCredentialsAndIdentityId() {
    if (!process.env.DEV_CREDENTIALS) return undefined;
    const dev = JSON.parse(process.env.DEV_CREDENTIALS);
    return {
      credentials: {
        accessKeyId: dev.accessKeyId,
        secretAccessKey: dev.secretAccessKey,
        sessionToken: dev.sessionToken,
        expiration: new Date(dev.expiration),
      },
      identityId: dev.identityId,
    };
  },
  clearCredentialsAndIdentityId() {},
};

Amplify.configure(outputs, { Auth: { tokenProvider, credentialsProvider } });
const client = generateClient({ authMode });

// What a call gave back, without Amplify's internal fields.
const plain = (result) => JSON.parse(JSON.stringify(result));

const results = {};
if (scenario === 'crud') {
  const created = await client.models.Todo.create({ content: 'My new todo' });
  results.create = plain(created);
  const id = created.data?.id;
  results.get = plain(await client.models.Todo.get({ id }));
  results.list = plain(await client.models.Todo.list());
  results.listFiltered = plain(
    await client.models.Todo.list({ filter: { content: { contains: 'new' } }, limit: 5 }),
  );
  results.update = plain(await client.models.Todo.update({ id, content: 'Updated content' }));
  results.delete = plain(await client.models.Todo.delete({ id }));
  results.getAfterDelete = plain(await client.models.Todo.get({ id }));
} else if (scenario === 'list') {
  results.list = plain(await client.models.Todo.list());
} else {
  throw new Error(`unknown scenario ${scenario}`);
}
process.stdout.write(JSON.stringify(results) + '\n');
