import { defineBackend } from '@aws-amplify/backend';
import { auth } from './auth/resource.mjs';
import { data } from './data/resource.mjs';
import { authorizerFn, fn } from './functions/resource.mjs';

export const backend = defineBackend({ auth, data, fn, authorizerFn });
