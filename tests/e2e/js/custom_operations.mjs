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
import { configuredClient, plain } from './amplify_setup.mjs';

const [outputsPath, authMode, scenario] = process.argv.slice(2);
const client = configuredClient(outputsPath, authMode);

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
