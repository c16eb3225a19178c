// Drives the real aws-amplify client's custom operations against the local server:
// Amplify.configure(outputs) + a token or credentials provider, then generateClient().queries /
// .mutations, as a frontend calls the reference custom-operations schema.
//
//   node custom_operations.mjs OUTPUTS_JSON AUTH_MODE SCENARIO
//
// AUTH_MODE: userPool | iam. The token comes in DEV_TOKEN, the credentials in DEV_CREDENTIALS
// (as printed by `python -m appsync_data token|credentials`), the ids completeAll marks done in
// TODO_IDS (a JSON list).
// SCENARIO: operations (echo, todoStats, completeAll) or errors (echo's code raising a DataError,
// then a plain exception). Prints one JSON object: what each client call returned.
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
if (scenario === 'operations') {
  results.echo = plain(await client.queries.echo({ message: 'hi', times: 2 }));
  results.todoStats = plain(await client.queries.todoStats());
  const ids = JSON.parse(process.env.TODO_IDS || '[]');
  results.completeAll = plain(await client.mutations.completeAll({ ids }));
} else if (scenario === 'errors') {
  results.dataError = plain(await client.queries.echo({ message: 'out of stock' }));
  results.crash = plain(await client.queries.echo({ message: 'crash' }));
} else {
  throw new Error(`unknown scenario ${scenario}`);
}
process.stdout.write(JSON.stringify(results) + '\n');
