// The two Lambda functions the schema names. Gen 2 custom functions (defineFunction(provider)) with
// inline code, so that synthesis needs no bundler or Docker; the function code is irrelevant to
// authorization (AppSync's auth happens before the function is invoked).
import { defineFunction } from '@aws-amplify/backend';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';

const inline = (scope, id) =>
  new LambdaFunction(scope, id, {
    runtime: Runtime.NODEJS_20_X,
    handler: 'index.handler',
    code: Code.fromInline('exports.handler = async () => null;'),
  });

export const fn = defineFunction((scope) => inline(scope, 'fn'), { resourceGroupName: 'data' });
export const authorizerFn = defineFunction((scope) => inline(scope, 'authorizerFn'), {
  resourceGroupName: 'data',
});
