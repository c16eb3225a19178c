// The browser page of tests/e2e/test_browser.py, bundled offline with esbuild: the quickstart's
// observeQuery() with the real aws-amplify client, reporting each snapshot to the test's server.
//
// The page's HTML sets window.DEV = {outputs, token}; reports go to POST /report on the page's
// own origin as JSON lines: {ready} once observeQuery's subscriptions are acked and it is synced,
// {snapshot: [contents]} per snapshot, {error} on an error.
import { Amplify } from 'aws-amplify';
import { decodeJWT } from 'aws-amplify/auth';
import { generateClient } from 'aws-amplify/data';
import { Hub } from 'aws-amplify/utils';

const report = (value) =>
  fetch('/report', { method: 'POST', body: JSON.stringify(value) }).catch(() => {});

const { outputs, token } = window.DEV;
Amplify.configure(outputs, {
  Auth: { tokenProvider: { getTokens: async () => ({ accessToken: decodeJWT(token) }) } },
});
const client = generateClient({ authMode: 'userPool' });

let acked = 0;
let synced = false;
const ready = () => acked === 3 && synced && report({ ready: true });
Hub.listen('api', ({ payload }) => {
  if (payload.event === 'Subscription ack') {
    acked += 1;
    ready();
  }
});
client.models.Todo.observeQuery().subscribe({
  next: ({ items, isSynced }) => {
    const contents = items.map((item) => item.content).sort();
    document.body.textContent = contents.join(', ');
    report({ snapshot: contents });
    if (isSynced && !synced) {
      synced = true;
      ready();
    }
  },
  error: (error) => report({ error: String(error?.errors?.[0]?.message ?? error) }),
});
