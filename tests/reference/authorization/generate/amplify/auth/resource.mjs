import { defineAuth } from '@aws-amplify/backend';

// A Cognito user pool (email sign-in) with the groups the schema names, and its identity pool
// (authenticated and guest roles), as `defineAuth` creates them.
export const auth = defineAuth({
  loginWith: { email: true },
  groups: ['Admins', 'Auditors'],
});
