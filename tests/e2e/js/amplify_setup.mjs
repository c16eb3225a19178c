// The set-up every client script shares: read amplify_outputs.json (loopback endpoints only),
// configure Amplify with the dev token (DEV_TOKEN) and dev credentials (DEV_CREDENTIALS) as printed
// by `python -m appsync_data token|credentials`, and make the data client for AUTH_MODE.
import { readFileSync } from 'node:fs';
import { Amplify } from 'aws-amplify';
import { decodeJWT } from 'aws-amplify/auth';
import { generateClient } from 'aws-amplify/data';

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

// generateClient({authMode}) on the outputs at `outputsPath`, after Amplify.configure.
export function configuredClient(outputsPath, authMode) {
  const outputs = JSON.parse(readFileSync(outputsPath, 'utf8'));
  const endpoint = new URL(outputs.data.url);
  if (endpoint.hostname !== '127.0.0.1') {
    throw new Error(`refusing to call a non-loopback endpoint: ${endpoint.href}`);
  }
  Amplify.configure(outputs, { Auth: { tokenProvider, credentialsProvider } });
  return generateClient({ authMode });
}

// What a call gave back, without Amplify's internal fields.
export const plain = (result) => JSON.parse(JSON.stringify(result));
