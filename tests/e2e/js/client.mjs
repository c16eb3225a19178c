// Drives the real aws-amplify client against the local server, as a frontend would:
// Amplify.configure(outputs) + a token or credentials provider, then generateClient().models.Todo.
//
//   node client.mjs OUTPUTS_JSON AUTH_MODE SCENARIO
//
// AUTH_MODE: userPool | oidc | iam. The token (userPool/oidc) comes in DEV_TOKEN, the credentials
// (iam) in DEV_CREDENTIALS, both as printed by `python -m appsync_data token|credentials`.
// SCENARIO: crud (create, get, list, update, delete, get) or list (one list call): prints one
// JSON object, what each client call returned. Real-time scenarios print one JSON line per event,
// for the test to read as they come (tests/e2e/test_amplify_realtime.py):
//   subscribe  Todo.onCreate({filter: DEV_FILTER}): {"ready"} once AppSync acked it, then
//              {"item"} per delivery, {"error"} on a subscription error
//   observe    Todo.observeQuery(): {"ready"} once its three subscriptions are acked and the first
//              snapshot is synced, then {"snapshot": [contents, sorted]} per snapshot
// Node 20 has no global WebSocket: the `ws` package's is installed as the global, as an app does.
import WebSocket from 'ws';
import { Hub } from 'aws-amplify/utils';
import { configuredClient, plain } from './amplify_setup.mjs';

const [outputsPath, authMode, scenario] = process.argv.slice(2);
const client = configuredClient(outputsPath, authMode);

globalThis.WebSocket ??= WebSocket;
const line = (value) => process.stdout.write(JSON.stringify(value) + '\n');
// Errors (and the GraphQLErrors inside the client's {errors: [...]}) with their own fields.
const describe = (error) =>
  JSON.parse(
    JSON.stringify(error, (_key, value) =>
      value instanceof Error
        ? Object.fromEntries(Object.getOwnPropertyNames(value).map((k) => [k, value[k]]))
        : value,
    ),
  );

function onAcks(count, then) {
  let acked = 0;
  Hub.listen('api', ({ payload }) => {
    if (payload.event === 'Subscription ack' && ++acked === count) then();
  });
}

const results = {};
if (scenario === 'subscribe') {
  const filter = process.env.DEV_FILTER ? JSON.parse(process.env.DEV_FILTER) : undefined;
  onAcks(1, () => line({ ready: true }));
  client.models.Todo.onCreate(filter ? { filter } : {}).subscribe({
    next: (item) => line({ item: plain(item) }),
    error: (error) => {
      line({ error: describe(error) });
      process.exit(0);
    },
  });
  await new Promise(() => {}); // until the test stops this process
} else if (scenario === 'observe') {
  let acked = false;
  let synced = false;
  const ready = () => acked && synced && line({ ready: true });
  onAcks(3, () => {
    acked = true;
    ready();
  });
  client.models.Todo.observeQuery().subscribe({
    next: ({ items, isSynced }) => {
      line({ snapshot: items.map((item) => item.content).sort(), isSynced });
      if (isSynced && !synced) {
        synced = true;
        ready();
      }
    },
    error: (error) => line({ error: describe(error) }),
  });
  await new Promise(() => {});
} else if (scenario === 'crud') {
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
